"""The demo seeder on a small hierarchy: every station gets its history of work (as long as
`--history-days`, at a station's usual yearly rate, never before it was founded), the report's examples
appear as themselves whatever the history's length, and a second run adds nothing."""

import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone

from demo import projects as demo
from projects.models import (
    Activity,
    AnnualPlan,
    CommunityFund,
    CommunityOrganisation,
    FundEntry,
    Partner,
    PlanEvent,
    Project,
    Resource,
    VolunteerTeam,
)
from projects.progress import plan_progress, progress_for_plans
from stations.models import Community, Station, User
from tests import factories as f

D = datetime.date

REPORT_STATIONS = [
    # district code, district, street code, street, community count
    ("120111000000", "西青区", "120111003000", "赤龙南街道", 5),
    ("120110000000", "东丽区", "120110009000", "金桥街道", 8),
    ("120114000000", "武清区", "120114002000", "下朱庄街道", 9),
    ("120103000000", "河西区", "120103003000", "桃园街道", 4),
]


@pytest.fixture
def city(worker, far_worker, district_user, guoyuan, guangkai):
    """The shared cast plus the report's other stations and 28 more with five communities each."""
    for district_code, district_name, street_code, street_name, n in REPORT_STATIONS:
        street = f.make_street(street_code, street_name, f.make_district(district_code, district_name))
        station = f.make_station(street, founded_on=D(2022, 3, 1))
        for i in range(1, n + 1):
            f.make_community(f"{street_code[:9]}{i:03d}", f"第{i}社区居委会", street)
        f.make_user(f"st-{street_code[:9]}-1", User.Role.STATION_HEAD, station=station)
    filler = f.make_district("120116000000", "滨海新区")
    f.make_user("dc-120116", User.Role.DISTRICT_STAFF, district=filler)
    for s in range(28):
        code = f"120116{100 + s:03d}000"
        street = f.make_street(code, f"示例{s}街道", filler)
        f.make_station(street, founded_on=D(2021, 9, 1))
        for i in range(1, 6):
            f.make_community(f"{code[:9]}{i:03d}", f"示例{s}-{i}社区居委会", street)
    return Station.objects.all()


HISTORIES = [183, 730, 1826]  # half a year, the default two years, five years


@pytest.fixture(params=HISTORIES, ids=lambda days: f"{days}d")
def history(request):
    return request.param


def _seed(history_days=None):
    out = io.StringIO()
    options = {"history_days": history_days} if history_days else {}
    demo.seed(options=options, rng=random.Random(2023), out=out)
    return out.getvalue()


def _floor(station, days):
    """The first day a station's history may have: `days` back, its founding, stations' start."""
    start = timezone.localdate() - datetime.timedelta(days=days - 1)
    return max(start, station.founded_on or start, D(2021, 7, 1))


def _station(code):
    return Station.objects.get(code=code)


def test_every_station_gets_two_years_of_work_by_default(city):
    _seed()
    today = timezone.localdate()
    for station in city:
        assert Project.objects.filter(station=station).count() >= 2, station
        assert Activity.objects.filter(station=station).exists(), station
        assert AnnualPlan.objects.filter(station=station, year=today.year).exists(), station
    dates = Activity.objects.values_list("date", flat=True)
    # Spread over the whole two years: the first week has activities, none is before the first day.
    first_day = today - datetime.timedelta(days=729)
    assert first_day <= min(dates) <= first_day + datetime.timedelta(days=6) and max(dates) <= today
    assert min(Resource.objects.values_list("date", flat=True)) >= today - datetime.timedelta(days=729)
    # Every fund's ledger stays at or above zero after each line, in date order.
    for fund in CommunityFund.objects.all():
        running = Decimal(0)
        for entry in fund.entries.order_by("date", "pk"):
            running += entry.amount if entry.direction == FundEntry.Direction.INFLOW else -entry.amount
            assert running >= 0, fund


def test_a_second_run_adds_nothing(city, history):
    _seed(history)
    models = [
        Project,
        Activity,
        Partner,
        Resource,
        VolunteerTeam,
        CommunityOrganisation,
        CommunityFund,
        FundEntry,
    ]
    models += [AnnualPlan, PlanEvent]
    before = {m: m.objects.count() for m in models}
    assert "未重复生成" in _seed(history)
    assert "未重复生成" in _seed(1826 if history != 1826 else 183)  # a longer history does not add either
    assert {m: m.objects.count() for m in models} == before


