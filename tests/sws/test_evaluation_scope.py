"""The third-party evaluator's scope: the evaluations she is appointed to, and the monthly reports of
their stations for their periods' months, read-only; nothing else (URL tampering: another station,
another period, another evaluation)."""

import datetime

import pytest
from django.urls import reverse

from sws.models.evaluation import Evaluation
from tests.sws import evaluation_factories as ef


@pytest.fixture
def setup(frozen, guoyuan, jixianli, district_user):
    evaluator = ef.make_evaluator()
    indicator_set = ef.make_indicator_set(2026)
    mine = ef.bare_evaluation(
        guoyuan,
        indicator_set,
        district_user,
        evaluators=[evaluator],
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
    )
    not_mine = ef.bare_evaluation(jixianli, indicator_set, district_user)
    return evaluator, mine, not_mine


def test_she_sees_her_evaluations_only(client, setup):
    evaluator, mine, not_mine = setup
    client.force_login(evaluator)
    listing = client.get(reverse("evaluation:list")).content.decode()
    assert reverse("evaluation:detail", args=[mine.pk]) in listing
    assert reverse("evaluation:detail", args=[not_mine.pk]) not in listing
    assert client.get(reverse("evaluation:detail", args=[mine.pk])).status_code == 200
    for name in ("evaluation:detail", "evaluation:print", "evaluation:xlsx"):
        assert client.get(reverse(name, args=[not_mine.pk])).status_code == 404
    score = not_mine.scores.first()
    response = client.post(
        reverse("evaluation:score", args=[not_mine.pk, score.pk]),
        {"value": "1", "comment": "x", "version": 1},
    )
    assert response.status_code == 404
    # Her evaluation with another evaluation's score in the URL: 404, nothing written.
    response = client.post(
        reverse("evaluation:score", args=[mine.pk, score.pk]), {"value": "1", "comment": "x", "version": 1}
    )
    assert response.status_code == 404
    score.refresh_from_db()
    assert score.value is None


def test_she_reads_the_reports_of_her_period_months_only(client, setup, guoyuan, jixianli):
    evaluator, mine, not_mine = setup
    client.force_login(evaluator)
    report = reverse("reports:station", args=[guoyuan.pk, 2026, 3])
    response = client.get(report)
    assert response.status_code == 200
    assert guoyuan.name in response.content.decode()
    assert client.get(reverse("reports:station-xlsx", args=[guoyuan.pk, 2026, 2])).status_code == 200
    # Another month (April: outside her period), another station, another station's month.
    assert client.get(reverse("reports:station", args=[guoyuan.pk, 2026, 4])).status_code == 404
    assert client.get(reverse("reports:station", args=[guoyuan.pk, 2025, 12])).status_code == 404
    assert client.get(reverse("reports:station", args=[jixianli.pk, 2026, 3])).status_code == 404


def test_everything_else_is_closed_to_her(client, setup, guoyuan, beichen):
    evaluator, mine, not_mine = setup
    client.force_login(evaluator)
    assert client.get(reverse("home")).url == reverse("evaluation:list")
    refused = [
        reverse("dashboards:station", args=[guoyuan.pk]),
        reverse("dashboards:district", args=[beichen.pk]),
        reverse("reports:district", args=[beichen.pk, 2026, 3]),
        reverse("residents:request-queue"),
        reverse("residents:resident-list"),
        reverse("projects:activity-list"),
        reverse("evaluation:open"),
    ]
    for url in refused:
        assert client.get(url).status_code == 403, url


def test_a_station_sees_its_own_evaluation_and_not_another(
    client, setup, worker, other_worker, other_district_user
):
    evaluator, mine, not_mine = setup
    client.force_login(worker)
    assert client.get(reverse("evaluation:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evaluation:detail", args=[not_mine.pk])).status_code == 404
    client.force_login(other_district_user)
    assert client.get(reverse("evaluation:detail", args=[mine.pk])).status_code == 404


def test_open_form_refuses_a_forged_station_of_another_district(
    client, frozen, district_user, guangkai, guoyuan
):
    indicator_set = ef.make_indicator_set(2026)
    client.force_login(district_user)
    response = client.post(
        reverse("evaluation:open"),
        {
            "station": guangkai.pk,
            "indicator_set": indicator_set.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
        },
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_station_reader_reads_exactly_its_station_and_cannot_log_in(guoyuan, jixianli, guangkai):
    """The reader evaluations compute a station's figures as (`access.station_reader`): that station's
    scope, nothing wider (the fake city-wide user it replaces read the whole city)."""
    from stations import access
    from stations.models import Station, User

    reader = access.station_reader(guoyuan)
    assert list(Station.objects.visible_to(reader)) == [guoyuan]
    assert reader.pk is None and not reader.has_usable_password()
    assert not User.objects.filter(username=reader.username).exists()
