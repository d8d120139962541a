"""Risk tiers (风险等级) and the visit programme (探访关爱): rules, each resident's plan, and the visit log.

The arithmetic of a plan (when the next visit is due after a visit, a failed visit or a tier change) is
here, on `VisitPlan`; the steps that write (set a tier, log a visit, open the linked request, escalate)
are in `residents.care`, taking the acting user. `due_visits(on=…)` is what the reminders call.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models.households import RESIDENT_DISTRICT, RESIDENT_STATION, SupportStatusType
from stations import figures
from stations.access import ScopedQuerySet
from stations.audit import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned


class RiskTier(models.IntegerChoices):
    """一级 is the highest risk."""

    TIER_1 = 1, _("一级")
    TIER_2 = 2, _("二级")
    TIER_3 = 3, _("三级")


# When the admin's table has no row for a tier: 一级 weekly, 二级 monthly, 三级 quarterly.
DEFAULT_INTERVAL_DAYS = {RiskTier.TIER_1: 7, RiskTier.TIER_2: 30, RiskTier.TIER_3: 90}
# Nobody home: try again within this many days (never later than the tier's own interval).
RETRY_DAYS = 2
# Failed visits in a row that escalate (a P1 request in the station's queue).
ESCALATE_AFTER_FAILED = 2


class VisitRule(models.Model):
    """The tier → frequency table (admin)."""

    tier = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskTier.choices, unique=True)
    interval_days = models.PositiveSmallIntegerField(_("探访间隔（天）"))

    class Meta:
        verbose_name = _("探访频次")
        verbose_name_plural = _("探访频次")
        ordering = ["tier"]

    def __str__(self):
        return f"{self.get_tier_display()}：每{self.interval_days}天"

    @classmethod
    def intervals(cls) -> dict[int, int]:
        """{tier: days}, the admin's table over the defaults (one query)."""
        defaults = {int(tier): days for tier, days in DEFAULT_INTERVAL_DAYS.items()}
        return defaults | dict(cls.objects.values_list("tier", "interval_days"))

    @classmethod
    def interval_for(cls, tier: int) -> int:
        return cls.intervals()[int(tier)]


