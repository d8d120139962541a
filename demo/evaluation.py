"""Demo 考核评估: the 2026 indicator set, a service contract per station, 果园新村's evaluation in
progress (a third-party evaluator scoring) and 广开's finished one (approved, graded, with an overdue
rectification on 南开区's list)."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from stations.models import Station, User
from sws.evaluation import services
from sws.models.evaluation import Computation, Dimension, Evaluation, Indicator, IndicatorSet, ServiceContract

EVALUATOR = "pg-zhoumin"

# (dimension, weight, [(indicator, max score, computation or None, target)])
INDICATORS_2026 = [
    (
        "行政管理",
        "15",
        [
            ("站点制度上墙、台账规范", "8", None, None),
            ("驻站社工考勤与持证", "7", None, None),
        ],
    ),
    ("财务管理", "10", [("项目资金专款专用、票据齐全", "10", None, None)]),
    (
        "服务执行与产出",
        "45",
        [
            ("诉求按期办结率", "8", Computation.REQUESTS_ON_TIME, "0.90"),
            ("服务活动（次）", "8", Computation.ACTIVITIES, "40"),
            ("探访覆盖率", "8", Computation.VISIT_COVERAGE, "0.90"),
            ("个案目标完全达成率", "7", Computation.CASES_GOALS_MET, "0.60"),
            ("志愿者参与（服务时长，小时）", "7", Computation.VOLUNTEER_HOURS, "200"),
            ("年度实施方案完成度", "7", Computation.PLAN_COMPLETION, "1.00"),
        ],
    ),
    (
        "专业能力与督导",
        "15",
        [
            ("接受督导（次）", "8", Computation.SUPERVISION_SESSIONS, "6"),
            ("个案档案质量抽查", "7", None, None),
        ],
    ),
    (
        "社会评价",
        "15",
        [
            ("回访满意率", "8", Computation.SATISFACTION, "0.90"),
            ("街道、社区与居民评价", "7", None, None),
        ],
    ),
]


def seed(*, options, rng, out):
    indicator_set = _indicator_set()
    contracts = _contracts()
    out.write(
        f"  2026 indicator set: {Indicator.objects.filter(dimension__indicator_set=indicator_set).count()}"
    )
    out.write(f"  service contracts: {contracts}")
    evaluator = _evaluator(options)
    guoyuan = Station.objects.filter(streets__name="果园新村街道").first()
    guangkai = Station.objects.filter(streets__name="广开街道").first()
    if Evaluation.objects.exists() or guoyuan is None or guangkai is None:
        out.write("  evaluations: already there, or 果园新村/广开 not found")
        return
    _in_progress(guoyuan, indicator_set, evaluator)
    _finished(guangkai, indicator_set, evaluator)
    out.write(f"  evaluations: 果园新村 (scoring, evaluator {EVALUATOR}), 广开 (approved)")


def _indicator_set():
    indicator_set, created = IndicatorSet.objects.get_or_create(
        year=2026, defaults={"name": "社工站服务合同年度考核指标"}
    )
    if created:
        for order, (name, weight, indicators) in enumerate(INDICATORS_2026):
            dimension = Dimension.objects.create(
                indicator_set=indicator_set, name=name, weight=Decimal(weight), order=order
            )
            Indicator.objects.bulk_create(
                Indicator(
                    dimension=dimension,
                    name=title,
                    max_score=Decimal(top),
                    kind=Indicator.Kind.COMPUTED if code else Indicator.Kind.SCORED,
                    computation=code or "",
                    target=Decimal(target) if target else None,
                    order=i,
                )
                for i, (title, top, code, target) in enumerate(indicators)
            )
    return indicator_set


def _contracts() -> int:
    """One 2026 contract per station, with its operating organisation (bulk: the city's 249 stations)."""
    have = set(ServiceContract.objects.values_list("station_id", flat=True))
    rows = []
    for station in Station.objects.select_related("operator").exclude(pk__in=have).order_by("pk"):
        rows.append(
            ServiceContract(
                station=station,
                organisation=station.operator.name if station.operator_id else f"{station.name}运营机构",
                credit_code=f"52{station.code[:6]}MJ{station.pk:07d}X",
                number=f"ZFGM-2026-{station.pk:04d}",
                start_date=datetime.date(2026, 1, 1),
                end_date=datetime.date(2026, 12, 31),
                amount=Decimal("300000.00"),
                target_cases=12,
                target_activities=40,
                target_visits=300,
                target_requests=150,
            )
        )
    ServiceContract.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _evaluator(options):
    user, created = User.objects.get_or_create(
        username=EVALUATOR, defaults={"name": "周敏", "role": User.Role.EVALUATOR}
    )
    if created:
        user.password = make_password(options.get("password") or "sws-demo-2026")
        user.save(update_fields=["password"])
    return user


def _district_user(station):
    return (
        User.objects.filter(role=User.Role.DISTRICT_STAFF, district=station.district_id)
        .order_by("pk")
        .first()
    )


def _head(station):
    return User.objects.filter(role=User.Role.STATION_HEAD, station=station).order_by("pk").first()


def _open(station, indicator_set, evaluator, start, end):
    return services.open_evaluation(
        acting_user=_district_user(station),
        station=station,
        indicator_set=indicator_set,
        period_start=start,
        period_end=end,
        contract=station.service_contracts.order_by("-start_date").first(),
        evaluators=[evaluator],
    )


COMMENTS = {
    "站点制度上墙、台账规范": ("7", "制度上墙，台账按月归档；个别活动签到表缺页。"),
    "驻站社工考勤与持证": ("7", "两名驻站社工均在岗，站长持社会工作师证。"),
    "项目资金专款专用、票据齐全": ("9", "抽查票据20张，齐全规范。"),
    "个案档案质量抽查": ("6", "抽查个案5份，服务计划与评估完整，1份结案小结过简。"),
    "街道、社区与居民评价": ("6", "走访居民12户、社区书记2名，评价良好。"),
}


def _score_all(evaluation, evaluator, names):
    for score in evaluation.scores.select_related("indicator", "evaluation").filter(
        indicator__name__in=names
    ):
        value, comment = COMMENTS[score.indicator.name]
        services.score_indicator(
            acting_user=evaluator, score=score, value=value, comment=comment, version=score.version
        )


def _in_progress(station, indicator_set, evaluator):
    evaluation = _open(
        station, indicator_set, evaluator, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    )
    _score_all(evaluation, evaluator, ["站点制度上墙、台账规范", "项目资金专款专用、票据齐全"])


def _finished(station, indicator_set, evaluator):
    evaluation = _open(
        station, indicator_set, evaluator, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
    )
    _score_all(evaluation, evaluator, list(COMMENTS))
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    head = _head(station)
    score = evaluation.scores.select_related("indicator", "evaluation").get(
        indicator__name="个案档案质量抽查"
    )
    services.respond(
        acting_user=head,
        score=score,
        response="已补写结案小结，今后结案前由站长审核。",
        version=score.version,
    )
    services.submit_responses(acting_user=head, evaluation=evaluation, version=evaluation.version)
    district = _district_user(station)
    services.approve(
        acting_user=district,
        evaluation=evaluation,
        version=evaluation.version,
        conclusion="上半年服务合同执行基本到位，个案档案需加强。",
    )
    services.add_rectification(
        acting_user=district,
        evaluation=evaluation,
        description="补齐上半年个案结案小结并建立站长审核制度",
        owner=head,
        due_on=timezone.localdate() - datetime.timedelta(days=10),
    )
