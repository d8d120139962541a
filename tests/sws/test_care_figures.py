"""The visit programme's figures against a hand-built March 2026 (station, district and city, dashboards
and reports alike).

- 果园新村: A (一级, enrolled in January) seen 3-03 (due 3-05: on time) and 3-20 (due 3-10: late), and
  seen 2-27 (February: not counted); B (二级, January) not home 3-15, next due 3-17 (overdue on 4-15);
  C (三级) enrolled in April: not in March's programme.
  → programme 2, covered 1 (50 %), seen 2, not home 1, on time 1 (50 %), overdue 1; 一级 1, 二级 1.
- 集贤里: D (一级, February) seen 3-31 (due 4-01: on time).
  → programme 1, covered 1, seen 1, on time 1, overdue 0.
- 北辰区 and the city: programme 3, covered 2, seen 3, not home 1, on time 2, overdue 1.
- Support statuses on 3-31: A 独居 since 2025; D 独居 from 3-31; B 低保 ended 2-28 (not counted).
"""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from residents import care
from residents.models import SupportStatus, Visit, VisitPlan
from sws.dashboards import visits
from sws.dashboards.periods import Period
from sws.dashboards.scope import Scope
from sws.reports import builders
from tests.residents.care_factories import enrol, status_type
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 4, 15)


def _plan(resident, tier, enrolled_on, next_due_on, worker):
    return VisitPlan.objects.create(
        resident=resident, tier=tier, enrolled_on=enrolled_on, next_due_on=next_due_on, worker=worker
    )


def _visit(resident, worker, visited_on, due_on, outcome="seen"):
    Visit.objects.create(
        resident=resident, visitor=worker, visited_on=visited_on, due_on=due_on, outcome=outcome
    )


@pytest.fixture
def march(chaoyangli, tailaixili, worker, other_worker):
    a = make_resident(chaoyangli, name="甲")
    b = make_resident(chaoyangli, name="乙")
    c = make_resident(chaoyangli, name="丙")
    d = make_resident(tailaixili, name="丁")
    _plan(a, 1, D(2026, 1, 1), D(2026, 4, 20), worker)
    _plan(b, 2, D(2026, 1, 1), D(2026, 3, 17), worker)
    _plan(c, 3, D(2026, 4, 10), D(2026, 4, 10), worker)
    _plan(d, 1, D(2026, 2, 1), D(2026, 4, 28), other_worker)
    _visit(a, worker, D(2026, 2, 27), D(2026, 2, 28))
    _visit(a, worker, D(2026, 3, 3), D(2026, 3, 5))
    _visit(a, worker, D(2026, 3, 20), D(2026, 3, 10))
    _visit(b, worker, D(2026, 3, 15), D(2026, 3, 20), outcome="nobody_home")
    _visit(d, other_worker, D(2026, 3, 31), D(2026, 4, 1))
    alone, dibao = status_type("living-alone"), status_type("dibao")
    SupportStatus.objects.create(resident=a, kind=alone, start_date=D(2025, 1, 1), source="visit")
    SupportStatus.objects.create(resident=d, kind=alone, start_date=D(2026, 3, 31), source="visit")
    SupportStatus.objects.create(
        resident=b, kind=dibao, start_date=D(2026, 1, 1), end_date=D(2026, 2, 28), source="civil_affairs"
    )


GUOYUAN = {
    "programme": 2,
    "covered": 1,
    "coverage": 0.5,
    "visits_seen": 2,
    "visits_failed": 1,
    "on_time": 1,
    "on_time_share": 0.5,
    "overdue": 1,
    "tier_1": 1,
    "tier_2": 1,
    "tier_3": 0,
}
JIXIANLI = {
    "programme": 1,
    "covered": 1,
    "coverage": 1.0,
    "visits_seen": 1,
    "visits_failed": 0,
    "on_time": 1,
    "on_time_share": 1.0,
    "overdue": 0,
    "tier_1": 1,
    "tier_2": 0,
    "tier_3": 0,
}
BEICHEN = {
    "programme": 3,
    "covered": 2,
    "coverage": pytest.approx(2 / 3),
    "visits_seen": 3,
    "visits_failed": 1,
    "on_time": 2,
    "on_time_share": pytest.approx(2 / 3),
    "overdue": 1,
    "tier_1": 2,
    "tier_2": 1,
    "tier_3": 0,
}


