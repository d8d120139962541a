"""The evaluation cycle: each step a function taking the acting user, checking her (`rules`), writing
with a version check, adding the trail's event and telling whoever acts next (`notifications.dispatch`)
in one transaction. A refused step raises PermissionDenied (not hers) or ValidationError (the state or
the input, with a Chinese message).

    scoring ──send──▶ station_review ──submit──▶ district_review ──approve──▶ approved (locked)
       ▲                    │                          │
       └──────return────────┴──────────return──────────┘
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import recipients
from notifications.dispatch import notify
from notifications.events import Event
from stations import access
from stations.locking import update_versioned
from stations.models import Station, User
from sws.evaluation import computations, rules
from sws.models.evaluation import (
    TWO,
    Evaluation,
    EvaluationEvent,
    Indicator,
    Rectification,
    Score,
    weighted_points,
)

OVERLAP_MESSAGE = "该社工站在这一期间已有考核评估。"
MOVED_MESSAGE = "该考核评估已被他人推进到下一步，本次操作未保存，请刷新页面后重试。"


def _hold(evaluation, status) -> None:
    """Refuse unless the evaluation is still at `status` in the database, and keep it there until the
    caller's transaction ends: the conditional UPDATE takes the row's lock, so a concurrent step (send,
    return) waits for this one, and one that came first makes this one fail instead of landing after it.
    """
    if not Evaluation.objects.filter(pk=evaluation.pk, status=status).update(status=status):
        raise ValidationError(MOVED_MESSAGE, code="moved")


def _context(evaluation) -> dict:
    return {
        "station": evaluation.station.name,
        "period": evaluation.period_label,
        "grade": evaluation.get_grade_display(),
        "total": evaluation.total if evaluation.total is not None else "",
    }


def _tell(event, evaluation, people, acting_user, target=None):
    """The step's message to whoever acts next, in the step's transaction (the outbox's rule)."""
    notify(
        event,
        recipients=list(people),
        target=target or f"evaluation:{evaluation.pk}:{evaluation.version}",
        url=evaluation.get_absolute_url(),
        context=_context(evaluation),
        station=evaluation.station,
        actor=acting_user,
    )


def _event(evaluation, actor, action, note=""):
    EvaluationEvent.objects.create(evaluation=evaluation, actor=actor, action=action, note=note)


def _fill_computed(evaluation, today=None) -> None:
    """Measure the computed indicators and store their values and scores, and the deliverables' actuals."""
    measured = computations.measure(evaluation.station, evaluation.period_start, evaluation.period_end, today)
    scores = list(
        evaluation.scores.select_related("indicator").filter(indicator__kind=Indicator.Kind.COMPUTED)
    )
    for score in scores:
        value = measured.values.get(score.indicator.computation)
        score.measured = value
        score.value = score.indicator.score_for(value)
        score.scored_by, score.scored_at = None, timezone.now()
        score.version += 1
    Score.objects.bulk_update(scores, ["measured", "value", "scored_by", "scored_at", "version"])
    evaluation.months = measured.months
    evaluation.actuals = measured.actuals
    evaluation.computed_at = timezone.now()


def _overlapping(station, period_start, period_end) -> bool:
    return Evaluation.objects.filter(
        station=station, period_start__lte=period_end, period_end__gte=period_start
    ).exists()


def open_evaluation(
    *,
    acting_user,
    station,
    indicator_set,
    period_start,
    period_end,
    contract=None,
    evaluators=(),
    today=None,
) -> Evaluation:
    """The district centre opens an evaluation of one of its stations; the computed indicators fill
    themselves."""
    if not rules.may_open_for(acting_user, station):
        raise PermissionDenied
    if period_end < period_start:
        raise ValidationError("考核期间的结束日期不能早于开始日期。", code="period")
    if contract is not None and contract.station_id != station.pk:
        raise ValidationError("所选服务合同不属于该社工站。", code="contract")
    evaluators = list(evaluators)
    if any(not access.is_evaluator(user) for user in evaluators):
        raise ValidationError("只能指定第三方评估员账号。", code="evaluators")
    indicators = list(Indicator.objects.filter(dimension__indicator_set=indicator_set))
    if not indicators:
        raise ValidationError("该指标体系还没有考核指标。", code="indicators")
    try:
        with transaction.atomic():
            # Opens of one station wait for each other here (on PostgreSQL), so the overlap check below
            # sees an evaluation opened a moment ago; the unique constraint is the backstop (SQLite).
            Station.objects.select_for_update().filter(pk=station.pk).first()
            if _overlapping(station, period_start, period_end):
                raise ValidationError(OVERLAP_MESSAGE, code="overlap")
            evaluation = Evaluation.objects.create(
                station=station,
                indicator_set=indicator_set,
                contract=contract,
                period_start=period_start,
                period_end=period_end,
                opened_by=acting_user,
            )
            evaluation.evaluators.set(evaluators)
            Score.objects.bulk_create([Score(evaluation=evaluation, indicator=i) for i in indicators])
            _event(evaluation, acting_user, EvaluationEvent.Action.OPENED, evaluation.period_label)
            _fill_computed(evaluation, today)
            evaluation.save(update_fields=["months", "actuals", "computed_at"])
            _event(evaluation, acting_user, EvaluationEvent.Action.COMPUTED)
            _tell(
                Event.EVALUATION_OPENED,
                evaluation,
                recipients.station_heads(station.pk),
                acting_user,
                target=f"evaluation:{evaluation.pk}",
            )
    except IntegrityError:
        # The same evaluation opened by someone else at the same moment (a double click, two colleagues).
        raise ValidationError(OVERLAP_MESSAGE, code="overlap") from None
    return evaluation


def recompute(*, acting_user, evaluation, version, today=None) -> Evaluation:
    """Measure the computed indicators again (while scoring: new data, or months since locked)."""
    access.require(rules.may_score, acting_user, evaluation)
    with transaction.atomic():
        update_versioned(evaluation, version)
        _fill_computed(evaluation, today)
        evaluation.save(update_fields=["months", "actuals", "computed_at"])
        _event(evaluation, acting_user, EvaluationEvent.Action.COMPUTED)
    return evaluation


def _decimal_score(value, indicator) -> Decimal:
    try:
        value = Decimal(str(value).strip()).quantize(TWO, ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValidationError("请填写有效的分数。", code="value") from None
    if not value.is_finite() or value < 0 or value > indicator.max_score:
        top = f"{indicator.max_score:.2f}".rstrip("0").rstrip(".")
        raise ValidationError(f"得分须在 0 至 {top} 之间。", code="value")
    return value


def score_indicator(*, acting_user, score, value, comment, version) -> Score:
    """An appointed evaluator (or the district centre) scores an indicator that is not computed."""
    evaluation = score.evaluation
    access.require(rules.may_score, acting_user, evaluation)
    if score.indicator.kind != Indicator.Kind.SCORED:
        raise ValidationError("系统计算的指标不能人工评分。", code="computed")
    value = _decimal_score(value, score.indicator)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("请填写评分说明。", code="comment")
    with transaction.atomic():
        _hold(evaluation, Evaluation.Status.SCORING)
        update_versioned(
            score, version, value=value, comment=comment, scored_by=acting_user, scored_at=timezone.now()
        )
        _event(evaluation, acting_user, EvaluationEvent.Action.SCORED, f"{score.indicator.name}：{value}分")
    return score


def send_to_station(*, acting_user, evaluation, version) -> Evaluation:
    """Scoring done: the station sees the draft and responds."""
    access.require(rules.may_send, acting_user, evaluation)
    missing = evaluation.scores.filter(indicator__kind=Indicator.Kind.SCORED, value__isnull=True).count()
    if missing:
        raise ValidationError(f"还有{missing}项指标未评分，不能提交站点反馈。", code="unscored")
    with transaction.atomic():
        update_versioned(evaluation, version, status=Evaluation.Status.STATION_REVIEW)
        _event(evaluation, acting_user, EvaluationEvent.Action.SENT)
        _tell(Event.EVALUATION_SENT, evaluation, recipients.station_heads(evaluation.station_id), acting_user)
    return evaluation


def respond(*, acting_user, score, response, version) -> Score:
    """The station head answers one indicator's score."""
    access.require(rules.may_respond, acting_user, score.evaluation)
    response = (response or "").strip()
    if not response:
        raise ValidationError("请填写反馈意见。", code="response")
    with transaction.atomic():
        _hold(score.evaluation, Evaluation.Status.STATION_REVIEW)
        update_versioned(
            score, version, response=response, responded_by=acting_user, responded_at=timezone.now()
        )
        _event(score.evaluation, acting_user, EvaluationEvent.Action.RESPONDED, score.indicator.name)
    return score


def submit_responses(*, acting_user, evaluation, version) -> Evaluation:
    """The station head hands the draft and her responses to the district centre."""
    access.require(rules.may_respond, acting_user, evaluation)
    with transaction.atomic():
        update_versioned(evaluation, version, status=Evaluation.Status.DISTRICT_REVIEW)
        _event(evaluation, acting_user, EvaluationEvent.Action.SUBMITTED)
        people = [
            *recipients.district_centre(evaluation.station.district_id),
            *evaluation.evaluators.filter(is_active=True).order_by("pk"),
        ]
        _tell(Event.EVALUATION_RESPONDED, evaluation, people, acting_user)
    return evaluation


def return_for_scoring(*, acting_user, evaluation, version, note) -> Evaluation:
    access.require(rules.may_return, acting_user, evaluation)
    note = (note or "").strip()
    if not note:
        raise ValidationError("退回时须填写意见。", code="note")
    with transaction.atomic():
        update_versioned(evaluation, version, status=Evaluation.Status.SCORING)
        _event(evaluation, acting_user, EvaluationEvent.Action.RETURNED, note)
    return evaluation


def total_of(evaluation) -> Decimal:
    """Σ over dimensions of their points (`weighted_points`: weight × scored ÷ possible, to the cent): out
    of the weights' sum (100), the same figures the page's dimension rows show."""
    by_dimension: dict[int, list] = {}
    for score in evaluation.scores.select_related("indicator__dimension"):
        dimension = score.indicator.dimension
        row = by_dimension.setdefault(dimension.pk, [dimension.weight, Decimal(0), Decimal(0)])
        row[1] += score.value or 0
        row[2] += score.indicator.max_score
    return sum((weighted_points(*row) for row in by_dimension.values()), Decimal("0.00"))


def approve(*, acting_user, evaluation, version, conclusion="") -> Evaluation:
    """The district centre approves: the total and the grade are fixed and the evaluation is locked
    (nothing is computed again; later data does not change it)."""
    access.require(rules.may_approve, acting_user, evaluation)
    with transaction.atomic():
        total = total_of(evaluation)
        update_versioned(
            evaluation,
            version,
            status=Evaluation.Status.APPROVED,
            total=total,
            grade=evaluation.indicator_set.grade_for(total),
            approved_at=timezone.now(),
            conclusion=(conclusion or "").strip(),
        )
        _event(
            evaluation,
            acting_user,
            EvaluationEvent.Action.APPROVED,
            f"总分{total}，{evaluation.get_grade_display()}",
        )
        _tell(
            Event.EVALUATION_APPROVED,
            evaluation,
            recipients.station_heads(evaluation.station_id),
            acting_user,
        )
    return evaluation


def add_rectification(
    *, acting_user, evaluation, description, owner, due_on, indicator=None
) -> Rectification:
    """The district centre names what the station must fix, its owner (a user of the station) and due date."""
    access.require(rules.may_add_rectification, acting_user, evaluation)
    description = (description or "").strip()
    if not description:
        raise ValidationError("请填写整改事项。", code="description")
    if not (
        isinstance(owner, User)
        and access.is_station_user(owner)
        and owner.is_active
        and owner.station_id == evaluation.station_id
    ):
        raise ValidationError("责任人须为该社工站的工作人员。", code="owner")
    if due_on is None:
        raise ValidationError("请填写整改期限。", code="due_on")
    if indicator is not None and indicator.dimension.indicator_set_id != evaluation.indicator_set_id:
        raise ValidationError("所选指标不属于本次评估。", code="indicator")
    with transaction.atomic():
        item = Rectification.objects.create(
            evaluation=evaluation, indicator=indicator, description=description, owner=owner, due_on=due_on
        )
        _event(evaluation, acting_user, EvaluationEvent.Action.RECTIFICATION_ADDED, description[:200])
        notify(
            Event.RECTIFICATION_ASSIGNED,
            recipients=[owner],
            target=f"rectification:{item.pk}",
            url=evaluation.get_absolute_url(),
            context={**_context(evaluation), "due": f"{due_on:%Y-%m-%d}"},
            station=evaluation.station,
            actor=acting_user,
        )
    return item


def report_rectification(*, acting_user, rectification, report, version) -> Rectification:
    access.require(rules.may_report, acting_user, rectification)
    report = (report or "").strip()
    if not report:
        raise ValidationError("请填写整改情况。", code="report")
    with transaction.atomic():
        update_versioned(
            rectification,
            version,
            status=Rectification.Status.DONE,
            report=report,
            reported_at=timezone.now(),
        )
        _event(
            rectification.evaluation,
            acting_user,
            EvaluationEvent.Action.RECTIFICATION_REPORTED,
            rectification.description[:200],
        )
    return rectification


def decide_rectification(*, acting_user, rectification, version, close: bool, note="") -> Rectification:
    """The district closes a reported item (销号) or sends it back with a note."""
    access.require(rules.may_decide, acting_user, rectification)
    note = (note or "").strip()
    if not close and not note:
        raise ValidationError("退回整改时须填写意见。", code="note")
    with transaction.atomic():
        if close:
            update_versioned(
                rectification, version, status=Rectification.Status.CLOSED, closed_at=timezone.now()
            )
            action = EvaluationEvent.Action.RECTIFICATION_CLOSED
        else:
            update_versioned(rectification, version, status=Rectification.Status.OPEN)
            action = EvaluationEvent.Action.RECTIFICATION_REOPENED
        _event(
            rectification.evaluation, acting_user, action, f"{rectification.description[:100]} {note}".strip()
        )
    return rectification
