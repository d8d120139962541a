"""考核评估 (issue #22): computed indicators against the hand-built data set (tests/sws/conftest.py),
the cycle's steps and who may take each, the lock, rectifications, and the pages' query bounds.

The period is February–March 2026, the clock 2026-04-10. 果园新村 in those months (conftest.py):
resolved 3 (all in March), 2 on time → 2/3; follow-ups rated 2, satisfied 1 → 1/2; activities 3 (02-28,
03-01, 03-31; 04-01 is out); plan completion 75 % as of 31 March. Volunteer service HOURS set here
(`year`): 王秀英 2.5 h on 02-28 and 4 h on 03-01, 李建国 3 h on 03-31, a team's 1.5 h given as a resource on
03-01 → 11.0; out: 王秀英's 20 h on 04-01, 集贤里's 6 h in March, and the activities' volunteer person-times
(5 + 8 = 13, the old measure). Supervision: 2 sessions in the period, 1 in April (out).

Scores (SMALL_SET): on time 10 × 0.6667 / 0.90 = 7.41; satisfaction 10 × 0.5 / 0.8 = 6.25; activities
10 × 3/4 = 7.50; volunteers 11.0 h ≥ 10 → 5; plan 10 × 0.75 = 7.50; visit coverage: no visit programme → 0.
服务执行与产出 (weight 60): 33.66 / 45 → 44.88; 社会评价 (weight 40): the evaluator's 18 of 25 → 28.80.
Total 73.68 → 合格 (60 ≤ 73.68 < 80).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casework.models import SupervisionSession
from partners.models import Partner, ResourceUse
from projects.models import Activity
from stations.locking import StaleVersionError
from sws.evaluation import computations, services
from sws.models.evaluation import Computation, Evaluation, EvaluationEvent, Indicator, Rectification
from tests.partners import factories as partner_factories
from tests.projects import factories as pjf
from tests.sws import evaluation_factories as ef
from tests.sws import factories as sf

FEB_1, MAR_31 = datetime.date(2026, 2, 1), datetime.date(2026, 3, 31)


def _activity(station, day):
    return Activity.objects.filter(station=station, date=day).first() or sf.make_activity(station, day)


@pytest.fixture
def year(dataset, guoyuan, jixianli, district_user):
    # Person-times (the old measure) that must not count: 5 + 8 in the period.
    Activity.objects.filter(station=guoyuan, date=datetime.date(2026, 2, 28)).update(volunteers=5)
    Activity.objects.filter(station=guoyuan, date=datetime.date(2026, 3, 1)).update(volunteers=8)
    Activity.objects.filter(station=guoyuan, date=datetime.date(2026, 4, 1)).update(volunteers=100)
    wang = pjf.make_volunteer(guoyuan, name="王秀英")
    li = pjf.make_volunteer(guoyuan, name="李建国")
    pjf.make_hours(wang, "2.5", activity=_activity(guoyuan, datetime.date(2026, 2, 28)))
    pjf.make_hours(wang, "4", activity=_activity(guoyuan, datetime.date(2026, 3, 1)))
    pjf.make_hours(li, "3", activity=_activity(guoyuan, datetime.date(2026, 3, 31)))
    pjf.make_hours(wang, "20", activity=_activity(guoyuan, datetime.date(2026, 4, 1)))  # April: out
    other = pjf.make_volunteer(jixianli, name="赵敏")
    pjf.make_hours(other, "6", activity=sf.make_activity(jixianli, datetime.date(2026, 3, 10)))  # not ours
    ResourceUse.objects.create(
        station=guoyuan,
        partner=partner_factories.make_partner(
            guoyuan, name="爱心扫把志愿服务队", kind=Partner.Kind.VOLUNTEER_TEAM
        ),
        activity=_activity(guoyuan, datetime.date(2026, 3, 1)),
        kind=ResourceUse.Kind.HOURS,
        hours=Decimal("1.5"),
        date=datetime.date(2026, 3, 1),
        created_by=district_user,
    )
    for day in (datetime.date(2026, 2, 10), datetime.date(2026, 3, 12), datetime.date(2026, 4, 2)):
        SupervisionSession.objects.create(
            district=guoyuan.district,
            station=guoyuan,
            supervisor=district_user,
            date=day,
            form="individual",
            topics="督导",
        )
    return dataset


@pytest.fixture
def evaluator(db):
    return ef.make_evaluator()


@pytest.fixture
def evaluation(year, guoyuan, district_user, evaluator):
    indicator_set = ef.make_indicator_set(2026)
    return services.open_evaluation(
        acting_user=district_user,
        station=guoyuan,
        indicator_set=indicator_set,
        period_start=FEB_1,
        period_end=MAR_31,
        contract=ef.make_contract(guoyuan),
        evaluators=[evaluator],
    )


def _score(evaluation, name):
    return evaluation.scores.select_related("indicator", "evaluation").get(indicator__name=name)


def _scored(evaluation, evaluator, value="18"):
    score = _score(evaluation, "服务对象与社区评价")
    return services.score_indicator(
        acting_user=evaluator,
        score=score,
        value=value,
        comment="走访居民12户，评价较好",
        version=score.version,
    )


def test_the_computations_over_the_hand_built_months(year, guoyuan):
    measured = computations.measure(guoyuan, FEB_1, MAR_31)
    values = measured.values
    assert values[Computation.REQUESTS_ON_TIME] == Decimal("0.6667")
    assert values[Computation.SATISFACTION] == Decimal("0.5000")
    assert values[Computation.ACTIVITIES] == 3
    assert values[Computation.VOLUNTEER_HOURS] == Decimal("11.0")  # hours, not the 13 person-times
    assert values[Computation.SUPERVISION_SESSIONS] == 2
    assert values[Computation.PLAN_COMPLETION] == Decimal("0.7500")
    assert values[Computation.VISIT_COVERAGE] is None  # nobody in the visit programme
    assert values[Computation.CASES_GOALS_MET] is None  # no goal judged
    assert measured.actuals == {"cases": 0, "activities": 3, "visits": 0, "requests": 3}
    assert measured.months == [
        {"year": 2026, "month": 2, "locked": False},
        {"year": 2026, "month": 3, "locked": False},
    ]


def test_an_approved_month_is_read_from_its_locked_snapshot(year, guoyuan, worker, district_user):
    """March approved (locked): an activity added to March afterwards (as an admin may) changes the live
    report but not what the evaluation reads; February, not approved, is read live."""
    from sws.reports import cycle

    march = cycle.report_for(month=datetime.date(2026, 3, 1), station=guoyuan)
    march = cycle.submit_report(acting_user=worker, report=march, highlights="亮点")
    cycle.approve_report(acting_user=district_user, report=march, version=march.version)
    sf.make_activity(guoyuan, datetime.date(2026, 3, 15))
    sf.make_activity(guoyuan, datetime.date(2026, 2, 15))
    measured = computations.measure(guoyuan, FEB_1, MAR_31)
    assert measured.months == [
        {"year": 2026, "month": 2, "locked": False},
        {"year": 2026, "month": 3, "locked": True},
    ]
    assert measured.values[Computation.ACTIVITIES] == 4  # 3 as approved/seeded + February's new one


def test_opening_fills_the_computed_scores(evaluation):
    expected = {
        "诉求按期办结率": ("0.6667", "7.41"),
        "回访满意率": ("0.5000", "6.25"),
        "服务活动": ("3", "7.50"),
        "志愿者参与": ("11.0", "5.00"),
        "年度实施方案完成度": ("0.7500", "7.50"),
    }
    for name, (measured, value) in expected.items():
        score = _score(evaluation, name)
        assert (score.measured, score.value) == (Decimal(measured), Decimal(value)), name
    coverage = _score(evaluation, "探访覆盖率")
    assert coverage.measured is None and coverage.value == 0
    assert _score(evaluation, "服务对象与社区评价").value is None
    assert [e.action for e in evaluation.events.all()] == ["opened", "computed"]
    assert evaluation.status == Evaluation.Status.SCORING


def test_the_whole_cycle_to_a_locked_grade(evaluation, evaluator, worker, district_user):
    _scored(evaluation, evaluator)
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    score = _score(evaluation, "回访满意率")
    services.respond(
        acting_user=worker, score=score, response="2月回访未及时，已整改。", version=score.version
    )
    services.submit_responses(acting_user=worker, evaluation=evaluation, version=evaluation.version)
    assert evaluation.status == Evaluation.Status.DISTRICT_REVIEW
    services.approve(
        acting_user=district_user, evaluation=evaluation, version=evaluation.version, conclusion="合格"
    )
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.APPROVED
    assert evaluation.total == Decimal("73.68")
    assert evaluation.grade == Evaluation.Grade.PASS
    assert list(evaluation.events.values_list("action", flat=True)) == [
        "opened",
        "computed",
        "scored",
        "sent",
        "responded",
        "submitted",
        "approved",
    ]


def test_the_grade_thresholds_come_from_the_indicator_set(evaluation, evaluator, worker, district_user):
    evaluation.indicator_set.pass_from, evaluation.indicator_set.good_from = Decimal(75), Decimal(76)
    evaluation.indicator_set.save()
    _scored(evaluation, evaluator)
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    services.submit_responses(acting_user=worker, evaluation=evaluation, version=evaluation.version)
    services.approve(acting_user=district_user, evaluation=evaluation, version=evaluation.version)
    assert evaluation.grade == Evaluation.Grade.FAIL


def test_the_locked_result_does_not_change_when_data_arrives_afterwards(
    client, evaluation, evaluator, worker, district_user, guoyuan
):
    _scored(evaluation, evaluator)
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    services.submit_responses(acting_user=worker, evaluation=evaluation, version=evaluation.version)
    services.approve(acting_user=district_user, evaluation=evaluation, version=evaluation.version)
    before = list(evaluation.scores.order_by("pk").values_list("measured", "value"))
    for day in (5, 6, 7, 8):  # four more activities in March, after the approval
        sf.make_activity(guoyuan, datetime.date(2026, 3, day), volunteers=50)
    assert computations.measure(guoyuan, FEB_1, MAR_31).values[Computation.ACTIVITIES] == 7
    with pytest.raises(PermissionDenied):
        services.recompute(acting_user=district_user, evaluation=evaluation, version=evaluation.version)
    evaluation.refresh_from_db()
    assert list(evaluation.scores.order_by("pk").values_list("measured", "value")) == before
    assert evaluation.total == Decimal("73.68")
    client.force_login(district_user)
    page = client.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert "总分 73.68 分，合格" in page
    assert "重新计算系统指标" not in page


def test_recompute_while_scoring_takes_new_data(evaluation, evaluator, guoyuan):
    sf.make_activity(guoyuan, datetime.date(2026, 3, 5))
    services.recompute(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    score = _score(evaluation, "服务活动")
    assert (score.measured, score.value) == (Decimal(4), Decimal("10.00"))
    assert evaluation.actuals["activities"] == 4


def test_who_may_take_each_step(
    evaluation, evaluator, worker, worker2, district_user, other_district_user, city_user
):
    score = _score(evaluation, "服务对象与社区评价")
    for user in (worker, worker2, other_district_user, city_user):
        with pytest.raises(PermissionDenied):
            services.score_indicator(
                acting_user=user, score=score, value="10", comment="x", version=score.version
            )
        with pytest.raises(PermissionDenied):
            services.send_to_station(acting_user=user, evaluation=evaluation, version=evaluation.version)
    with pytest.raises(PermissionDenied):  # not yet the station's turn
        services.submit_responses(acting_user=worker, evaluation=evaluation, version=evaluation.version)
    with pytest.raises(PermissionDenied):  # nothing to approve while scoring
        services.approve(acting_user=district_user, evaluation=evaluation, version=evaluation.version)
    with pytest.raises(ValidationError, match="1项指标未评分"):
        services.send_to_station(acting_user=district_user, evaluation=evaluation, version=evaluation.version)
    _scored(evaluation, evaluator)
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    with pytest.raises(PermissionDenied):  # the station's worker: the head answers
        services.submit_responses(acting_user=worker2, evaluation=evaluation, version=evaluation.version)
    with pytest.raises(PermissionDenied):  # scoring is closed while the station answers
        _scored(evaluation, evaluator, "20")
    with pytest.raises(PermissionDenied):
        services.approve(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    with pytest.raises(ValidationError, match="退回时须填写意见"):
        services.return_for_scoring(
            acting_user=district_user, evaluation=evaluation, version=evaluation.version, note=""
        )
    services.return_for_scoring(
        acting_user=district_user, evaluation=evaluation, version=evaluation.version, note="请补充走访记录"
    )
    assert evaluation.status == Evaluation.Status.SCORING


def test_a_stale_version_is_refused_and_nothing_is_written(evaluation, evaluator):
    score = _score(evaluation, "服务对象与社区评价")
    with pytest.raises(StaleVersionError):
        services.score_indicator(
            acting_user=evaluator, score=score, value="10", comment="x", version=score.version + 1
        )
    score.refresh_from_db()
    assert score.value is None
    assert not evaluation.events.filter(action=EvaluationEvent.Action.SCORED).exists()


@pytest.mark.parametrize(("value", "message"), [("26", "0 至 20"), ("-1", "0 至 20"), ("abc", "有效的分数")])
def test_a_score_out_of_range_is_refused(evaluation, evaluator, value, message):
    score = _score(evaluation, "服务对象与社区评价")
    with pytest.raises(ValidationError, match=message):
        services.score_indicator(
            acting_user=evaluator, score=score, value=value, comment="x", version=score.version
        )


def test_a_computed_indicator_cannot_be_scored_by_hand(evaluation, evaluator):
    score = _score(evaluation, "服务活动")
    with pytest.raises(ValidationError, match="系统计算"):
        services.score_indicator(
            acting_user=evaluator, score=score, value="10", comment="x", version=score.version
        )


def test_opening_refuses_another_district_an_overlap_and_a_foreign_contract(
    evaluation, guoyuan, jixianli, district_user, other_district_user
):
    kwargs = {"indicator_set": evaluation.indicator_set, "period_start": FEB_1, "period_end": MAR_31}
    with pytest.raises(PermissionDenied):
        services.open_evaluation(acting_user=other_district_user, station=guoyuan, **kwargs)
    with pytest.raises(ValidationError, match="已有考核评估"):
        services.open_evaluation(acting_user=district_user, station=guoyuan, **kwargs)
    with pytest.raises(ValidationError, match="不属于该社工站"):
        services.open_evaluation(
            acting_user=district_user, station=jixianli, contract=ef.make_contract(guoyuan), **kwargs
        )
    assert Evaluation.objects.count() == 1


def test_rectifications_to_closure_and_overdue(
    evaluation, evaluator, worker, worker2, other_worker, district_user
):
    _scored(evaluation, evaluator)
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    services.submit_responses(acting_user=worker, evaluation=evaluation, version=evaluation.version)
    indicator = Indicator.objects.get(name="回访满意率")
    with pytest.raises(ValidationError, match="责任人须为该社工站"):
        services.add_rectification(
            acting_user=district_user,
            evaluation=evaluation,
            description="回访",
            owner=other_worker,
            due_on=datetime.date(2026, 5, 1),
        )
    item = services.add_rectification(
        acting_user=district_user,
        evaluation=evaluation,
        description="建立回访台账",
        owner=worker2,
        due_on=datetime.date(2026, 4, 9),  # yesterday
        indicator=indicator,
    )
    assert list(Rectification.objects.overdue()) == [item]
    with pytest.raises(PermissionDenied):  # the owner reports it, the district decides
        services.decide_rectification(
            acting_user=district_user, rectification=item, version=item.version, close=True
        )
    services.report_rectification(
        acting_user=worker2, rectification=item, report="台账已建立", version=item.version
    )
    with pytest.raises(PermissionDenied):
        services.decide_rectification(
            acting_user=worker, rectification=item, version=item.version, close=True
        )
    services.decide_rectification(
        acting_user=district_user, rectification=item, version=item.version, close=True
    )
    assert item.status == Rectification.Status.CLOSED
    assert not Rectification.objects.overdue().exists()


def test_deliverables_against_actuals_on_the_page(client, evaluation, district_user):
    client.force_login(district_user)
    page = client.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert "服务合同指标完成情况" in page
    assert "75%" in page  # activities 3 of 4
    assert "150%" in page  # requests resolved 3 of 2
    assert "2026年2月" in page and "实时数据" in page


def test_the_pages_steps_through_http(client, evaluation, evaluator, worker, district_user):
    score = _score(evaluation, "服务对象与社区评价")
    client.force_login(evaluator)
    url = reverse("evaluation:score", args=[evaluation.pk, score.pk])
    response = client.post(url, {"value": "30", "comment": "x", "version": score.version}, follow=True)
    assert "得分须在 0 至 20 之间" in response.content.decode()
    client.post(url, {"value": "18", "comment": "评价较好", "version": score.version})
    score.refresh_from_db()
    assert score.value == Decimal("18.00")
    evaluation.refresh_from_db()
    client.post(reverse("evaluation:send", args=[evaluation.pk]), {"version": evaluation.version})
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.STATION_REVIEW
    client.force_login(worker)
    client.post(
        reverse("evaluation:respond", args=[evaluation.pk, score.pk]),
        {"response": "认可", "version": score.version},
    )
    client.post(reverse("evaluation:submit", args=[evaluation.pk]), {"version": evaluation.version})
    client.force_login(district_user)
    evaluation.refresh_from_db()
    client.post(
        reverse("evaluation:approve", args=[evaluation.pk]), {"version": evaluation.version, "note": "同意"}
    )
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.total, evaluation.conclusion) == (
        "approved",
        Decimal("73.68"),
        "同意",
    )


def test_print_and_xlsx_hold_scores_comments_responses_and_trail(client, evaluation, evaluator, worker):
    import io

    import openpyxl

    _scored(evaluation, evaluator)
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    score = _score(evaluation, "服务活动")
    services.respond(acting_user=worker, score=score, response="4月已补齐活动", version=score.version)
    client.force_login(evaluator)
    printed = client.get(reverse("evaluation:print", args=[evaluation.pk])).content.decode()
    assert "走访居民12户" in printed and "4月已补齐活动" in printed and "提交站点反馈" in printed
    response = client.get(reverse("evaluation:xlsx", args=[evaluation.pk]))
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    cells = {
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    }
    assert {"走访居民12户，评价较好", "4月已补齐活动", "提交站点反馈", "7.5"} <= cells
    assert book.sheetnames[:2] == ["指标得分", "维度汇总"] and "评估记录" in book.sheetnames


def test_the_evaluation_page_query_count_is_bounded(
    client, django_assert_max_num_queries, frozen, guoyuan, district_user, worker2, evaluator
):
    small = ef.bare_evaluation(guoyuan, ef.make_indicator_set(2026), district_user, evaluators=[evaluator])
    large = ef.bare_evaluation(guoyuan, ef.make_large_set(2027, 40), district_user, evaluators=[evaluator])
    for day in range(1, 21):
        ef.make_rectification(large, worker2, datetime.date(2027, 1, day))
    assert large.scores.count() == 40
    for who in (district_user, evaluator):
        client.force_login(who)
        with django_assert_max_num_queries(24):
            assert client.get(reverse("evaluation:detail", args=[small.pk])).status_code == 200
        with django_assert_max_num_queries(24):
            assert client.get(reverse("evaluation:detail", args=[large.pk])).status_code == 200


def test_the_list_query_count_does_not_grow(
    client, django_assert_max_num_queries, frozen, beichen, guoyuan, jixianli, district_user, worker2
):
    indicator_set = ef.make_indicator_set(2026)
    client.force_login(district_user)

    def count():
        with django_assert_max_num_queries(12) as captured:
            assert client.get(reverse("evaluation:list")).status_code == 200
        # The evaluation's own queries (the navigation's counts are the base template's, cached apart).
        return [q["sql"] for q in captured.captured_queries if '"sws_' in q["sql"]]

    ef.bare_evaluation(guoyuan, indicator_set, district_user)
    few = count()
    for year in range(2010, 2030):
        if year != 2026:
            ef.bare_evaluation(
                jixianli,
                indicator_set,
                district_user,
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
            )
    many = count()
    assert len(many) == len(few), (few, many)