class RiskTierRule(models.Model):
    """A suggestion rule an admin edits: a resident with every listed status (and at least the age) is
    suggested the tier. The worker decides; a suggestion never changes a tier by itself."""

    name = models.CharField(_("规则名称"), max_length=50)
    tier = models.PositiveSmallIntegerField(_("建议等级"), choices=RiskTier.choices)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    statuses = models.ManyToManyField(
        SupportStatusType, verbose_name=_("须同时具有的保障状态"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("风险等级建议规则")
        verbose_name_plural = _("风险等级建议规则")
        ordering = ["tier", "name"]

    def __str__(self):
        return f"{self.name} → {self.get_tier_display()}"

    def matches(self, *, age: int | None, status_codes: set[str], required: set[str]) -> bool:
        if self.min_age is not None and (age is None or age < self.min_age):
            return False
        return required <= status_codes

    @classmethod
    def suggest(cls, resident, on: datetime.date | None = None) -> "tuple[int, str] | tuple[None, str]":
        """(tier, rule name) of the highest tier any active rule gives the resident on the day."""
        on = on or timezone.localdate()
        codes = set(resident.support_statuses.in_force(on).values_list("kind__code", flat=True))
        age = resident.age(on)
        best = (None, "")
        for rule in cls.objects.filter(is_active=True).prefetch_related("statuses"):
            required = {kind.code for kind in rule.statuses.all()}
            if rule.matches(age=age, status_codes=codes, required=required) and (
                best[0] is None or rule.tier < best[0]
            ):
                best = (rule.tier, rule.name)
        return best


class VisitPlanQuerySet(ScopedQuerySet):
    # Through the plan's own copy of the resident's community (`VisitPlan.community`), not through the
    # resident: the dashboards group the city's 300,000 plans by station without reading the residents.
    station_lookup = "community__street__station"
    district_lookup = "community__street__district"

    def active(self):
        return self.filter(active=True)

    def due_by(self, day: datetime.date):
        return self.active().filter(next_due_on__lte=day)

    def overdue(self, today: datetime.date | None = None):
        return self.active().filter(next_due_on__lt=today or timezone.localdate())

    def route_order(self):
        """Overdue (earliest due) first, then by community and address (building) as a walking route."""
        return self.select_related("resident__community", "worker").order_by(
            "next_due_on", "resident__community__name", "resident__address", "resident__name", "pk"
        )


class VisitPlan(Versioned):
    """A resident in the visit programme: the tier, who visits, and when the next visit is due."""

    resident = models.OneToOneField(
        "residents.Resident", on_delete=models.CASCADE, related_name="visit_plan", verbose_name=_("居民")
    )
    # The resident's community, copied (the only path to the plan's station and district): set by save()
    # and moved with the resident (`follow_community`: Resident.save, the resident edit service and the
    # transfer service), so it never differs from `resident.community`.
    community = models.ForeignKey(
        "stations.Community", on_delete=models.PROTECT, related_name="+", editable=False
    )
    tier = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskTier.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任社工"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_plans",
    )
    active = models.BooleanField(_("在探访名单中"), default=True)
    enrolled_on = models.DateField(_("纳入日期"), default=timezone.localdate)
    last_visited_on = models.DateField(_("上次见到本人"), null=True, blank=True)
    next_due_on = models.DateField(_("下次探访日期"))
    failed_in_row = models.PositiveSmallIntegerField(_("连续未遇次数"), default=0)

    objects = VisitPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("探访计划")
        verbose_name_plural = _("探访计划")
        ordering = ["next_due_on"]
        indexes = [
            models.Index(fields=["next_due_on", "tier"], name="visit_plan_due_idx", condition=Q(active=True)),
            models.Index(fields=["worker", "next_due_on"], name="visit_plan_worker_due_idx"),
            # A station's or district's plans (dashboards, reports): its communities' slices.
            models.Index(
                fields=["community", "enrolled_on"], name="visit_plan_community_idx", condition=Q(active=True)
            ),
        ]

    def __str__(self):
        return f"{self.resident} · {self.get_tier_display()}"

    def save(self, *args, **kwargs):
        # Whoever saves the plan (a service, the admin changing its resident), the copy is the resident's.
        self.community_id = self.resident.community_id
        super().save(*args, **kwargs)

    # --- next-due arithmetic ---------------------------------------------------------------------
    @staticmethod
    def due_after_visit(visited_on: datetime.date, interval_days: int) -> datetime.date:
        return visited_on + datetime.timedelta(days=interval_days)

    @staticmethod
    def due_after_failed(tried_on: datetime.date, interval_days: int) -> datetime.date:
        return tried_on + datetime.timedelta(days=min(RETRY_DAYS, interval_days))

    def due_for_tier(self, interval_days: int) -> datetime.date:
        """After a tier change: the new interval counted from the last time the resident was seen. Never
        seen yet (due since enrolment), or a retry after a failed visit pending: no later than it was."""
        if self.last_visited_on is None:
            return self.next_due_on
        due = self.due_after_visit(self.last_visited_on, interval_days)
        return min(due, self.next_due_on) if self.failed_in_row else due

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.active and self.next_due_on < (today or timezone.localdate())

    def days_overdue(self, today: datetime.date | None = None) -> int:
        return max(0, ((today or timezone.localdate()) - self.next_due_on).days)


def follow_community(resident_ids) -> int:
    """After residents changed community: their plans' copy of it follows (one UPDATE), and the days of
    their visits are announced at the station they were counted under (the plan's old community's) and
    at the new one (`stations.figures.changed`: the daily rollup counts a visit under its resident's
    station). Returns the plans updated."""
    from residents.models.residents import Resident

    community = Resident.objects.filter(pk=models.OuterRef("resident_id")).values("community_id")[:1]
    plans = VisitPlan.objects.filter(resident_id__in=resident_ids).exclude(
        community_id=models.Subquery(community)
    )
    before = dict(plans.values_list("resident_id", "community__street__station"))
    updated = plans.update(community_id=models.Subquery(community))
    if before:
        after = dict(Resident.objects.filter(pk__in=before).values_list("pk", "community__street__station"))
        moved = {who: (station, after[who]) for who, station in before.items() if station != after[who]}
        days = Visit.objects.filter(resident_id__in=moved).values_list("resident_id", "visited_on").distinct()
        figures.changed(Visit, {(station, day) for who, day in days for station in moved[who]})
    return updated


def due_visits(on: datetime.date | None = None):
    """The plans whose visit is due on or before `on` (today): for the notifications layer's reminders.

    Not scoped (the caller sends each worker their own: filter by `worker`); ordered as the route."""
    return VisitPlan.objects.due_by(on or timezone.localdate()).route_order()


class RiskTierChangeQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = RESIDENT_STATION
    district_lookup = RESIDENT_DISTRICT


class RiskTierChange(AppendOnlyModel):
    """The history of a resident's tier: who set it, why, and what the rules suggested then."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with the resident
    append_only_label = "风险等级记录"

    resident = models.ForeignKey("residents.Resident", on_delete=models.CASCADE, related_name="tier_changes")
    tier = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskTier.choices)
    previous_tier = models.PositiveSmallIntegerField(
        _("原等级"), choices=RiskTier.choices, null=True, blank=True
    )
    suggested_tier = models.PositiveSmallIntegerField(
        _("规则建议"), choices=RiskTier.choices, null=True, blank=True
    )
    reason = models.CharField(_("评定理由"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = RiskTierChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险等级记录")
        verbose_name_plural = _("风险等级记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_tier_display()} {self.at:%Y-%m-%d}"


class VisitQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = RESIDENT_STATION
    district_lookup = RESIDENT_DISTRICT

    def seen(self):
        return self.filter(outcome=Visit.Outcome.SEEN)


class Visit(AppendOnlyModel):
    """探访: one visit (or attempt) to a resident in the programme; the log is append-only."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with the resident
    append_only_label = "探访记录"

    class Form(models.TextChoices):
        HOME = "home", _("入户")
        PHONE = "phone", _("电话")
        VIDEO = "video", _("视频")
        NEIGHBOUR = "neighbour", _("邻里代访")

    class Outcome(models.TextChoices):
        SEEN = "seen", _("已见到本人")
        NOBODY_HOME = "nobody_home", _("无人在家（未遇）")

    class Mood(models.TextChoices):
        GOOD = "good", _("良好")
        FAIR = "fair", _("一般")
        POOR = "poor", _("低落")

    # 按时: on or before the date it was due (a visit with no due date is on time); `on_time` per row.
    ON_TIME = Q(due_on__isnull=True) | Q(visited_on__lte=models.F("due_on"))

    resident = models.ForeignKey("residents.Resident", on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("探访日期"))
    due_on = models.DateField(_("应探访日期"), null=True, blank=True)
    form = models.CharField(_("探访方式"), max_length=10, choices=Form.choices, default=Form.HOME)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.SEEN)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("探访人"), on_delete=models.PROTECT, related_name="+"
    )
    volunteer_name = models.CharField(_("代访志愿者"), max_length=50, blank=True)
    health = models.CharField(_("身体状况"), max_length=200, blank=True)
    living_conditions = models.CharField(_("居住条件"), max_length=200, blank=True)
    safety_hazards = models.CharField(_("安全隐患"), max_length=200, blank=True)
    mood = models.CharField(_("精神状态"), max_length=6, choices=Mood.choices, blank=True)
    need_found = models.TextField(_("发现需求"), max_length=1000, blank=True)
    request = models.OneToOneField(
        "residents.Request",
        verbose_name=_("生成的诉求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit",
    )
    escalated = models.BooleanField(_("已升级处理"), default=False)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["resident", "visited_on"], name="visit_resident_idx"),
            models.Index(fields=["visited_on", "outcome"], name="visit_date_idx"),
        ]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.get_form_display()} {self.get_outcome_display()}"

    @property
    def on_time(self) -> bool:
        return self.due_on is None or self.visited_on <= self.due_on
