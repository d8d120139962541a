"""Annual plans, their review workflow's events, and the reviewers' cached count of plans waiting."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models.common import StationScopedQuerySet
from stations.access import ScopedQuerySet
from stations.audit import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned
from stations.models import Station

# --- Annual implementation plans ---------------------------------------------------------------------


class AnnualPlanQuerySet(StationScopedQuerySet):
    def pending_review(self):
        return self.filter(status=AnnualPlan.Status.SUBMITTED)

    def pending_summary(self) -> dict:
        """{"count": plans waiting for review, "oldest": the earliest submission among them}: one query."""
        return self.pending_review().aggregate(count=Count("pk"), oldest=Min("submitted_at"))

    def with_list_columns(self):
        return self.select_related("station", "station__district")


# The reviewers' menu badge (待审批方案) is on every page they open: counted once per scope and kept in the
# cache until a plan is saved or deleted (any save starts a new generation, again when the transaction
# commits), so a page costs no query for it. The TTL bounds what another app process with a cache of its
# own may show; writes that bypass signals (bulk_create in the demo seeder) show within it.
PENDING_TTL = 5 * 60
_PENDING_GENERATION = "plans-pending:generation"


def _pending_cache():
    from django.core.cache import caches

    return caches["reference"]


def plans_changed():
    from django.db import transaction

    _pending_cache().set(_PENDING_GENERATION, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: _pending_cache().set(_PENDING_GENERATION, uuid.uuid4().hex, None))


def pending_plan_count(user) -> int:
    """How many plans `user` sees waiting for approval (AnnualPlan.objects.visible_to), cached per scope."""
    from stations.access import scope_key

    cache = _pending_cache()
    generation = cache.get(_PENDING_GENERATION)
    if generation is None:
        cache.add(_PENDING_GENERATION, uuid.uuid4().hex, None)
        generation = cache.get(_PENDING_GENERATION)
    key = f"plans-pending:{generation}:{scope_key(user)}"
    count = cache.get(key)
    if count is None:
        count = AnnualPlan.objects.visible_to(user).pending_summary()["count"]
        cache.set(key, count, PENDING_TTL)
    return count


FIRST_PLAN_YEAR = 2021  # the stations began in 2021: no plan is older


def validate_plan_year(year):
    """A plan's year: from 2021 to next year (a plan is written ahead for the coming year, no further).

    A function, not MaxValueValidator: the upper bound moves with the calendar, and a migration must not
    freeze the year it was made in. Migration 0003 refers to it by this name.
    """
    if year is None:
        return
    if year < FIRST_PLAN_YEAR:
        raise ValidationError(
            "年度不能早于%(first)s年（社工站%(first)s年起建设）。",
            code="plan_year_too_early",
            params={"first": FIRST_PLAN_YEAR},
        )
    latest = latest_plan_year()
    if year > latest:
        raise ValidationError(
            "年度不能晚于%(latest)s年：实施方案最多提前一年制定。",
            code="plan_year_too_late",
            params={"latest": latest},
        )


def latest_plan_year() -> int:
    return timezone.localdate().year + 1


class AnnualPlan(Versioned):
    """系统化实施方案: a station's targets for one year in five areas; actual progress is computed.

    Draft → submitted → approved by the district centre, or returned with a comment for another round.
    Editing is allowed only in draft or returned. Each step is a `PlanEvent` (who, when, comment).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批准")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_plan_year])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    # 1 发展社区志愿服务
    target_volunteer_teams = models.PositiveIntegerField(_("志愿服务队（个）"), null=True, blank=True)
    volunteer_text = models.TextField(_("发展社区志愿服务"), blank=True, max_length=4000)
    # 2 培育社区社会组织
    target_organisations = models.PositiveIntegerField(_("社区社会组织（个）"), null=True, blank=True)
    organisations_text = models.TextField(_("培育社区社会组织"), blank=True, max_length=4000)
    # 3 提升社区工作人员专业能力
    target_capacity_sessions = models.PositiveIntegerField(
        _("社区工作者能力提升活动（场次）"), null=True, blank=True
    )
    capacity_text = models.TextField(_("提升社区工作人员专业能力"), blank=True, max_length=4000)
    # 4 摸清民政服务基本底数
    target_registered_residents = models.PositiveIntegerField(_("建档居民（人）"), null=True, blank=True)
    baseline_text = models.TextField(_("摸清民政服务基本底数"), blank=True, max_length=4000)
    # 5 领办特色服务项目 (with the activities they bring)
    target_projects = models.PositiveIntegerField(_("特色服务项目（个）"), null=True, blank=True)
    target_activity_sessions = models.PositiveIntegerField(_("服务活动（场次）"), null=True, blank=True)
    target_person_times = models.PositiveIntegerField(_("服务人次（人次）"), null=True, blank=True)
    projects_text = models.TextField(_("领办特色服务项目"), blank=True, max_length=4000)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("审批意见"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AnnualPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("系统化实施方案")
        verbose_name_plural = _("系统化实施方案")
        ordering = ["-year", "station"]
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="plan_unique_station_year")]

    def __str__(self):
        return f"{self.station} {self.year}年度系统化实施方案"

    def get_absolute_url(self):
        return reverse("projects:plan-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        return datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)

    def progress(self):
        """Target vs actual per countable target; see `projects.progress.plan_progress`."""
        from projects.progress import plan_progress  # progress imports this module

        return plan_progress(self)


class PlanEventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "plan__station"
    district_lookup = "plan__station__district"


class PlanEvent(AppendOnlyModel):
    """One append-only step in a plan's life: created, edited, submitted, approved, returned."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its parent's deletion (cascade)
    append_only_label = "方案记录"

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        SUBMITTED = "submitted", _("提交审批")
        APPROVED = "approved", _("批准")
        RETURNED = "returned", _("退回")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见"), blank=True, max_length=2000)

    objects = PlanEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("方案记录")
        verbose_name_plural = _("方案记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