def test_guoyuan_smart_travel_project_at_chaoyangli(city, worker, chaoyangli, history):
    _seed(history)
    project = Project.objects.get(title="老年智慧出行志愿服务行动")
    assert project.station == worker.station and project.lead == worker
    assert list(project.communities.all()) == [chaoyangli]
    assert project.theme == Project.Theme.ELDERLY and project.is_featured
    assert project.activities.filter(communities=chaoyangli).count() == 3
    assert "一键叫车" in project.description
    # The plan in season waits for 北辰区's centre in the demo; out of season every plan is decided.
    today = timezone.localdate()
    season = demo.plan_season_year(today)
    plan = AnnualPlan.objects.get(station=worker.station, year=season or today.year)
    assert plan.status == (AnnualPlan.Status.SUBMITTED if season else AnnualPlan.Status.APPROVED)


def test_chilongnan_organisations_teams_and_resources(city, history):
    _seed(history)
    station = _station("120111003")
    organisations = set(CommunityOrganisation.objects.filter(station=station).values_list("name", flat=True))
    teams = set(VolunteerTeam.objects.filter(station=station).values_list("name", flat=True))
    assert len(organisations) == 5 and {"邻里串门", "便民维修", "文艺指导"} <= organisations
    assert len(teams) == 18 and {"针锋裁缝", "助困陪诊", "爱心扫把"} <= teams
    total = Resource.objects.filter(station=station).total()
    assert total == Decimal("41260.00") and total > 40000


def test_jinqiao_fund_with_its_three_channels(city, history):
    _seed(history)
    fund = CommunityFund.objects.get(name="金桥街道社区基金")
    channels = set(fund.entries.filter(direction="in").values_list("channel", flat=True))
    assert channels == {"lottery", "enterprise", "residents"}
    purposes = set(fund.entries.filter(direction="out").values_list("purpose", flat=True))
    assert purposes == {"recipient_aid", "service_venue", "organisations"}
    assert fund.balance() == CommunityFund.objects.with_balance().get(pk=fund.pk).balance > 0
    assert fund.communities.count() == 2
    teams = set(VolunteerTeam.objects.filter(station=fund.station).values_list("name", flat=True))
    assert {"公益慈善服务队", "小巷管家"} <= teams


def test_xiazhuzhuang_growing_up_home_for_migrant_children(city, history):
    _seed(history)
    project = Project.objects.get(title="在成长生活馆")
    assert project.station.code == "120114002"
    assert project.start_date == D(2023, 8, 1) and project.end_date is None
    assert project.status == Project.Status.ACTIVE and project.theme == Project.Theme.CHILDREN
    assert set(project.target_groups.values_list("name", flat=True)) == {"流动儿童", "儿童"}
    assert set(project.activities.values_list("method", flat=True)) == {"casework", "group", "community"}
    assert CommunityFund.objects.filter(station=project.station, name="在成长生活馆社区基金").exists()


def test_taoyuan_figures(city, history):
    _seed(history)
    station = _station("120103003")
    totals = Activity.objects.filter(station=station).totals()
    assert (totals["sessions"], totals["person_times"]) == (43, 3420)
    assert Partner.objects.filter(station=station).count() == 52
    assert Resource.objects.filter(station=station).total() == Decimal("135700.00")
    assert VolunteerTeam.objects.filter(station=station).count() == 8


def test_five_society_linkage_reaches_140_communities_with_486_workers(city, history):
    _seed(history)
    projects = Project.objects.filter(theme=Project.Theme.FIVE_SOCIETY)
    assert projects.aggregate(n=Sum("workers_involved"))["n"] == 486
    reached = projects.aggregate(n=Count("communities", distinct=True))["n"]
    assert reached == 140


def test_plans_show_progress(city, history):
    _seed(history)
    today = timezone.localdate()
    season = demo.plan_season_year(today)
    year = season or today.year  # the plan being written now, or this year's (decided) out of season
    plans = AnnualPlan.objects.filter(year=year)
    assert plans.count() == len(city)
    statuses = set(plans.values_list("status", flat=True))
    assert {"submitted", "approved"} <= statuses <= {"draft", "submitted", "approved", "returned"}
    if history == 730 and season:  # the default city shows every status in season (one draw)
        assert statuses == {"draft", "submitted", "approved", "returned"}
    reviewers = {u.district_id: u for u in User.objects.filter(role=User.Role.DISTRICT_STAFF)}
    for plan in plans.filter(status__in=["approved", "returned"]):
        # only 北辰区 and 滨海新区 have a district centre account here
        assert plan.decided_by == reviewers[plan.station.district_id]
    # Without a district centre account nobody could have decided: such plans wait as submitted.
    assert not plans.filter(status__in=["approved", "returned"]).exclude(station__district__in=reviewers)
    rows = {r.key: r for r in plan_progress(_station("120103003").plans.get(year=year))}
    assert rows["volunteer_teams"].actual == 8 and rows["volunteer_teams"].target >= 8
    returned = plans.filter(status="returned").first()
    assert returned is None or returned.review_comment
    for plan in plans.exclude(status="draft"):
        assert plan.events.filter(action="submitted").exists()


