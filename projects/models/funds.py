"""Community funds and their append-only ledger of entries."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models.common import MONEY, ZERO, StationScopedQuerySet
from projects.models.projects import Project
from projects.models.resources import Partner
from stations.access import ScopedQuerySet
from stations.audit import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned
from stations.models import Community, Station

# --- Community funds ---------------------------------------------------------------------------------


class CommunityFundQuerySet(StationScopedQuerySet):
    def with_balance(self):
        """Annotate `inflow`, `outflow` and `balance` (Decimal, derived from the ledger) in one query."""
        inflow = Sum("entries__amount", filter=Q(entries__direction=FundEntry.Direction.INFLOW), default=ZERO)
        outflow = Sum(
            "entries__amount", filter=Q(entries__direction=FundEntry.Direction.OUTFLOW), default=ZERO
        )
        return self.annotate(inflow=inflow, outflow=outflow).annotate(
            balance=models.F("inflow") - models.F("outflow")
        )


class CommunityFund(Versioned):
    """社区基金: a pool fed by inflows and spent by outflows; the balance is derived from the ledger."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="funds"
    )
    name = models.CharField(_("基金名称"), max_length=100)
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区"), blank=True, related_name="funds"
    )
    established_on = models.DateField(_("设立日期"))
    purpose = models.TextField(_("用途说明"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CommunityFundQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区基金")
        verbose_name_plural = _("社区基金")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="fund_unique_per_station")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:fund-detail", args=[self.pk])

    def balance(self) -> Decimal:
        """Inflows minus outflows, from the ledger (one aggregate query)."""
        row = self.entries.aggregate(
            inflow=Sum("amount", filter=Q(direction=FundEntry.Direction.INFLOW), default=ZERO),
            outflow=Sum("amount", filter=Q(direction=FundEntry.Direction.OUTFLOW), default=ZERO),
        )
        return row["inflow"] - row["outflow"]


class FundEntryQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "fund__station"
    district_lookup = "fund__station__district"


class FundEntry(AppendOnlyModel):
    """One ledger line of a community fund. Append-only: a mistake is corrected by a counter-entry."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its parent's deletion (cascade)
    append_only_label = "基金收支记录"

    class Direction(models.TextChoices):
        INFLOW = "in", _("收入")
        OUTFLOW = "out", _("支出")

    class Channel(models.TextChoices):
        LOTTERY = "lottery", _("彩票代售点注资")
        ENTERPRISE = "enterprise", _("社企联动")
        RESIDENTS = "residents", _("居民筹资")
        CHARITY = "charity", _("慈善捐赠")
        OTHER = "other", _("其他")

    class Purpose(models.TextChoices):
        RECIPIENT_AID = "recipient_aid", _("民政对象帮扶")
        SERVICE_VENUE = "service_venue", _("公益服务阵地")
        ORGANISATIONS = "organisations", _("培育社区社会组织")
        ACTIVITIES = "activities", _("社区活动")
        OTHER = "other", _("其他")

    fund = models.ForeignKey(
        CommunityFund, verbose_name=_("社区基金"), on_delete=models.PROTECT, related_name="entries"
    )
    direction = models.CharField(_("收支"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("筹集渠道"), max_length=12, choices=Channel.choices, blank=True)
    purpose = models.CharField(_("支出用途"), max_length=16, choices=Purpose.choices, blank=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    date = models.DateField(_("日期"), default=timezone.localdate)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("出资单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("用于项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fund_entries",
    )
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记账时间"), default=timezone.now)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("基金收支")
        verbose_name_plural = _("基金收支")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["fund", "date"], name="fundentry_fund_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fundentry_amount_positive"),
            models.CheckConstraint(
                condition=(Q(direction="in") & ~Q(channel="") & Q(purpose=""))
                | (Q(direction="out") & ~Q(purpose="") & Q(channel="")),
                name="fundentry_channel_or_purpose",
            ),
        ]

    def __str__(self):
        sign = "+" if self.direction == self.Direction.INFLOW else "-"
        return f"{self.date:%Y-%m-%d} {sign}{self.amount}"

    def get_absolute_url(self):
        return reverse("projects:fund-entry-detail", args=[self.fund_id, self.pk])

    @property
    def label(self):
        return (
            self.get_channel_display()
            if self.direction == self.Direction.INFLOW
            else self.get_purpose_display()
        )
