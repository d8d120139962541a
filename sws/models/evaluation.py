"""The yearly evaluation of a station's service contract (考核评估) and the contract itself (政府购买服务).

An indicator set per year (admin-defined) has dimensions with weights, each with indicators that are either
computed from SWS data (a code of the fixed registry in `sws.evaluation.computations`) or scored by an
evaluator. An evaluation of one station and period carries one score per indicator, the station's
responses, rectification items (整改) and an append-only trail. The workflow is in `sws.evaluation.services`.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations import access
from stations.access import ScopedQuerySet
from stations.append_only import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned
from stations.models import Station
from sws.dashboards.periods import add_months

TWO = Decimal("0.01")


class Computation(models.TextChoices):
    """The fixed registry of computed indicators (their functions: `sws.evaluation.computations`)."""

    REQUESTS_ON_TIME = "requests_on_time", _("诉求按期办结率")
    SATISFACTION = "satisfaction", _("回访满意率")
    VISIT_COVERAGE = "visit_coverage", _("探访覆盖率")
    CASES_GOALS_MET = "cases_goals_met", _("个案目标完全达成率")
    ACTIVITIES = "activities", _("服务活动（次）")
    VOLUNTEER_HOURS = "volunteer_hours", _("志愿者参与（服务时长，小时）")
    SUPERVISION_SESSIONS = "supervision_sessions", _("接受督导（次）")
    PLAN_COMPLETION = "plan_completion", _("年度实施方案完成度")


# Computations whose value is a share (0–1): their targets are typed as percentages.
SHARE_COMPUTATIONS = {
    Computation.REQUESTS_ON_TIME,
    Computation.SATISFACTION,
    Computation.VISIT_COVERAGE,
    Computation.CASES_GOALS_MET,
    Computation.PLAN_COMPLETION,
}


class IndicatorSet(models.Model):
    """The indicators of one year's evaluations, with the grade thresholds (out of 100)."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    excellent_from = models.DecimalField(_("优秀（分及以上）"), max_digits=5, decimal_places=2, default=90)
    good_from = models.DecimalField(_("良好（分及以上）"), max_digits=5, decimal_places=2, default=80)
    pass_from = models.DecimalField(_("合格（分及以上）"), max_digits=5, decimal_places=2, default=60)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考核指标体系")
        verbose_name_plural = _("考核指标体系")

    def __str__(self):
        return f"{self.year}年 {self.name}"

    def clean(self):
        if not (self.excellent_from > self.good_from > self.pass_from >= 0):
            raise ValidationError(_("等级分数线须为：优秀 > 良好 > 合格 ≥ 0。"))

    def grade_for(self, total) -> str:
        if total is None:
            return ""
        if total >= self.excellent_from:
            return Evaluation.Grade.EXCELLENT
        if total >= self.good_from:
            return Evaluation.Grade.GOOD
        if total >= self.pass_from:
            return Evaluation.Grade.PASS
        return Evaluation.Grade.FAIL


