"""Locked months (审核锁定) and late entries (补录): the state the monthly report cycle leaves behind, kept
here in stations so that the apps below sws (residents, projects, casework) can ask it
(`stations.periods.check_open`) without importing sws, which writes it (`sws.reports.cycle`).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet
from stations.append_only import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned


class LockedMonth(models.Model):
    """A station's month whose report was approved: its dated records are closed to station staff."""

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("社工站"), on_delete=models.CASCADE, related_name="locked_months"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    locked_at = models.DateTimeField(_("锁定时间"), default=timezone.now)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("锁定人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("已锁定月份")
        verbose_name_plural = _("已锁定月份")
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="locked_month_unique")]

    def __str__(self):
        return f"{self.station} {self.month:%Y年%m月}"


class LateEntryPermitQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"

    def open_on(self, day: datetime.date):
        """Approved permits whose window still runs on `day`."""
        return self.filter(status=LateEntryPermit.Status.APPROVED, open_until__gte=day)


class LateEntryPermit(Versioned):
    """补录申请: a station asks to enter or correct records of a locked month; the district decides and,
    approving, sets the last day the window is open."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("社工站"), on_delete=models.CASCADE, related_name="late_permits"
    )
    month = models.DateField(_("补录月份"), help_text=_("该月第一天"))
    reason = models.TextField(_("补录原因"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("审批意见"), blank=True, max_length=1000)
    open_until = models.DateField(_("补录截止日期"), null=True, blank=True)

    objects = LateEntryPermitQuerySet.as_manager()

    class Meta:
        verbose_name = _("补录申请")
        verbose_name_plural = _("补录申请")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["station", "month", "status"], name="late_permit_station_month")]

    def __str__(self):
        return f"{self.station} {self.month:%Y年%m月}补录"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


class LateEntryQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"


class LateEntry(AppendOnlyModel):
    """One record created or changed in a locked month under a permit: listed in the next month's report."""

    append_only_error = RecordImmutable
    append_only_label = "补录记录"

    permit = models.ForeignKey(
        LateEntryPermit, verbose_name=_("补录申请"), on_delete=models.PROTECT, related_name="entries"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("补录月份"))
    day = models.DateField(_("记录日期"))
    kind = models.CharField(_("记录类型"), max_length=20)
    label = models.CharField(_("记录"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    objects = LateEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("补录记录")
        verbose_name_plural = _("补录记录")
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["station", "recorded_at"], name="late_entry_station_at")]
