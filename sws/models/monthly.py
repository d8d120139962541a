"""A monthly report (月报) of one unit and month, as it goes through the cycle: draft, submitted, returned,
approved (and then locked). A station's report goes to its district centre, a district's to the municipal
centre once all its stations are approved; the city's report is approved by the municipal centre itself.

The figures of a draft are live (built when the page is opened); at submission and at approval they are
frozen into `snapshot` (`sws.reports.snapshots.freeze`), and a submitted or approved report is shown and
exported from it. Who may do each step is asked of the report (`may_submit`, `may_review`).
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations import access
from stations.access import ScopedQuerySet
from stations.append_only import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned


class MonthlyReportQuerySet(ScopedQuerySet):
    # A station's report names its district too: the district centre reads its stations' reports and its
    # own; the city's report (no station, no district) is the municipal centre's only.
    station_lookup = "station"
    district_lookup = "district"


class MonthlyReport(Versioned):
    class Level(models.TextChoices):
        STATION = "station", _("社工站")
        DISTRICT = "district", _("区")
        CITY = "city", _("市")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核（锁定）")

    SUBMITTABLE = (Status.DRAFT, Status.RETURNED)

    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("社工站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_reports",
    )
    district = models.ForeignKey(
        "stations.District",
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_reports",
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    highlights = models.TextField(_("工作亮点"), blank=True, max_length=4000)
    problems = models.TextField(_("存在问题及下月计划"), blank=True, max_length=4000)
    snapshot = models.JSONField(_("报表快照"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "month"],
                condition=models.Q(level="station"),
                name="monthly_report_station_month",
            ),
            models.UniqueConstraint(
                fields=["district", "month"],
                condition=models.Q(level="district"),
                name="monthly_report_district_month",
            ),
            models.UniqueConstraint(
                fields=["month"], condition=models.Q(level="city"), name="monthly_report_city_month"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="station", station__isnull=False, district__isnull=False)
                    | models.Q(level="district", station__isnull=True, district__isnull=False)
                    | models.Q(level="city", station__isnull=True, district__isnull=True)
                ),
                name="monthly_report_unit_matches_level",
            ),
        ]
        indexes = [models.Index(fields=["district", "month", "level"], name="monthly_report_district_idx")]

    def __str__(self):
        return f"{self.unit_name} {self.month_label}月报"

    @property
    def unit_name(self) -> str:
        if self.level == self.Level.STATION:
            return self.station.name
        if self.level == self.Level.DISTRICT:
            return self.district.name
        return "天津市"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def is_frozen(self) -> bool:
        """Submitted or approved: shown from its snapshot."""
        return self.snapshot is not None and self.status in (self.Status.SUBMITTED, self.Status.APPROVED)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def month_over(self, today=None) -> bool:
        today = today or timezone.localdate()
        return today >= _next_month(self.month)

    def due_date(self) -> datetime.date:
        """The day the report is due: the station's by REPORT_STATION_DUE_DAY of the next month, the
        district's by REPORT_DISTRICT_DUE_DAY (the city's with the district's)."""
        day = (
            settings.REPORT_STATION_DUE_DAY
            if self.level == self.Level.STATION
            else settings.REPORT_DISTRICT_DUE_DAY
        )
        return _next_month(self.month).replace(day=day)

    def is_late(self, today=None) -> bool:
        """Not yet submitted (nor approved) and past its due date."""
        today = today or timezone.localdate()
        return self.status in self.SUBMITTABLE and today > self.due_date()

    # --- who may do what (the rules of the cycle; the services ask these) ----------------------------
    def may_submit(self, user) -> bool:
        """The station's head, the district centre of the district; the city's report is not submitted
        (the municipal centre approves it)."""
        if not (user.is_authenticated and user.is_active):
            return False
        if self.level == self.Level.STATION:
            return access.is_station_head(user) and user.station_id == self.station_id
        if self.level == self.Level.DISTRICT:
            return access.is_district_user(user) and user.district_id == self.district_id
        return False

    def may_review(self, user) -> bool:
        """A station's report: its district centre; a district's and the city's: the municipal centre."""
        if not (user.is_authenticated and user.is_active):
            return False
        if self.level == self.Level.STATION:
            return access.is_district_user(user) and user.district_id == self.district_id
        return access.sees_whole_city(user)

    def get_absolute_url(self) -> str:
        args = [self.month.year, self.month.month]
        if self.level == self.Level.STATION:
            return reverse("reports:station", args=[self.station_id, *args])
        if self.level == self.Level.DISTRICT:
            return reverse("reports:district", args=[self.district_id, *args])
        return reverse("reports:city", args=args)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


class ReportDecisionQuerySet(AppendOnlyQuerySet):
    pass


class ReportDecision(AppendOnlyModel):
    """The approval trail: one row per step (报送、退回、审核通过), never changed."""

    append_only_error = RecordImmutable
    append_only_label = "审批记录"

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("报送")
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("审核通过")

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见"), blank=True, max_length=2000)

    objects = ReportDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报审批记录")
        verbose_name_plural = _("月报审批记录")
        ordering = ["at", "pk"]
