"""考核评估 under two people at once (issue #22 review): a score or a response that lands after someone
else moved the evaluation on is refused (nothing written), two answers to one score cannot silently
overwrite each other, and two opens of the same evaluation at the same moment make one evaluation and a
Chinese message. And the one rounding rule: the total is the sum of the dimension rows the page shows."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stations.locking import StaleVersionError
from sws.evaluation import pages, services
from sws.models.evaluation import Evaluation, EvaluationEvent, Score
from tests.sws import evaluation_factories as ef

FEB_1, MAR_31 = datetime.date(2026, 2, 1), datetime.date(2026, 3, 31)


@pytest.fixture
def evaluator(db):
    return ef.make_evaluator()


@pytest.fixture
def evaluation(frozen, guoyuan, worker, district_user, evaluator):
    return services.open_evaluation(
        acting_user=district_user,
        station=guoyuan,
        indicator_set=ef.make_indicator_set(2026),
        period_start=FEB_1,
        period_end=MAR_31,
        evaluators=[evaluator],
    )


def _scored_score(evaluation):
    return evaluation.scores.select_related("indicator", "evaluation").get(
        indicator__name="服务对象与社区评价"
    )


def test_a_score_after_someone_sent_the_draft_on_is_refused(evaluation, evaluator, district_user):
    """The evaluator's page still says 评分中; meanwhile the district sent it to the station (as if its
    step had committed between her page load and her save)."""
    score = _scored_score(evaluation)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.STATION_REVIEW)
    with pytest.raises(ValidationError, match="已被他人推进到下一步"):
        services.score_indicator(
            acting_user=evaluator, score=score, value="18", comment="走访居民", version=score.version
        )
    score.refresh_from_db()
    assert score.value is None and score.comment == ""
    assert not EvaluationEvent.objects.filter(action=EvaluationEvent.Action.SCORED).exists()
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.STATION_REVIEW


def _in_station_review(evaluation, evaluator):
    score = _scored_score(evaluation)
    services.score_indicator(
        acting_user=evaluator, score=score, value="18", comment="x", version=score.version
    )
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    return _scored_score(evaluation)


def test_a_response_after_the_district_returned_the_draft_is_refused(evaluation, evaluator, worker):
    score = _in_station_review(evaluation, evaluator)
    score.evaluation = evaluation  # the head's page: 站点反馈中
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.SCORING)  # returned meanwhile
    with pytest.raises(ValidationError, match="已被他人推进到下一步"):
        services.respond(acting_user=worker, score=score, response="已整改", version=score.version)
    score.refresh_from_db()
    assert score.response == ""


def test_two_answers_to_one_score_do_not_overwrite_each_other(evaluation, evaluator, worker):
    """Two tabs (or the head and her deputy's session) loaded the same version: the second is refused."""
    score = _in_station_review(evaluation, evaluator)
    seen = score.version
    first = Score.objects.select_related("indicator", "evaluation").get(pk=score.pk)
    second = Score.objects.select_related("indicator", "evaluation").get(pk=score.pk)
    services.respond(acting_user=worker, score=first, response="第一份意见", version=seen)
    with pytest.raises(StaleVersionError):
        services.respond(acting_user=worker, score=second, response="第二份意见", version=seen)
    score.refresh_from_db()
    assert score.response == "第一份意见"
    assert EvaluationEvent.objects.filter(action=EvaluationEvent.Action.RESPONDED).count() == 1


def test_two_scores_of_one_indicator_do_not_overwrite_each_other(evaluation, evaluator, district_user):
    score = _scored_score(evaluation)
    seen = score.version
    services.score_indicator(acting_user=evaluator, score=score, value="18", comment="评估员", version=seen)
    other = _scored_score(evaluation)
    with pytest.raises(StaleVersionError):
        services.score_indicator(
            acting_user=district_user, score=other, value="5", comment="区级", version=seen
        )
    assert _scored_score(evaluation).value == Decimal("18.00")


def test_opening_the_same_evaluation_twice_at_once_makes_one(evaluation, guoyuan, district_user, monkeypatch):
    """The second open passed its overlap check before the first committed (as two requests at once on
    SQLite, which has no row locks): the database's constraint refuses it, with the same message."""
    monkeypatch.setattr(services, "_overlapping", lambda *args: False)
    with pytest.raises(ValidationError, match="该社工站在这一期间已有考核评估"):
        services.open_evaluation(
            acting_user=district_user,
            station=guoyuan,
            indicator_set=evaluation.indicator_set,
            period_start=FEB_1,
            period_end=MAR_31,
        )
    assert Evaluation.objects.count() == 1
    assert Score.objects.filter(evaluation__station=guoyuan).count() == evaluation.scores.count()


def test_the_open_page_says_so_in_chinese(client, evaluation, guoyuan, district_user, monkeypatch):
    monkeypatch.setattr(services, "_overlapping", lambda *args: False)
    client.force_login(district_user)
    response = client.post(
        reverse("evaluation:open"),
        {
            "station": guoyuan.pk,
            "indicator_set": evaluation.indicator_set.pk,
            "period_start": "2026-02-01",
            "period_end": "2026-03-31",
        },
    )
    assert response.status_code == 400
    assert "该社工站在这一期间已有考核评估" in response.content.decode()
    assert Evaluation.objects.count() == 1


# --- One rounding rule ----------------------------------------------------------------------------------

# Two dimensions of weight 50, one indicator of 400 points each, 1 point scored in each: each dimension
# is 50 × 1 ÷ 400 = 0.125 → 0.13 (half up; half-even would give 0.12), the total 0.26 (the rounded rows'
# sum; rounding the unrounded sum would give 0.25).
HALVES = [
    ("行政管理", "50", [("台账完整", "400", None, None)]),
    ("财务管理", "50", [("经费使用", "400", None, None)]),
]


def test_the_total_is_the_sum_of_the_dimension_rows(frozen, guoyuan, district_user):
    evaluation = ef.bare_evaluation(guoyuan, ef.make_indicator_set(2030, HALVES), district_user)
    Score.objects.filter(evaluation=evaluation).update(value=Decimal("1.00"))
    rows = pages.load(pages.evaluations_for(district_user).get(pk=evaluation.pk))["blocks"]
    assert [row.weighted for row in rows] == [Decimal("0.13"), Decimal("0.13")]
    assert services.total_of(evaluation) == Decimal("0.26")