FILLER = "120116"  # the 28 generic stations of 滨海新区, founded 2021-09-01, with a district centre account


def test_five_years_of_history_never_before_founding(city):
    _seed(1826)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=1825)
    for station in city:
        floor = _floor(station, 1826 if station.code != demo.TAOYUAN else 365)  # 桃园: the report's year
        dates = Activity.objects.filter(station=station).aggregate(lo=Min("date"), hi=Max("date"))
        assert floor <= dates["lo"] <= floor + datetime.timedelta(days=90), station
        assert dates["hi"] <= today
        for model, field in [(Resource, "date"), (Project, "start_date")]:
            assert model.objects.filter(station=station, **{f"{field}__lt": floor}).count() == 0, (
                model,
                station,
            )
        assert not FundEntry.objects.filter(fund__station=station, date__lt=floor).exclude(
            fund__name="在成长生活馆社区基金"  # the report's fund, open since August 2023
        )
    # The generic stations' work goes back the whole five years, at a station's usual yearly rate:
    # 30–60 activities and 2–6 trainings a year.
    fillers = Activity.objects.filter(station__code__startswith=FILLER)
    assert fillers.aggregate(lo=Min("date"))["lo"] <= start + datetime.timedelta(days=14)
    for station_id, n in fillers.values_list("station").annotate(n=Count("pk")):
        assert 5 * 32 <= n <= 5 * 66, station_id
    # Founded later than five years ago (the report's stations: 2022-03-01): nothing before that day.
    jinqiao = _station("120110009")
    assert Activity.objects.filter(station=jinqiao).aggregate(lo=Min("date"))["lo"] >= D(2022, 3, 1)
    # Projects of past years are mostly wound up; the ones recorded with activities ran at the time.
    old = Project.objects.filter(start_date__lt=today - datetime.timedelta(days=730))
    assert old.count() > 100
    assert old.filter(status=Project.Status.CLOSED).count() >= 0.7 * old.count()
    linked = Activity.objects.filter(project__isnull=False)
    assert linked.count() > 1000
    assert not linked.filter(date__lt=F("project__start_date"))
    assert not linked.filter(date__gt=F("project__end_date"))
    # Every fund's ledger stays at or above zero after each line, over all its years.
    for fund in CommunityFund.objects.all():
        running = Decimal(0)
        for entry in fund.entries.order_by("date", "pk"):
            running += entry.amount if entry.direction == FundEntry.Direction.INFLOW else -entry.amount
            assert running >= 0, fund


