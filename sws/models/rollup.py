"""The daily per-station rollup (日汇总): the additive figures of each station and day that the district
and city dashboards and the live reports sum over whole scopes (sws/dashboards/rollup.py keeps it and
says how)."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet


class StationDayQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"


class StationDay(models.Model):
    """One station's figures of one day (Asia/Shanghai). A day with nothing to count has no row."""

    station = models.ForeignKey("stations.Station", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Requests received that day; resolved that day (and still resolved or closed), of them on time, and
    # their resolution times summed (the mean is the sum over the count); follow-ups closed that day with
    # a satisfaction answer, and of them satisfied (满意/基本满意).
    received = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolution_time = models.DurationField(default=datetime.timedelta)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    # Activities dated that day (their sessions and person-times), casework service records (one session
    # each, with their person-times) and resources mobilised (yuan; of them money).
    activities = models.PositiveIntegerField(default=0)
    activity_sessions = models.PositiveIntegerField(default=0)
    activity_person_times = models.PositiveIntegerField(default=0)
    casework_sessions = models.PositiveIntegerField(default=0)
    casework_person_times = models.PositiveIntegerField(default=0)
    resources_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    resources_money = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Visits of the care programme dated that day, counted under the station serving the resident's
    # community: the resident met, nobody home, and of the met ones those on or before their due date.
    visits_seen = models.PositiveIntegerField(default=0)
    visits_failed = models.PositiveIntegerField(default=0)
    visits_on_time = models.PositiveIntegerField(default=0)

    objects = StationDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("社工站日汇总")
        verbose_name_plural = _("社工站日汇总")
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="station_day_unique")]
        # The city's sums read days in a range across all stations; a district's, its stations' days.
        indexes = [models.Index(fields=["day", "station"], name="station_day_day_idx")]

    def __str__(self):
        return f"{self.station_id} {self.day:%Y-%m-%d}"


class RollupState(models.Model):
    """One row: the last day the rollup holds for every station (None: not built). Days after it are
    counted live from the base tables; the nightly job moves it forward, to two days before today."""

    rolled_through = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("日汇总进度")
        verbose_name_plural = _("日汇总进度")

    def __str__(self):
        return f"{self.rolled_through or '—'}"
