"""The case (个案) itself: who it is for, who works it, where it stands; its parties, consent and timeline."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.permissions import is_case_supervisor
from residents.models import Request, Resident
from stations import access
from stations.append_only import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned
from stations.models import Station

REVIEW_INTERVAL = datetime.timedelta(days=90)  # a case review every 90 days while open


def readable_cases_q(user, prefix: str = "") -> Q | None:
    """The confidentiality rule as a filter on cases (`prefix` "case__" for a case's records), or None
    when `user` reads no case record at all (casework.permissions says who reads what)."""
    if not (user.is_authenticated and user.is_active):
        return None
    if access.is_station_head(user):
        return Q(**{f"{prefix}station_id": user.station_id})
    if access.is_station_user(user):
        own = (
            Q(**{f"{prefix}lead_worker": user})
            | Q(**{f"{prefix}co_worker": user})
            | Q(**{f"{prefix}shared_with": user})
        )
        return Q(**{f"{prefix}station_id": user.station_id}) & own
    if is_case_supervisor(user):
        return Q(**{f"{prefix}station__district_id": user.district_id})
    return None


class CaseScopedQuerySet(models.QuerySet):
    """Records of cases, read under the cases' confidentiality rule (not the station scope alone)."""

    case_prefix = "case__"

    def visible_to(self, user):
        condition = readable_cases_q(user, self.case_prefix)
        if condition is None:
            return self.none()
        # `shared_with` is a many-to-many: distinct keeps a case shared with two colleagues one row.
        return self.filter(condition).distinct() if access.is_station_user(user) else self.filter(condition)

    def editable_by(self, user):
        """Changes are the station's own work: its staff who may read the case (supervisors act through
        their own steps: sign-off, return, notes)."""
        if not access.is_station_user(user):
            return self.none()
        return self.visible_to(user)


class CaseQuerySet(CaseScopedQuerySet):
    case_prefix = ""

    def open(self):
        return self.exclude(stage__in=Case.ENDED_STAGES)


class Case(Versioned):
    """个案: a resident's situation worked through the casework stages by a lead worker."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("接案")
        ASSESSMENT = "assessment", _("预估")
        PLANNING = "planning", _("计划")
        INTERVENTION = "intervention", _("介入")
        EVALUATION = "evaluation", _("评估")
        CLOSING = "closing", _("结案审批")
        CLOSED = "closed", _("已结案")
        DECLINED = "declined", _("不予立案")

    class Source(models.TextChoices):
        REQUEST = "request", _("诉求转个案")
        COMMITTEE = "committee", _("居委会转介")
        HOTLINE = "hotline", _("12345热线")
        OUTREACH = "outreach", _("主动发现")
        DISTRICT = "district", _("区级派单")

    class Risk(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    ENDED_STAGES = (Stage.CLOSED, Stage.DECLINED)
    # Stages a case may move to; the services accept exactly these (and say which step does it).
    TRANSITIONS = {
        Stage.INTAKE: (Stage.ASSESSMENT, Stage.DECLINED),
        Stage.ASSESSMENT: (Stage.PLANNING,),
        Stage.PLANNING: (Stage.INTERVENTION, Stage.ASSESSMENT),
        Stage.INTERVENTION: (Stage.EVALUATION, Stage.PLANNING, Stage.ASSESSMENT),
        Stage.EVALUATION: (Stage.CLOSING, Stage.INTERVENTION),
        Stage.CLOSING: (Stage.CLOSED, Stage.EVALUATION),
        Stage.CLOSED: (Stage.ASSESSMENT,),  # reopened, with a reason
        Stage.DECLINED: (),
    }

    reference = models.CharField(_("个案编号"), max_length=30, unique=True)
    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="cases"
    )
    client = models.ForeignKey(
        Resident, verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="cases"
    )
    request = models.OneToOneField(
        Request,
        verbose_name=_("来源诉求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    presenting_problem = models.TextField(_("主要问题"), max_length=4000)
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主责社工"), on_delete=models.PROTECT, related_name="+"
    )
    co_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协同社工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("共享给"), blank=True, related_name="+"
    )
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.INTAKE)
    stage_since = models.DateTimeField(_("进入本阶段"), default=timezone.now)
    risk = models.CharField(_("风险等级"), max_length=6, choices=Risk.choices, default=Risk.LOW)
    sensitive = models.BooleanField(
        _("敏感个案"), default=False, help_text=_("如涉及未成年人保护、家庭暴力等，查看需敏感档案权限。")
    )
    eligible = models.BooleanField(_("符合立案条件"), null=True, blank=True)
    eligibility_note = models.TextField(_("立案评估说明"), blank=True, max_length=2000)
    declined_reason = models.TextField(_("不予立案原因"), blank=True, max_length=2000)
    opened_at = models.DateTimeField(_("接案时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    review_due_on = models.DateField(_("下次个案检视"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_at", "-pk"]
        permissions = [("supervise_case", "个案督导：审阅本区个案、签批结案")]
        indexes = [
            models.Index(fields=["station", "stage"], name="case_station_stage_idx"),
            models.Index(fields=["lead_worker", "stage"], name="case_lead_stage_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_stage_display()}"

    def get_absolute_url(self):
        return reverse("casework:case-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage not in self.ENDED_STAGES

    def can_move_to(self, stage) -> bool:
        return stage in self.TRANSITIONS[self.Stage(self.stage)]

    @property
    def needs_district_signoff(self) -> bool:
        """A high-risk case's or a minor's closure also needs the district supervisor's sign-off."""
        return self.risk == self.Risk.HIGH or self.client.is_minor

    @property
    def open_permission(self) -> str | None:
        """Beyond the confidentiality rule: a minor's or sensitive case needs the sensitive-records
        permission (`stations.access.may_open` asks)."""
        from residents.permissions import SENSITIVE_PERMISSION

        return SENSITIVE_PERMISSION if self.sensitive else self.client.open_permission

    def workers(self) -> set[int]:
        return {pk for pk in (self.lead_worker_id, self.co_worker_id) if pk}


class CaseParty(Versioned):
    """A person around the client: family member, guardian, neighbour (registered resident or free text).
    Versioned: the case's workers may edit the same person at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    resident = models.ForeignKey(
        Resident, verbose_name=_("居民"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    relation = models.CharField(_("与服务对象关系"), max_length=30)
    is_guardian = models.BooleanField(_("监护人"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("相关人员")
        verbose_name_plural = _("相关人员")

    def __str__(self):
        return f"{self.name or self.resident} ({self.relation})"


class CaseConsent(models.Model):
    """Informed consent to casework service (知情同意): who gave it, when, how."""

    class Method(models.TextChoices):
        SIGNED = "signed", _("签署书面知情同意书（扫描件）")
        VERBAL = "verbal", _("口头同意（有见证人）")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("同意人"), max_length=50)
    relation = models.CharField(_("与服务对象关系"), max_length=30, default="本人")
    given_on = models.DateField(_("同意日期"))
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    witness = models.CharField(_("见证人"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("知情同意")
        verbose_name_plural = _("知情同意")

    def __str__(self):
        return f"{self.given_by} {self.given_on}"


class CaseEventQuerySet(AppendOnlyQuerySet, CaseScopedQuerySet):
    pass


class CaseEvent(AppendOnlyModel):
    """One append-only entry on a case's timeline (each step, each supervision note)."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its case
    append_only_label = "个案记录"

    class Kind(models.TextChoices):
        OPENED = "opened", _("接案")
        ACCEPTED = "accepted", _("立案")
        DECLINED = "declined", _("不予立案")
        CONSENT = "consent", _("知情同意")
        ASSESSMENT = "assessment", _("预估")
        PLAN_SUBMITTED = "plan_submitted", _("计划提交")
        PLAN_APPROVED = "plan_approved", _("计划批准")
        PLAN_RETURNED = "plan_returned", _("计划退回")
        SERVICE = "service", _("服务记录")
        EVALUATION = "evaluation", _("评估")
        CLOSURE_REQUESTED = "closure_requested", _("申请结案")
        CLOSURE_APPROVED = "closure_approved", _("站长批准结案")
        CLOSURE_SIGNED = "closure_signed", _("区督导签批")
        CLOSURE_RETURNED = "closure_returned", _("结案退回")
        CLOSED = "closed", _("结案")
        FOLLOW_UP = "follow_up", _("结案回访")
        REOPENED = "reopened", _("重新开案")
        SUPERVISION = "supervision", _("督导意见")
        CONFERENCE = "conference", _("个案会议")
        TASK = "task", _("待办")
        WORKERS = "workers", _("社工变更")
        TRANSFER = "transfer", _("站间转移")
        REFERRAL = "referral", _("转介合作伙伴")
        NOTE = "note", _("备注")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_stage = models.CharField(max_length=12, choices=Case.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Case.Stage.choices, blank=True)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案记录")
        verbose_name_plural = _("个案记录")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at_idx"),
            # The dashboards' time per stage reads the period's stage moves (a few in a month among all
            # events): 17 ms → 1 ms for a district at 1,000,000 requests.
            models.Index(
                fields=["at"], name="caseevent_move_at_idx", condition=~Q(from_stage="") & ~Q(to_stage="")
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()}"


class CaseReferenceCounter(models.Model):
    """Per-station, per-year sequence of case references (GA-<station code>-<year>-<n>), counted as the
    requests' (`residents.services.next_in_sequence`); gaps are fine, duplicates are not."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("个案编号计数")
        verbose_name_plural = _("个案编号计数")
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="case_reference_counter_unique")
        ]

    def __str__(self):
        return f"{self.station_id}/{self.year}: {self.last_number}"