def test_station_figures(march, district_user, guoyuan, jixianli):
    care = builders.station_report(district_user, guoyuan, 2026, 3, today=TODAY).care
    assert care["totals"] == GUOYUAN
    assert [t["count"] for t in care["tiers"]] == [1, 1, 0]
    assert care["statuses"] == [{"label": "独居", "count": 1}]
    assert builders.station_report(district_user, jixianli, 2026, 3, today=TODAY).care["totals"] == JIXIANLI


def test_district_figures_with_a_row_per_station(march, district_user, beichen):
    care = builders.district_report(district_user, beichen, 2026, 3, today=TODAY).care
    assert care["totals"] == BEICHEN
    rows = {row.pop("name"): row for row in care["rows"]}
    assert rows == {"北辰区果园新村街道社工站": GUOYUAN, "北辰区集贤里街道社工站": JIXIANLI}
    assert care["statuses"] == [{"label": "独居", "count": 2}]


def test_city_figures_with_a_row_per_district(march, city_user, beichen, nankai):
    care = builders.city_report(city_user, 2026, 3, today=TODAY).care
    assert care["totals"] == BEICHEN
    assert [row["name"] for row in care["rows"]] == ["南开区", "北辰区"]
    assert care["rows"][0]["programme"] == 0 and care["rows"][1]["covered"] == 2


def test_the_dashboard_shows_them_and_the_report_xlsx_carries_them(client, march, worker, guoyuan):
    import io

    import openpyxl

    client.force_login(worker)
    page = client.get(
        reverse("dashboards:station", args=[guoyuan.pk]), {"period": "month", "from": "2026-03-01"}
    )
    assert page.status_code == 200
    assert page.context["care"]["totals"]["programme"] == 2 and "探访覆盖率" in page.content.decode()
    response = client.get(reverse("reports:station-xlsx", args=[guoyuan.pk, 2026, 3]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["探访关爱"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["探访名单人数"] == 2 and values["本期见面探访（次）"] == 2 and values["按时探访率"] == 0.5


@freeze_time("2026-03-31 02:00:00")  # 10:00 in Tianjin: March runs to today
def test_a_month_running_to_today_counts_residents_seen_from_their_plans_as_the_visits_do(
    worker, guoyuan, chaoyangli
):
    """Logged through the service (which keeps the plan's last-seen date): seen in March; seen in
    February and March; seen in March, then back-dated February and a failed visit after; seen in
    February only; never seen, nobody home. Covered: the first three, read from the plans today and from
    the visits once the month is over."""
    logs = [
        [D(2026, 3, 31)],
        [D(2026, 2, 20), D(2026, 3, 2)],
        [D(2026, 3, 10), D(2026, 2, 25), ("nobody_home", D(2026, 3, 30))],
        [D(2026, 2, 10)],
        [("nobody_home", D(2026, 3, 12))],
    ]
    for i, visits_of in enumerate(logs):
        resident = make_resident(chaoyangli, name=f"居民{i}")
        with freeze_time("2026-02-01 02:00:00"):
            enrol(resident, worker)
        for visit in visits_of:
            outcome, day = visit if isinstance(visit, tuple) else ("seen", visit)
            care.log_visit(acting_user=worker, resident=resident, visited_on=day, outcome=outcome)

    march, scope = Period.month(D(2026, 3, 1)), Scope(user=worker, station=guoyuan)
    assert visits.seen_during(march, D(2026, 3, 31)) != visits.seen_during(march, D(2026, 4, 1))
    today = visits.care_counts(scope, march, None, D(2026, 3, 31))[None]
    after = visits.care_counts(scope, march, None, D(2026, 4, 1))[None]
    assert today["programme"] == after["programme"] == 5
    assert today["covered"] == after["covered"] == 3