def test_a_plan_for_every_year_of_the_history(city):
    _seed(1826)
    today = timezone.localdate()
    deciding = set(User.objects.filter(role=User.Role.DISTRICT_STAFF).values_list("district", flat=True))
    assert len(deciding) == 2  # 北辰区 and 滨海新区 have a district centre account here
    for station in city:
        floor = _floor(station, 1826 if station.code != demo.TAOYUAN else 365)
        plans = AnnualPlan.objects.filter(station=station)
        last = today.year + 1 if demo.plan_season_year(today) == today.year + 1 else today.year
        assert sorted(plans.values_list("year", flat=True)) == list(range(floor.year, last + 1)), station
        past = plans.filter(year__lt=today.year)
        # Past years were decided by the district, where it has an account; elsewhere they wait submitted.
        expected = "approved" if station.district_id in deciding else "submitted"
        assert set(past.values_list("status", flat=True)) <= {expected}, station
        for plan in past:
            assert plan.target_registered_residents is None  # the registry is this year's work
            assert plan.events.filter(action="submitted").exists()
            written = plan.events.get(action="created").at.date()
            assert written.year == plan.year and written >= (station.founded_on or written)
    # A year the history covers whole: targets near what the station did (by the median station).
    year = today.year - 2
    plans = AnnualPlan.objects.filter(year=year, station__code__startswith=FILLER)
    percents = sorted(
        row.percent
        for rows in progress_for_plans(plans).values()
        for row in rows
        if row.key in ("activity_sessions", "person_times")
    )
    assert len(percents) == 2 * 28 and 75 <= percents[len(percents) // 2] <= 125
    assert plans.filter(status="approved").count() == 28


DRAWN_ON = datetime.date(2026, 12, 1)  # 滨海新区's stations (founded 2021-09-01) are then over five years old


def _drawn(days, city):
    """What the seeder would write for `days` of history (nothing is saved), summed over 滨海新区.

    One fixed day and seed: with ~28 stations a draw's count varies by ~6 %, so a ratio of two draws
    taken on whatever day the suite runs fell outside the band now and then."""
    drawer = demo.Drawer(random.Random(2023), DRAWN_ON, days)
    communities = {s.pk: list(Community.objects.filter(street__station=s).order_by("code")) for s in city}
    stations = list(Station.objects.select_related("district").order_by("code"))
    draws = [d for d in demo.draw_city(drawer, stations, communities) if d.station.code.startswith(FILLER)]
    return {
        "activities": sum(len(d.activities) for d in draws),
        "resources": sum(len(d.resources) for d in draws),
        "partners": sum(len(d.partners) for d in draws),
        "projects": sum(len(d.projects) for d in draws if d.projects),
        "fund_entries": sum(len(entries) for d in draws for _, _, entries in d.funds),
    }


def test_work_grows_in_proportion_to_the_history(city):
    one, two, five = (_drawn(days, city) for days in (365, 730, 1826))
    for key in ("activities", "resources", "partners"):
        assert 1.8 <= two[key] / one[key] <= 2.2, key
        assert 4.5 <= five[key] / one[key] <= 5.5, key  # 滨海新区's stations are older than five years
    assert 1.6 <= two["projects"] / one["projects"] <= 2.4
    assert 3.5 <= five["projects"] / one["projects"] <= 6  # five_society's projects stay in the last year
    assert five["fund_entries"] > 2 * one["fund_entries"]
    # The same rate, saved: one year of history writes what a year always wrote (30–60 + 2–6 a station).
    _seed(365)
    for station_id, n in (
        Activity.objects.filter(station__code__startswith=FILLER)
        .values_list("station")
        .annotate(n=Count("pk"))
    ):
        assert 32 <= n <= 66, station_id


# --- What a user notices (issue 15, item 22) ------------------------------------------------------------
SEASONAL = {"新年联欢活动": {12, 1, 2}, "敬老月主题活动": {10}}


def test_seasonal_activities_are_dated_in_their_season(city):
    _seed(1826)
    for title, months in SEASONAL.items():
        dates = list(Activity.objects.filter(title=title).values_list("date", flat=True))
        assert dates, title  # five years of stations: the title is still used
        assert [d for d in dates if d.month not in months] == [], title


def test_partner_names_are_not_numbered_duplicates(city):
    _seed(1826)
    names = list(Partner.objects.values_list("station", "name"))
    assert len(names) == len(set(names))
    assert [name for _, name in names if re.search(r"（\d+）$", name)] == []


def test_the_charging_project_has_its_activities_and_only_the_charging_requests(city, far_worker, hualinyuan):
    from demo import residents as residents_demo
    from demo.stories import EBIKE_COMPANY
    from tests.factories import make_request

    residents_demo.seed(options={"requests": 0}, rng=random.Random(7), out=io.StringIO())
    unrelated = make_request(
        far_worker.station, hualinyuan, user=far_worker, description="老人的助听器不会充电。"
    )
    _seed()
    project = Project.objects.get(title="存车处电动自行车安全充电设施项目")
    linked = list(project.requests.all())
    assert len(linked) == 3 and unrelated not in linked
    assert all(r.referrals.filter(organisation=EBIKE_COMPANY).exists() for r in linked)
    # The project began when the residents' requests were referred, and has its own activities.
    assert project.start_date <= min(r.received_at for r in linked).date() + datetime.timedelta(days=7)
    activities = list(project.activities.all())
    assert len(activities) >= 3
    assert all(project.start_date <= a.date <= timezone.localdate() for a in activities)
    assert any("充电" in a.title for a in activities)


def _in_season_year(today):
    """The plan year being written and decided on `today`: this year's until March, next year's from
    November, none between."""
    return today.year if today.month <= 3 else today.year + 1 if today.month >= 11 else None


@pytest.mark.parametrize("now", ["2026-12-03 10:00:00", "2026-07-01 10:00:00", "2026-02-10 10:00:00"])
def test_no_plan_waits_out_of_season(city, now):
    from freezegun import freeze_time

    with freeze_time(now):
        today = timezone.localdate()
        _seed(365)
        deciding = set(User.objects.filter(role=User.Role.DISTRICT_STAFF).values_list("district", flat=True))
        season = _in_season_year(today)
        out_of_season = AnnualPlan.objects.exclude(year=season).filter(station__district__in=deciding)
        assert set(out_of_season.values_list("status", flat=True)) == {"approved"}
        assert AnnualPlan.objects.filter(year__gt=today.year + (1 if today.month >= 11 else 0)).count() == 0
        guoyuan = AnnualPlan.objects.filter(station__code=demo.GUOYUAN)
        if season is None:
            assert not guoyuan.exclude(status="approved").exists()
        else:
            # 果园新村's plan of the season waits for 北辰区's centre, submitted before today.
            plan = guoyuan.get(year=season)
            assert plan.status == "submitted" and plan.submitted_at <= timezone.now()
        for plan in AnnualPlan.objects.exclude(decided_at=None):
            assert plan.decided_at <= timezone.now()
