"""需关注 (issue 14): thresholds that mean something, reasons shown, rows ordered by severity."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import Request
from stations.models import ComplianceIssue
from sws.dashboards import attention as a
from tests import factories as f
from tests.sws import factories as sf

JUNE = datetime.date(2026, 6, 30)  # half the year gone by
JAN = datetime.date(2026, 1, 31)


def _texts(reasons):
    return [(r.severity, str(r)) for r in reasons]


def test_a_few_late_requests_are_not_a_backlog():
    assert a.station_reasons({"overdue": 2, "open": 2}, [], JUNE) == []  # under OVERDUE_MIN
    assert a.station_reasons({"overdue": 3, "open": 40}, [], JUNE) == []  # 7.5 %: under 10 %
    assert _texts(a.station_reasons({"overdue": 5, "open": 40}, [], JUNE)) == [(2, "超期未办5件，占在办12%")]
    assert _texts(a.station_reasons({"overdue": 12, "open": 40}, [], JUNE)) == [
        (3, "超期未办12件，占在办30%")
    ]


def test_satisfaction_counts_once_enough_answers_were_given():
    assert a.station_reasons({"satisfaction": 0.5, "rated": 2}, [], JUNE) == []
    assert _texts(a.station_reasons({"satisfaction": 0.6, "rated": 5}, [], JUNE)) == [
        (2, "满意率60%，低于80%")
    ]
    assert a.district_reasons({"satisfaction": 0.6, "rated": 10}, JUNE) == []


def test_a_plan_far_behind_the_calendar():
    assert _texts(a.station_reasons({"plan_completion": 0.2}, [], JUNE)) == [
        (2, "实施方案完成20%，不到时间进度50%的一半")
    ]
    assert a.station_reasons({"plan_completion": 0.3}, [], JUNE) == []  # behind, not far behind
    assert a.station_reasons({"plan_completion": 0.0}, [], JAN) == []  # too early in the year to say


def test_staffing_rules_broken_come_first_and_a_near_deadline_is_not_flagged():
    flags = [ComplianceIssue.UNDERSTAFFED, ComplianceIssue.NO_CERTIFIED, ComplianceIssue.DEADLINE_NEAR]
    reasons = a.station_reasons({"overdue": 5, "open": 40}, flags, JUNE)
    assert _texts(reasons) == [(3, "无持证社工"), (2, "驻站社工不足两人"), (2, "超期未办5件，占在办12%")]
    assert a.station_reasons({}, [ComplianceIssue.DEADLINE_NEAR], JUNE) == []


def test_district_thresholds():
    fine = {"workers": 20, "certified_share": 0.7, "stations": 10, "stations_with_issues": 2}
    assert a.district_reasons(fine, JUNE) == []
    bad = {"workers": 20, "certified_share": 0.4, "stations": 10, "stations_with_issues": 4}
    assert _texts(a.district_reasons(bad, JUNE)) == [
        (3, "持证率40%，不足一半"),
        (2, "4个站人员配置有问题（占40%）"),
    ]


@pytest.mark.django_db
def test_district_dashboard_lists_flagged_stations_worst_first_with_reasons(client, district_user, beichen):
    now = timezone.now()
    stations = {}
    for n, name in ((3, "甲"), (4, "乙"), (5, "丙")):
        street = f.make_street(f"12011300{n}000", f"{name}街道", beichen)
        f.make_community(f"12011300{n}001", f"{name}社区居委会", street)
        stations[name] = station = f.make_station(street)
        for i in range(2):  # two certified workers: staffing in order
            user = f.make_user(f"w{n}{i}", station=station)
            f.make_assignment(user, station)
            f.make_certificate(user)
    # 甲: 1 late of 1 open (under OVERDUE_MIN): not flagged. 乙: 3 late of 20 (15 %). 丙: 4 late of 8 (50 %).
    for name, late, on_time in (("甲", 1, 0), ("乙", 3, 17), ("丙", 4, 4)):
        for i in range(late + on_time):
            due = now - datetime.timedelta(hours=1) if i < late else now + datetime.timedelta(days=3)
            sf.store_request(
                stations[name],
                received_at=now - datetime.timedelta(days=5),
                due_at=due,
                status=Request.Status.IN_PROGRESS,
            )
    client.force_login(district_user)
    response = client.get(reverse("dashboards:district", args=[beichen.pk]))
    flagged = response.context["attention"]
    assert [row.name for row in flagged] == [stations["丙"].name, stations["乙"].name]
    html = response.content.decode()
    assert "超期未办4件，占在办50%" in html and "超期未办3件，占在办15%" in html
    assert "严重" in html and "关注" in html
