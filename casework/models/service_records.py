"""介入: dated service records. Each one is a casework (个案) session in the station's statistics, with its
person-times: the figures read these rows, nobody types them again as an activity."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseScopedQuerySet
from casework.models.plans import Goal
from partners.models import PartnerReferral
from projects.models import Resource
from stations.locking import Versioned
from stations.models import Station


class ServiceRecordQuerySet(CaseScopedQuerySet):
    def totals(self):
        """{'sessions', 'person_times'} over the queryset in one query: one session per record."""
        row = self.aggregate(n=models.Count("pk"), people=models.Sum("person_times"))
        return {"sessions": row["n"], "person_times": row["people"] or 0}


class ServiceRecord(Versioned):
    class Form(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("面谈")
        PHONE = "phone", _("电话")
        HOME_VISIT = "home_visit", _("家访")
        ACCOMPANY = "accompany", _("陪同")
        REFERRAL = "referral", _("转介")
        RESOURCE = "resource", _("资源链接")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="service_records")
    # The case's station, copied: station statistics count records without joining cases.
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("服务日期"), default=timezone.localdate)
    form = models.CharField(_("服务形式"), max_length=12, choices=Form.choices)
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), validators=[MinValueValidator(1)])
    content = models.TextField(_("服务内容"), max_length=4000)
    progress = models.TextField(_("目标进展"), blank=True, max_length=2000)
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    person_times = models.PositiveIntegerField(
        _("服务人次"), default=1, validators=[MinValueValidator(1)], help_text=_("服务对象及参与的家属等。")
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("涉及目标"), blank=True, related_name="service_records"
    )
    resources = models.ManyToManyField(
        Resource, verbose_name=_("使用的资源"), blank=True, related_name="case_service_records"
    )
    # A record of form 转介 made to a registered partner: the referral it made (its slip, consent and the
    # partner's answers); a 转介 to anyone else stays free text in the content.
    partner_referral = models.ForeignKey(
        PartnerReferral,
        verbose_name=_("转介至合作伙伴"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("服务社工"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["case", "-date", "-pk"]
        indexes = [models.Index(fields=["station", "date"], name="servicerecord_station_date_idx")]

    def __str__(self):
        return f"{self.case} {self.date} {self.get_form_display()}"
