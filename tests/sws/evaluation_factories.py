"""Indicator sets and evaluations for the evaluation's tests and the access world."""

import datetime
from decimal import Decimal

from stations.models import User
from sws.models.evaluation import (
    Computation,
    Dimension,
    Evaluation,
    EvaluationEvent,
    Indicator,
    IndicatorSet,
    Rectification,
    Score,
    ServiceContract,
)
from tests import factories as f

C = Indicator.Kind.COMPUTED
S = Indicator.Kind.SCORED

# (dimension, weight, [(indicator, max score, computation or None, target)])
SMALL_SET = [
    (
        "服务执行与产出",
        "60",
        [
            ("诉求按期办结率", "10", Computation.REQUESTS_ON_TIME, "0.90"),
            ("回访满意率", "10", Computation.SATISFACTION, "0.80"),
            ("服务活动", "10", Computation.ACTIVITIES, "4"),
            ("志愿者参与", "5", Computation.VOLUNTEER_HOURS, "10"),
            ("年度实施方案完成度", "10", Computation.PLAN_COMPLETION, "1.00"),
        ],
    ),
    (
        "社会评价",
        "40",
        [
            ("探访覆盖率", "5", Computation.VISIT_COVERAGE, "0.90"),
            ("服务对象与社区评价", "20", None, None),
        ],
    ),
]


def make_indicator_set(year=2026, spec=SMALL_SET, **fields) -> IndicatorSet:
    indicator_set = IndicatorSet.objects.create(year=year, name=f"{year}年度社工站考核指标", **fields)
    for order, (name, weight, indicators) in enumerate(spec):
        dimension = Dimension.objects.create(
            indicator_set=indicator_set, name=name, weight=Decimal(weight), order=order
        )
        for position, (title, max_score, computation, target) in enumerate(indicators):
            Indicator.objects.create(
                dimension=dimension,
                name=title,
                max_score=Decimal(max_score),
                kind=C if computation else S,
                computation=computation or "",
                target=Decimal(target) if target else None,
                order=position,
            )
    return indicator_set


def make_large_set(year=2027, n=40) -> IndicatorSet:
    """`n` indicators in five dimensions (the bounded-queries test)."""
    names = ["行政管理", "财务管理", "服务执行与产出", "专业能力与督导", "社会评价"]
    spec = [
        (name, "20", [(f"{name}指标{i}", "2.5", None, None) for i in range(n // len(names))])
        for name in names
    ]
    return make_indicator_set(year, spec)


def make_evaluator(username="pg-evaluator", name="第三方评估员") -> User:
    return f.make_user(username, User.Role.EVALUATOR, name=name)


def make_contract(station, **fields) -> ServiceContract:
    defaults = {
        "organisation": "天津市北辰区益心社会工作服务中心",
        "credit_code": "52120113MJ0000001X",
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2026, 12, 31),
        "amount": Decimal("300000.00"),
        "target_cases": 10,
        "target_activities": 4,
        "target_visits": 50,
        "target_requests": 2,
    }
    return ServiceContract.objects.create(station=station, **{**defaults, **fields})


def bare_evaluation(station, indicator_set, opened_by, *, evaluators=(), start=None, end=None, **fields):
    """An evaluation written straight to the database (no computation): the access world's."""
    year = indicator_set.year
    evaluation = Evaluation.objects.create(
        station=station,
        indicator_set=indicator_set,
        period_start=start or datetime.date(year, 1, 1),
        period_end=end or datetime.date(year, 12, 31),
        opened_by=opened_by,
        **fields,
    )
    evaluation.evaluators.set(evaluators)
    for indicator in Indicator.objects.filter(dimension__indicator_set=indicator_set):
        Score.objects.create(evaluation=evaluation, indicator=indicator)
    EvaluationEvent.objects.create(
        evaluation=evaluation, actor=opened_by, action=EvaluationEvent.Action.OPENED
    )
    return evaluation


def make_rectification(evaluation, owner, due_on, **fields) -> Rectification:
    return Rectification.objects.create(
        evaluation=evaluation,
        owner=owner,
        due_on=due_on,
        description=fields.pop("description", "完善督导记录"),
        **fields,
    )
