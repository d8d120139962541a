"""Overdue rectifications (整改 past due, not closed) on the district dashboard (issue #22): a count of the
district's own, a link to the list of their evaluations, scoped, in a bounded number of queries. And the
monthly figures an evaluation reads are the monthly report's (`builders.station_figures`)."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations import access
from sws.models.evaluation import Rectification
from sws.reports import builders
from tests.sws import evaluation_factories as ef

APR_9, APR_10 = datetime.date(2026, 4, 9), datetime.date(2026, 4, 10)


@pytest.fixture
def evaluations(frozen, guoyuan, jixianli, guangkai, district_user, other_district_user):
    indicator_set = ef.make_indicator_set(2026)
    return {
        "guoyuan": ef.bare_evaluation(guoyuan, indicator_set, district_user),
        "jixianli": ef.bare_evaluation(jixianli, indicator_set, district_user),
        "guangkai": ef.bare_evaluation(guangkai, indicator_set, other_district_user),
    }


def _dashboard(client, user, district):
    client.force_login(user)
    return client.get(reverse("dashboards:district", args=[district.pk])).content.decode()


def test_the_district_sees_its_overdue_rectifications_with_a_link(
    client, evaluations, worker, worker2, other_worker, far_worker, district_user, beichen
):
    ef.make_rectification(evaluations["guoyuan"], worker2, APR_9)  # overdue
    ef.make_rectification(evaluations["jixianli"], other_worker, APR_9)  # overdue
    ef.make_rectification(evaluations["guoyuan"], worker, APR_10)  # due today: not yet overdue
    ef.make_rectification(evaluations["guoyuan"], worker, APR_9, status=Rectification.Status.CLOSED)  # closed
    ef.make_rectification(evaluations["guoyuan"], worker, APR_9, status=Rectification.Status.DONE)  # reported
    ef.make_rectification(evaluations["guangkai"], far_worker, APR_9)  # 南开区: not ours
    page = _dashboard(client, district_user, beichen)
    assert "考核评估整改逾期未销号：3 项" in page
    url = f"{reverse('evaluation:list')}?overdue=1&amp;district={beichen.pk}"
    assert url in page


def test_no_callout_without_overdue_items(client, evaluations, worker, district_user, beichen):
    ef.make_rectification(evaluations["guoyuan"], worker, APR_10)
    assert "data-overdue-rectifications" not in _dashboard(client, district_user, beichen)


def test_the_list_behind_the_link_shows_only_evaluations_with_overdue_items(
    client, evaluations, worker2, far_worker, district_user, other_district_user, city_user, beichen, nankai
):
    ef.make_rectification(evaluations["guoyuan"], worker2, APR_9)
    ef.make_rectification(evaluations["guangkai"], far_worker, APR_9)
    client.force_login(district_user)
    page = client.get(reverse("evaluation:list"), {"overdue": "1", "district": beichen.pk}).content.decode()
    assert "果园新村" in page and "集贤里" not in page and "广开" not in page
    assert "仅显示有逾期未销号整改事项的考核评估" in page
    # The district parameter narrows, never widens: 南开区's staff asking for 北辰区 see nothing of it.
    client.force_login(other_district_user)
    page = client.get(reverse("evaluation:list"), {"overdue": "1", "district": beichen.pk}).content.decode()
    assert "果园新村" not in page and "广开" not in page
    client.force_login(city_user)
    page = client.get(reverse("evaluation:list"), {"overdue": "1", "district": nankai.pk}).content.decode()
    assert "广开" in page and "果园新村" not in page


def test_the_callout_costs_one_query_whatever_the_number_of_items(
    client, evaluations, worker2, district_user, beichen
):
    client.force_login(district_user)
    url = reverse("dashboards:district", args=[beichen.pk])

    def queries():
        for alias in ("default", "dashboards", "reference"):
            caches[alias].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    ef.make_rectification(evaluations["guoyuan"], worker2, APR_9)
    one = queries()
    for day in range(1, 9):
        ef.make_rectification(evaluations["guoyuan"], worker2, datetime.date(2026, 3, day))
        ef.make_rectification(evaluations["jixianli"], worker2, datetime.date(2026, 3, day))
    assert queries() == one
    assert "考核评估整改逾期未销号：17 项" in _dashboard(client, district_user, beichen)


def test_station_figures_are_the_station_reports_figures(dataset, guoyuan, district_user):
    figures = builders.station_figures(access.station_reader(guoyuan), guoyuan, 2026, 3)
    report = builders.station_report(district_user, guoyuan, 2026, 3)
    assert figures == report.figures
    assert figures["activities"] == 2 and figures["resolved"] == 3  # tests/sws/conftest.py's March
