"""A hand-built data set for the dashboards, with every expected figure worked out by hand.

The clock is frozen at 2026-04-10 12:00 Asia/Shanghai; the tests look at March 2026
(`?period=month&from=2026-03-01`), whose bounds are 2026-03-01 00:00 and 2026-04-01 00:00 Shanghai time.

果园新村 (guoyuan, 北辰区), March 2026:
  r1 received 03-01 00:00:00 (first instant: in), resolved 24 h later, on time, closed 03-05 满意
  r2 received 02-28 23:59:59 (last instant of February: out), resolved 03-01 11:59:59 (12 h), on time,
     closed 03-10 不满意
  r3 received 03-10 08:00, resolved 03-12 08:00 (48 h), due 03-11: late; not followed up yet
  r4 received 03-31 23:59:59 (in), open, new, unassigned, due 04-30 (not overdue)
  r5 received 04-01 00:00:00 (April: out), open, new, unassigned, due 04-20
  r6 received 03-05, in progress, assigned, due 03-06: overdue
  r7 received 03-20, resolved then reopened (in progress, resolved_at cleared), assigned, due 03-27: overdue
  → received 5; resolved 3 (24 h, 12 h, 48 h: median 24 h, mean 28 h), 2 on time; satisfaction 1/2;
    open 4, overdue 2 (r6, r7), unassigned 2 (r4, r5)
  activities: 03-01 2 sessions/40, 03-31 3/60 (in); 02-28 5/50 and 04-01 1/10 (out) → 5 sessions, 100
  resources: 03-15 money 1000.10, 03-20 in kind 500.25 (March: 1500.35, money 1000.10);
             2026-01-05 money 10000.00 (year 2026: 11500.35, money 11000.10); 2025-12-31 money 7.00 (out)
  teams: two founded 2025, one 2026-04-05 (after March: not counted for March); one organisation 2025
  projects: one active, one closed
  plan 2026: 4 teams, 10 activity sessions. As it stood on 31 March (a March figure counts nothing
    later): 2 teams (50 %), 10 sessions (100 %) → completion 75 %. For the year or April: 3 teams (75 %),
    11 sessions (capped 100 %) → 87.5 %
  staff: worker (certified), worker2 (uncertified since 2023-01-01: deadline 2025-01-01 passed)
集贤里 (jixianli, 北辰区): resolved in March after 10 h and 30 h (median 20 h); staff other_worker alone,
  uncertified (understaffed, no certified worker, deadline passed); satisfaction 2/2 (满意, 基本满意)
广开 (guangkai, 南开区): 3 requests received in March, 1 overdue; 1 activity of 7 sessions; ¥300 in March
"""

import datetime
from types import SimpleNamespace

import pytest
from freezegun import freeze_time

from projects.models import Project, Resource
from residents.models import Request
from stations.models import LockedMonth
from sws.reports import cycle
from tests.sws import factories as sf
from tests.sws.factories import at

NOW = "2026-04-10 04:00:00"  # UTC = 12:00 Asia/Shanghai
MARCH = {"period": "month", "from": "2026-03-01"}

S = Request.Status