class Dimension(models.Model):
    """A dimension (维度) of an indicator set, e.g. 服务执行与产出, with its weight in the total of 100."""

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("指标体系"), on_delete=models.CASCADE, related_name="dimensions"
    )
    name = models.CharField(_("维度"), max_length=50)
    weight = models.DecimalField(
        _("权重（分）"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["indicator_set", "order", "pk"]
        unique_together = [("indicator_set", "name")]
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")

    def __str__(self):
        return f"{self.indicator_set.year}年 {self.name}"


class Indicator(models.Model):
    class Kind(models.TextChoices):
        COMPUTED = "computed", _("系统计算")
        SCORED = "scored", _("评估员评分")

    dimension = models.ForeignKey(
        Dimension, verbose_name=_("维度"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("指标"), max_length=100)
    guidance = models.TextField(_("评分标准"), blank=True, max_length=2000)
    max_score = models.DecimalField(
        _("满分"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.SCORED)
    computation = models.CharField(_("计算口径"), max_length=30, choices=Computation.choices, blank=True)
    # The value that earns full marks (a share as 0.90 for 90%); below it the score is linear.
    target = models.DecimalField(
        _("满分目标值"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["dimension__order", "dimension_id", "order", "pk"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.COMPUTED:
            if not self.computation:
                raise ValidationError({"computation": _("系统计算的指标须选择计算口径。")})
            if not self.target:
                raise ValidationError({"target": _("系统计算的指标须填写大于0的满分目标值。")})
            if self.computation in SHARE_COMPUTATIONS and self.target > 1:
                raise ValidationError({"target": _("比率类指标的目标值以小数填写，例如 0.90 表示 90%。")})
        elif self.computation:
            raise ValidationError({"computation": _("评估员评分的指标不选计算口径。")})

    @property
    def is_share(self) -> bool:
        return self.computation in SHARE_COMPUTATIONS

    def score_for(self, value) -> Decimal:
        """The computed indicator's rule: the target or more earns the full marks, less is linear."""
        if value is None or not self.target:
            return Decimal("0.00")
        value = Decimal(str(value))
        if value >= self.target:
            return self.max_score
        return (self.max_score * max(value, Decimal(0)) / self.target).quantize(TWO, ROUND_HALF_UP)


def weighted_points(weight, got, possible) -> Decimal:
    """A dimension's points: weight × got ÷ possible, to the cent, half up. The one rounding rule: the
    total is the sum of these rounded points, so the dimension rows on the page add up to the total."""
    if not possible:
        return Decimal("0.00")
    return (Decimal(weight) * Decimal(got) / Decimal(possible)).quantize(TWO, ROUND_HALF_UP)


class EvaluatorScopedQuerySet(ScopedQuerySet):
    """Scoped like station records, and an evaluator sees what hangs off the evaluations she is appointed
    to (`evaluators_lookup`: the path to the evaluation's evaluators)."""

    evaluators_lookup = "evaluators"

    def visible_to(self, user):
        if access.is_evaluator(user):
            return self.filter(**{self.evaluators_lookup: user})
        return super().visible_to(user)


class ServiceContractQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"


class ServiceContract(models.Model):
    """A government purchase-of-service contract (政府购买服务) running a station, with its yearly
    deliverables (targets), tracked against actuals by the same computations as the evaluation."""

    credit_code_validator = RegexValidator(
        r"^[0-9A-HJ-NPQRTUWXY]{18}$", _("统一社会信用代码为18位数字或大写字母。")
    )

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="service_contracts"
    )
    organisation = models.CharField(_("运营机构"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[credit_code_validator])
    number = models.CharField(_("合同编号"), max_length=50, blank=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"))
    amount = models.DecimalField(
        _("合同金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    target_cases = models.PositiveIntegerField(_("个案（个/年）"), default=0)
    target_activities = models.PositiveIntegerField(_("服务活动（次/年）"), default=0)
    target_visits = models.PositiveIntegerField(_("探访（次/年）"), default=0)
    target_requests = models.PositiveIntegerField(_("办结诉求（件/年）"), default=0)

    objects = ServiceContractQuerySet.as_manager()

    class Meta:
        ordering = ["station", "-start_date"]
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同（政府购买服务）")

    def __str__(self):
        return f"{self.organisation} · {self.station} · {self.start_date:%Y-%m-%d}至{self.end_date:%Y-%m-%d}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("截止日期不能早于起始日期。")})

    # (target field, label, the figure of `sws.evaluation.computations.deliverable_actuals`)
    DELIVERABLES = [
        ("target_cases", "个案（新开，个）", "cases"),
        ("target_activities", "服务活动（次）", "activities"),
        ("target_visits", "探访（见面，次）", "visits"),
        ("target_requests", "办结诉求（件）", "requests"),
    ]


class EvaluationQuerySet(EvaluatorScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"

    def touching_month(self, year: int, month: int):
        """Evaluations whose period touches the month."""
        first = datetime.date(year, month, 1)
        return self.filter(period_start__lt=add_months(first, 1), period_end__gte=first)


class Evaluation(Versioned):
    """One station's evaluation for a period: opened by its district centre, scored, answered by the
    station, approved and locked with a total and a grade."""

    class Status(models.TextChoices):
        SCORING = "scoring", _("评分中")
        STATION_REVIEW = "station_review", _("站点反馈中")
        DISTRICT_REVIEW = "district_review", _("待区级审定")
        APPROVED = "approved", _("已审定")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="evaluations"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("指标体系"), on_delete=models.PROTECT, related_name="evaluations"
    )
    contract = models.ForeignKey(
        ServiceContract,
        verbose_name=_("服务合同"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
    )
    period_start = models.DateField(_("考核期间起"))
    period_end = models.DateField(_("考核期间止"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SCORING)
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("第三方评估员"), blank=True, related_name="evaluations"
    )
    # The months the computed values were taken from: [{"year", "month", "locked"}] (sources.month_figures).
    months = models.JSONField(_("取数月份"), default=list, blank=True)
    # The contract's deliverables' actuals, measured with the computed values ({"cases": n, …}).
    actuals = models.JSONField(_("合同指标完成数"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    conclusion = models.TextField(_("评估结论"), blank=True, max_length=4000)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "station"]
        verbose_name = _("考核评估")
        verbose_name_plural = _("考核评估")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="evaluation_period_order"
            ),
            # The backstop when two people open the same evaluation at once (services.open_evaluation
            # checks overlaps first and turns this into a message).
            models.UniqueConstraint(
                fields=["station", "period_start", "period_end"], name="one_evaluation_per_station_period"
            ),
        ]

    def __str__(self):
        return f"{self.station} {self.period_label}考核评估"

    @property
    def period_label(self) -> str:
        if (self.period_start.month, self.period_start.day, self.period_end.month, self.period_end.day) == (
            1,
            1,
            12,
            31,
        ) and self.period_start.year == self.period_end.year:
            return f"{self.period_start.year}年度"
        return f"{self.period_start:%Y-%m-%d}至{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class ScoreQuerySet(EvaluatorScopedQuerySet):
    station_lookup = "evaluation__station"
    district_lookup = "evaluation__station__district"
    evaluators_lookup = "evaluation__evaluators"


class Score(Versioned):
    """One indicator's score in one evaluation: computed (with the measured value) or given by an
    evaluator (with comments and evidence), and the station's response."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    measured = models.DecimalField(_("实际值"), max_digits=14, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评分说明"), blank=True, max_length=2000)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    response = models.TextField(_("站点反馈"), blank=True, max_length=2000)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "indicator__dimension__order", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator"], name="one_score_per_indicator")
        ]
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")

    def __str__(self):
        return f"{self.evaluation} · {self.indicator}"


class RectificationQuerySet(EvaluatorScopedQuerySet):
    station_lookup = "evaluation__station"
    district_lookup = "evaluation__station__district"
    evaluators_lookup = "evaluation__evaluators"

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.exclude(status=Rectification.Status.CLOSED).filter(due_on__lt=today)


class Rectification(Versioned):
    """A rectification item (整改) of an evaluation: what the station must fix, its owner (a station user)
    and due date; the owner reports it done with evidence, the district closes it (or sends it back)."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        DONE = "done", _("已报整改完成")
        CLOSED = "closed", _("已销号")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="rectifications")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("相关指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField(_("整改事项"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    report = models.TextField(_("整改情况"), blank=True, max_length=2000)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="rectification_status_due")]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")

    def __str__(self):
        return self.description[:40]

    def is_overdue(self, today=None) -> bool:
        return self.status != self.Status.CLOSED and self.due_on < (today or timezone.localdate())


class EvaluationEventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "evaluation__station"
    district_lookup = "evaluation__station__district"


class EvaluationEvent(AppendOnlyModel):
    """One append-only step of an evaluation's trail (who, when, what)."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its evaluation (cascade)
    append_only_label = "评估记录"

    class Action(models.TextChoices):
        OPENED = "opened", _("发起评估")
        COMPUTED = "computed", _("计算系统指标")
        SCORED = "scored", _("评分")
        SENT = "sent", _("提交站点反馈")
        RESPONDED = "responded", _("站点反馈")
        SUBMITTED = "submitted", _("站点提交反馈")
        RETURNED = "returned", _("退回重新评分")
        APPROVED = "approved", _("审定并锁定")
        RECTIFICATION_ADDED = "rect_added", _("提出整改")
        RECTIFICATION_REPORTED = "rect_reported", _("报告整改完成")
        RECTIFICATION_CLOSED = "rect_closed", _("整改销号")
        RECTIFICATION_REOPENED = "rect_reopened", _("整改退回")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True, max_length=2000)

    objects = EvaluationEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("评估记录")
        verbose_name_plural = _("评估记录")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
