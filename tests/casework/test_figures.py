"""Casework's figures against a hand-built March 2026 (station, district and city; dashboards and reports).

Today is 2026-04-15. 果园新村:
- A: opened 2-20, high risk, now in 介入: 接案→预估 3-01 (9 days in 接案), 预估→计划 3-06 (5 days),
  计划→介入 3-16 (10 days); an open task due 4-01 (overdue), one due 4-20, one due 3-01 done.
- B: opened 3-10, medium, in 计划 with its plan submitted (awaiting approval): 接案→预估 3-12 (2 days),
  预估→计划 3-14 (2 days).
- C: opened 2025-12-01, low, closed 3-25: 介入→评估 2-28 (February), 评估→结案审批 3-22 (22 days in 评估),
  结案审批→已结案 3-25 (3 days); evaluated 3-20: one goal met, one partly.
- D: opened 3-05, high, in 结案审批 with its closure awaiting the head.
- F: opened 3-01, declined 3-03 (opened in March, not open).
集贤里: E: opened 3-02, high, in 结案审批 awaiting the district's sign-off; evaluated 4-02 (April).
"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, CaseEvaluation, CaseEvent, CasePlan, CaseTask, Closure, Goal, GoalAttainment
from sws.dashboards.figures import casework_figures
from sws.dashboards.periods import Period
from sws.reports import builders
from tests.casework.factories import make_case
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 4, 15)
MARCH = Period.month(D(2026, 3, 1))
S = Case.Stage


def at(month, day, year=2026):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def _move(case, when, from_stage, to_stage):
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.NOTE, at=when, from_stage=from_stage, to_stage=to_stage
    )


def _plan(case, author, status=CasePlan.Status.APPROVED):
    plan = CasePlan.objects.create(case=case, author=author, status=status)
    return plan, [
        Goal.objects.create(plan=plan, text=f"目标{n}", indicator="每周一次", target_date=D(2026, 6, 30))
        for n in range(2)
    ]


def _evaluate(case, author, goals, attainments, when):
    evaluation = CaseEvaluation.objects.create(
        case=case,
        client_view="好多了",
        satisfaction="satisfied",
        worker_evaluation="目标基本达成",
        author=author,
    )
    CaseEvaluation.objects.filter(pk=evaluation.pk).update(created_at=when)
    for goal, attainment in zip(goals, attainments, strict=True):
        GoalAttainment.objects.create(evaluation=evaluation, goal=goal, attainment=attainment)


@pytest.fixture
def march(guoyuan, jixianli, chaoyangli, tailaixili, worker, worker2, other_worker):
    client = make_resident(chaoyangli, name="孙秀英")
    other = make_resident(tailaixili, name="周国强")
    a = make_case(guoyuan, client, worker2, opened_at=at(2, 20), risk="high", stage=S.INTERVENTION)
    _move(a, at(3, 1), S.INTAKE, S.ASSESSMENT)
    _move(a, at(3, 6), S.ASSESSMENT, S.PLANNING)
    _move(a, at(3, 16), S.PLANNING, S.INTERVENTION)
    for due, done in ((D(2026, 4, 1), None), (D(2026, 4, 20), None), (D(2026, 3, 1), at(3, 1))):
        CaseTask.objects.create(
            case=a, title="家访", owner=worker2, due_on=due, done_at=done, created_by=worker2
        )
    b = make_case(guoyuan, client, worker2, opened_at=at(3, 10), risk="medium", stage=S.PLANNING)
    _move(b, at(3, 12), S.INTAKE, S.ASSESSMENT)
    _move(b, at(3, 14), S.ASSESSMENT, S.PLANNING)
    _plan(b, worker2, CasePlan.Status.SUBMITTED)
    c = make_case(guoyuan, client, worker2, opened_at=at(12, 1, 2025), stage=S.CLOSED, closed_at=at(3, 25))
    _move(c, at(2, 28), S.INTERVENTION, S.EVALUATION)
    _move(c, at(3, 22), S.EVALUATION, S.CLOSING)
    _move(c, at(3, 25), S.CLOSING, S.CLOSED)
    _plan_c, goals = _plan(c, worker2)
    _evaluate(c, worker2, goals, ["met", "partly"], at(3, 20))
    Closure.objects.create(
        case=c, reason="goals_met", summary="目标达成", status="approved", requested_by=worker2
    )
    d = make_case(guoyuan, client, worker2, opened_at=at(3, 5), risk="high", stage=S.CLOSING)
    Closure.objects.create(case=d, reason="goals_met", summary="目标达成", requested_by=worker2)
    make_case(guoyuan, client, worker2, opened_at=at(3, 1), stage=S.DECLINED)
    e = make_case(jixianli, other, other_worker, opened_at=at(3, 2), risk="high", stage=S.CLOSING)
    Closure.objects.create(
        case=e, reason="goals_met", summary="目标达成", status="pending_district", requested_by=other_worker
    )
    _plan_e, goals_e = _plan(e, other_worker)
    _evaluate(e, other_worker, goals_e[:1], ["met"], at(4, 2))


GUOYUAN = {
    "opened": 3,
    "closed": 1,
    "open": 3,
    "high_risk": 2,
    "plans_pending": 1,
    "closures_pending_head": 1,
    "closures_pending_district": 0,
    "overdue_tasks": 1,
    "goals_judged": 2,
    "goals_met": 1,
    "goals_partly": 1,
    "goal_attainment": 0.5,
}
JIXIANLI = dict.fromkeys(GUOYUAN, 0) | {
    "opened": 1,
    "open": 1,
    "high_risk": 1,
    "closures_pending_district": 1,
    "goal_attainment": None,
}
BEICHEN = {key: GUOYUAN[key] + (JIXIANLI[key] or 0) for key in GUOYUAN} | {"goal_attainment": 0.5}


def _main(figures):
    return {key: figures[key] for key in GUOYUAN}


def test_station_figures(march, worker, guoyuan, jixianli, district_user):
    figures = casework_figures(worker, MARCH, station=guoyuan, today=TODAY)
    assert _main(figures["totals"]) == GUOYUAN
    stages = {row["stage"]: row["cells"] for row in figures["stages"]}
    assert stages == {
        "intake": [0, 0, 0],
        "assessment": [0, 0, 0],
        "planning": [0, 1, 0],
        "intervention": [0, 0, 1],
        "evaluation": [0, 0, 0],
        "closing": [0, 0, 1],
    }
    days = {row["stage"]: (row["moves"], row["average"]) for row in figures["durations"]}
    td = datetime.timedelta
    assert days == {
        "intake": (2, td(days=5.5)),
        "assessment": (2, td(days=3.5)),
        "planning": (1, td(days=10)),
        "intervention": (0, None),
        "evaluation": (1, td(days=22)),
        "closing": (1, td(days=3)),
        "closed": (0, None),
    }
    other = casework_figures(district_user, MARCH, station=jixianli, today=TODAY)
    assert _main(other["totals"]) == JIXIANLI


def test_district_figures_with_a_row_per_station(march, district_user, beichen):
    figures = builders.district_report(district_user, beichen, 2026, 3, today=TODAY).casework
    assert _main(figures["totals"]) == BEICHEN
    rows = {row["name"]: _main(row) for row in figures["rows"]}
    assert rows == {"北辰区果园新村街道社工站": GUOYUAN, "北辰区集贤里街道社工站": JIXIANLI}
    assert figures["stages"][-1]["cells"] == [0, 0, 2]  # 结案审批: D and E, both high risk


def test_the_city_counts_cases_it_may_not_read(march, city_user, beichen, nankai):
    assert not Case.objects.visible_to(city_user).exists()  # no record ...
    figures = builders.city_report(city_user, 2026, 3, today=TODAY).casework
    assert _main(figures["totals"]) == BEICHEN  # ... but the counts
    assert [row["name"] for row in figures["rows"]] == ["南开区", "北辰区"]
    assert figures["rows"][0]["open"] == 0 and figures["rows"][1]["open"] == 4


def test_another_district_counts_none_of_them(march, other_district_user, nankai):
    figures = casework_figures(other_district_user, MARCH, district=nankai, today=TODAY)
    assert figures["totals"]["opened"] == 0 and figures["totals"]["open"] == 0


def test_the_dashboards_show_counts_and_no_client(client, march, worker, guoyuan, city_user, beichen):
    client.force_login(worker)
    page = client.get(
        reverse("dashboards:station", args=[guoyuan.pk]), {"period": "month", "from": "2026-03-01"}
    )
    html = page.content.decode()
    assert page.context["casework"]["totals"]["plans_pending"] == 1
    assert "待审批服务计划" in html and "各阶段平均停留时长" in html
    assert "孙秀英" not in html and "孙**" not in html
    client.force_login(city_user)
    page = client.get(reverse("dashboards:city"), {"period": "month", "from": "2026-03-01"})
    assert page.context["casework"]["totals"]["closures_pending_district"] == 1
    assert "孙秀英" not in page.content.decode()


def test_the_report_page_and_xlsx_carry_them(client, march, district_user, beichen):
    client.force_login(district_user)
    page = client.get(reverse("reports:district", args=[beichen.pk, 2026, 3]))
    assert "九、个案管理" in page.content.decode()
    response = client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["个案管理"]
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["当前在办个案"][0] == 4  # (the report is made today: the queue as it stands)
    assert values["待区督导签批结案"][0] == 1
    assert values["目标完全达成率"][0] == 0.5
    assert values["结案审批"][:4] == (0, 0, 2, 2)
    assert values["停留：评估"][:2] == (1, 22 * 24)  # hours, as the exports keep durations
    assert values["北辰区集贤里街道社工站"][2] == 1  # 当前在办个案