@pytest.fixture
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def dataset(frozen, worker, worker2, other_worker, far_worker, guoyuan, jixianli, guangkai):
    chaoyangli = guoyuan.streets.first().communities.get(code="120113001009")
    r = SimpleNamespace()
    r.r1 = sf.store_request(
        guoyuan,
        received_at=at(2026, 3, 1),
        due_at=at(2026, 3, 2),
        resolved_at=at(2026, 3, 2),
        closed_at=at(2026, 3, 5),
        status=S.CLOSED,
        satisfaction=Request.Satisfaction.SATISFIED,
        assignee=worker,
        priority=1,
        category_obj=sf.category("照明灯具", sf.category("设施维修")),
    )
    r.r2 = sf.store_request(
        guoyuan,
        received_at=at(2026, 2, 28, 23, 59, 59),
        due_at=at(2026, 3, 3),
        resolved_at=at(2026, 3, 1, 11, 59, 59),
        closed_at=at(2026, 3, 10),
        status=S.CLOSED,
        satisfaction=Request.Satisfaction.DISSATISFIED,
        assignee=worker,
    )
    r.r3 = sf.store_request(
        guoyuan,
        received_at=at(2026, 3, 10, 8),
        due_at=at(2026, 3, 11, 8),
        resolved_at=at(2026, 3, 12, 8),
        status=S.RESOLVED,
        assignee=worker2,
        priority=2,
        category_obj=sf.category("司法救助", sf.category("法律/司法救助")),
    )
    r.r4 = sf.store_request(guoyuan, received_at=at(2026, 3, 31, 23, 59, 59), due_at=at(2026, 4, 30))
    r.r5 = sf.store_request(guoyuan, received_at=at(2026, 4, 1), due_at=at(2026, 4, 20))
    r.r6 = sf.store_request(
        guoyuan,
        received_at=at(2026, 3, 5),
        due_at=at(2026, 3, 6),
        status=S.IN_PROGRESS,
        assignee=worker2,
        priority=3,
    )
    r.r7 = sf.store_request(
        guoyuan,
        received_at=at(2026, 3, 20),
        due_at=at(2026, 3, 27),
        status=S.IN_PROGRESS,
        assignee=worker,
        priority=3,
        community=chaoyangli,
    )
    # 集贤里: two resolutions in March (10 h and 30 h), both followed up satisfied / fairly satisfied.
    r.j1 = sf.store_request(
        jixianli,
        received_at=at(2026, 3, 2, 8),
        resolved_at=at(2026, 3, 2, 18),
        closed_at=at(2026, 3, 4),
        status=S.CLOSED,
        satisfaction=Request.Satisfaction.SATISFIED,
    )
    r.j2 = sf.store_request(
        jixianli,
        received_at=at(2026, 3, 3, 8),
        resolved_at=at(2026, 3, 4, 14),
        closed_at=at(2026, 3, 6),
        status=S.CLOSED,
        satisfaction=Request.Satisfaction.FAIRLY,
    )
    # 广开 (南开区): never on 北辰区's pages.
    for day in (2, 3):
        sf.store_request(guangkai, received_at=at(2026, 3, day), due_at=at(2026, 5, 1))
    sf.store_request(guangkai, received_at=at(2026, 3, 4), due_at=at(2026, 3, 5), status=S.IN_PROGRESS)
    sf.make_activity(guangkai, datetime.date(2026, 3, 9), sessions=7, person_times=70)
    sf.make_resource(guangkai, datetime.date(2026, 3, 9), "300.00")

    for day, sessions, person_times in [
        (datetime.date(2026, 3, 1), 2, 40),
        (datetime.date(2026, 3, 31), 3, 60),
        (datetime.date(2026, 2, 28), 5, 50),
        (datetime.date(2026, 4, 1), 1, 10),
    ]:
        sf.make_activity(guoyuan, day, sessions=sessions, person_times=person_times)
    sf.make_resource(guoyuan, datetime.date(2026, 3, 15), "1000.10")
    sf.make_resource(guoyuan, datetime.date(2026, 3, 20), "500.25", kind=Resource.Kind.IN_KIND)
    sf.make_resource(guoyuan, datetime.date(2026, 1, 5), "10000.00")
    sf.make_resource(guoyuan, datetime.date(2025, 12, 31), "7.00")
    sf.make_team(guoyuan, datetime.date(2025, 5, 1), "针锋裁缝")
    sf.make_team(guoyuan, datetime.date(2025, 6, 1), "爱心扫把")
    sf.make_team(guoyuan, datetime.date(2026, 4, 5), "邻里串门")
    sf.make_organisation(guoyuan, datetime.date(2025, 7, 1), "便民维修")
    sf.make_project(guoyuan, title="老年智慧出行志愿服务行动")
    sf.make_project(guoyuan, status=Project.Status.CLOSED, start_date=datetime.date(2025, 1, 1))
    r.plan = sf.make_plan(guoyuan, 2026, target_volunteer_teams=4, target_activity_sessions=10)
    return r


# --- The monthly lock: 果园新村's March 2026 approved and locked (the clock at 2026-04-10) ---------------


@pytest.fixture
def locked(guoyuan, district_user):
    return LockedMonth.objects.create(station=guoyuan, month=sf.MARCH, locked_by=district_user)


@pytest.fixture
def permit(locked, worker, district_user):
    """A late-entry permit (补录) for March, open until 2026-04-15."""
    permit = cycle.request_late_entry(acting_user=worker, month=sf.IN_MARCH, reason="3月20日活动漏录")
    return cycle.decide_late_entry(
        acting_user=district_user,
        permit=permit,
        approve=True,
        open_until=datetime.date(2026, 4, 15),
        version=permit.version,
    )
