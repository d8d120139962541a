"""A station's partners and the resources it can call on."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models.common import MONEY, ZERO, StationScopedQuerySet
from projects.models.projects import Project
from stations.locking import Versioned
from stations.models import Station

# --- Partners and resources mobilised ----------------------------------------------------------------


class PartnerQuerySet(StationScopedQuerySet):
    pass


class Partner(Versioned):
    """链接单位: an organisation or person a station mobilises resources from."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        CHARITY = "charity", _("慈善组织")
        INDIVIDUAL = "individual", _("个人")
        LOTTERY_OUTLET = "lottery_outlet", _("彩票代售点")
        GOVERNMENT = "government", _("政府部门")
        OTHER = "other", _("其他")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="partners"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("链接单位")
        verbose_name_plural = _("链接单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="partner_unique_per_station")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:partner-detail", args=[self.pk])


class ResourceQuerySet(StationScopedQuerySet):
    def with_list_columns(self):
        return self.select_related("partner", "project")

    def total(self) -> Decimal:
        """The yuan value mobilised (money plus the estimated value of goods), exact."""
        return self.aggregate(total=Sum("amount"))["total"] or ZERO


class Resource(Versioned):
    """链接慈善资源: money (yuan) or goods in kind (with an estimated value) from a partner."""

    class Kind(models.TextChoices):
        MONEY = "money", _("资金")
        IN_KIND = "in_kind", _("物资")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="resources"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("链接单位"), on_delete=models.PROTECT, related_name="resources"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("用于项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    date = models.DateField(_("日期"), default=timezone.localdate)
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.MONEY)
    amount = models.DecimalField(
        _("金额或估值（元）"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("资金填金额；物资填估算价值。"),
    )
    description = models.CharField(_("内容"), max_length=200, blank=True, help_text=_("如：米面油50份"))
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("慈善资源")
        verbose_name_plural = _("慈善资源")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["station", "date"], name="resource_station_date_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="resource_amount_positive")]

    def __str__(self):
        return f"{self.partner} ¥{self.amount}"

    def get_absolute_url(self):
        return reverse("projects:resource-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kind == self.Kind.IN_KIND and not self.description:
            errors["description"] = _("物资请填写内容。")
        if self.station_id and self.partner_id and self.partner.station_id != self.station_id:
            errors["partner"] = _("只能选择本站的链接单位。")
        if self.station_id and self.project_id and self.project.station_id != self.station_id:
            errors["project"] = _("只能选择本站的项目。")
        if errors:
            raise ValidationError(errors)
