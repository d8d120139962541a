"""Supervision coverage (督导覆盖) against a hand-built month, on the district dashboard and in the monthly
reports (page and XLSX).

The clock is frozen at 2026-04-10 (tests/sws/conftest.py); March 2026 is the month looked at.
北辰区 has two stations:
  果园新村: sessions on 03-01 (first day: in) and 03-31 (last day: in) → 2 sessions, supervised.
    Action items: due 03-20 open (overdue on 04-10), due 04-30 open (not overdue), due 03-15 done.
  集贤里: a session on 02-28 (out) and one on 04-01 (April: out) → no session in March: unsupervised.
    Its April session's open item is not counted for March (session after the month's last day).
南开区 (广开): one session in March (another district: never in 北辰区's figures).
→ 北辰区, March: sessions 2, supervised 1 of 2 stations, coverage 50 %, open items 2, overdue 1;
  stations without a session: 集贤里. City, March: sessions 3, supervised 2 of 3 stations.
"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from casework.models import SupervisionActionItem, SupervisionSession
from stations.models import User
from sws.dashboards import figures
from sws.dashboards.periods import Period
from tests import factories as f

pytestmark = pytest.mark.django_db
MARCH = Period.month(datetime.date(2026, 3, 1))
D = datetime.date


def _session(station, supervisor, day, items=()):
    session = SupervisionSession.objects.create(
        district=station.district,
        station=station,
        supervisor=supervisor,
        date=day,
        form="group",
        topics="主题",
    )
    for due, done in items:
        SupervisionActionItem.objects.create(
            session=session, text="事项", owner=supervisor, due_on=due, done_on=done
        )
    return session


@pytest.fixture
def month(frozen, beichen, nankai, guoyuan, jixianli, guangkai):
    north = f.make_user("sup-n", User.Role.DISTRICT_STAFF, district=beichen)
    south = f.make_user("sup-s", User.Role.DISTRICT_STAFF, district=nankai)
    _session(guoyuan, north, D(2026, 3, 1), [(D(2026, 3, 20), None), (D(2026, 4, 30), None)])
    _session(guoyuan, north, D(2026, 3, 31), [(D(2026, 3, 15), D(2026, 3, 14))])
    _session(jixianli, north, D(2026, 2, 28))
    _session(jixianli, north, D(2026, 4, 1), [(D(2026, 4, 2), None)])
    _session(guangkai, south, D(2026, 3, 9))


def test_district_coverage_for_the_month(month, district_user, beichen, guoyuan, jixianli):
    sup = figures.supervision_figures(district_user, MARCH, district=beichen)
    assert sup["totals"] == {
        "sessions": 2,
        "supervised": 1,
        "stations": 2,
        "coverage": 0.5,
        "items_open": 2,
        "items_overdue": 1,
    }
    assert sup["unsupervised"] == [jixianli.name]
    rows = {row["name"]: (row["sessions"], row["items_open"], row["items_overdue"]) for row in sup["rows"]}
    assert rows == {guoyuan.name: (2, 2, 1), jixianli.name: (0, 0, 0)}


def test_city_coverage_by_district(month, city_user, beichen, nankai):
    sup = figures.supervision_figures(city_user, MARCH)
    assert (sup["totals"]["sessions"], sup["totals"]["supervised"], sup["totals"]["stations"]) == (3, 2, 3)
    rows = {row["name"]: (row["sessions"], row["supervised"], row["stations"]) for row in sup["rows"]}
    assert rows == {beichen.name: (2, 1, 2), nankai.name: (1, 1, 1)}
    assert sup["unsupervised"] == []  # the city's figures name districts, not stations


def test_the_dashboard_and_the_report_show_the_same_coverage(client, month, district_user, beichen, jixianli):
    client.force_login(district_user)
    dashboard = client.get(
        reverse("dashboards:district", args=[beichen.pk]), {"period": "month", "from": "2026-03-01"}
    ).content.decode()
    report = client.get(reverse("reports:district", args=[beichen.pk, 2026, 3])).content.decode()
    for page in (dashboard, report):
        assert "个案督导覆盖" in page
        assert f"本期未接受督导的社工站：</strong>{jixianli.name}" in page
        assert "50%" in page or "50.0%" in page
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3])).content)
    )
    sheet = {row[0]: row[1] for row in book["个案督导"].iter_rows(values_only=True) if row and row[0]}
    assert sheet["本期督导（次）"] == 2
    assert sheet["本期已督导社工站"] == 1
    assert sheet["督导覆盖率"] == 0.5
    assert sheet["本期未接受督导的社工站"] == jixianli.name


def test_another_districts_sessions_never_count(month, other_district_user, beichen):
    # 南开区's centre reads 北辰区's figures nowhere; its own scope has none of 北辰区's sessions.
    sup = figures.supervision_figures(other_district_user, MARCH, district=beichen)
    assert sup["totals"]["sessions"] == 0 and sup["rows"] == []
