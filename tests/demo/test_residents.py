"""The demo seeder for residents and requests: counts, valid data, consistent timelines, idempotence,
and the report's cases as themselves. Runs on the shared cast's small hierarchy."""

import datetime
import io
import random
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demo import residents as demo
from demo.stories import EBIKE_COMPANY, STORY_TOKENS
from residents import crypto, services
from residents.models import (
    Category,
    ReferenceCounter,
    Referral,
    Request,
    Resident,
    ResponseTarget,
    Severity,
    TimelineEvent,
    Urgency,
    priority_for,
)
from residents.validators import id_birth_date, id_gender, validate_id_number
from tests.residents.factories import make_request

Status = Request.Status


def ensure_categories():
    """What the seeder looks up by name; the data migration normally provides them."""
    tree = {
        ("生活照料", Severity.MILD, Urgency.NOT_URGENT): [],
        ("设施维修", Severity.MILD, Urgency.URGENT): [
            ("照明灯具", Severity.MILD, Urgency.URGENT),
            ("电动自行车充电", Severity.SEVERE, Urgency.NOT_URGENT),
        ],
        ("法律/司法救助", Severity.SEVERE, Urgency.NOT_URGENT): [
            ("司法救助", Severity.SEVERE, Urgency.URGENT)
        ],
        ("活动需求", Severity.MILD, Urgency.NOT_URGENT): [
            ("社区文化活动", Severity.MILD, Urgency.NOT_URGENT)
        ],
    }
    for (name, severity, urgency), children in tree.items():
        parent, _ = Category.objects.get_or_create(
            name=name, parent=None, defaults={"default_severity": severity, "default_urgency": urgency}
        )
        for child, child_severity, child_urgency in children:
            Category.objects.get_or_create(
                name=child,
                parent=parent,
                defaults={"default_severity": child_severity, "default_urgency": child_urgency},
            )


@pytest.fixture
def city(worker, worker2, other_worker, far_worker, chaoyangli, tailaixili, hualinyuan):
    """The shared cast's three stations, five communities and four workers, plus categories."""
    ensure_categories()
    return {"guoyuan": worker.station, "guangkai": far_worker.station, "worker": worker}


def run(requests, residents=None, seed=7, history_days=None, backlog=None):
    out = io.StringIO()
    options = {"requests": requests, "residents": residents, "history_days": history_days, "backlog": backlog}
    demo.seed(options=options, rng=random.Random(seed), out=out)
    return out.getvalue()


def counts():
    return (
        Resident.objects.count(),
        Request.objects.count(),
        TimelineEvent.objects.count(),
        Referral.objects.count(),
    )


def test_it_seeds_residents_and_requests_across_all_stations(city):
    output = run(400, residents=120, history_days=20)  # busy enough that some are still new
    assert Request.objects.count() == 400
    assert Resident.objects.count() >= 120
    for station_requests in Request.objects.values("station").annotate(
        n=__import__("django").db.models.Count("pk")
    ):
        assert station_requests["n"] > 0
    assert Request.objects.values("station").distinct().count() == 3
    assert "requests: 394/394" in output  # progress lines, after the report's six cases
    # Every channel a worker records at the station; 网上提交 (the Open311 face) and 志愿者上报 (the
    # volunteer reporters' own form) arrive through their own paths, not through this phase.
    channels = set(Request.objects.values_list("channel", flat=True))
    assert channels == set(Request.Channel.values) - {Request.Channel.ONLINE, Request.Channel.VOLUNTEER}
    statuses = set(Request.objects.values_list("status", flat=True))
    assert {Status.NEW, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED} <= statuses
    assert Request.objects.overdue().exists()
    assert Request.objects.filter(status=Status.CLOSED).exclude(satisfaction="").exists()
    assert Referral.objects.exists()
    # The QR form never links a resident; residents belong to the request's community.
    assert not Request.objects.filter(channel=Request.Channel.QR, resident__isnull=False).exists()
    for request in Request.objects.filter(resident__isnull=False).select_related("resident"):
        assert request.resident.community_id == request.community_id


def test_requests_come_in_at_a_steady_rate_over_the_history(city):
    run(2000, residents=100, history_days=400)
    now = timezone.now()
    ages = [(now - at).days for at in Request.objects.values_list("received_at", flat=True)]
    assert 390 <= max(ages) <= 400
    recent, early = sum(a < 100 for a in ages), sum(300 <= a < 400 for a in ages)
    assert 400 <= recent <= 600 and 400 <= early <= 600  # a quarter of the history holds a quarter of them
    # Residents were registered before the history began: no request predates its resident (the report's
    # cases bring their own residents).
    linked = Request.objects.filter(resident__isnull=False).exclude(
        submission_token__in=STORY_TOKENS.values()
    )
    assert linked.count() > 500
    assert not linked.filter(resident__created_at__gt=F("received_at")).exists()


def test_old_requests_are_finished_so_the_backlog_is_recent(city):
    run(3000, residents=100, history_days=730)
    old = Request.objects.filter(received_at__lt=timezone.now() - datetime.timedelta(days=150))
    assert old.count() > 2000
    # Stalled cases and missed follow-up calls are recent ones: an old one has been chased and finished
    # (only a very long resolution, the lognormal tail, may still run).
    assert old.open().count() <= old.count() * 0.002
    assert not old.filter(status=Status.RESOLVED).exists()
    recent = Request.objects.filter(received_at__gte=timezone.now() - datetime.timedelta(days=50))
    assert recent.open().exists() and recent.filter(status=Status.RESOLVED).exists()


def test_a_city_falling_behind_keeps_stalled_and_untriaged_requests_open_for_longer(city):
    run(3000, residents=100, history_days=730, backlog=10)  # stalled within 600 days, not 60
    now = timezone.now()
    between = Request.objects.filter(
        received_at__lt=now - datetime.timedelta(days=90), received_at__gte=now - datetime.timedelta(days=590)
    )
    assert between.open().count() >= between.count() * 0.01  # 1 % stalled, 0.5 % untriaged
    untriaged = between.filter(status=Status.NEW, assignee__isnull=True)
    assert untriaged.exists() and untriaged.count() == untriaged.overdue().count()
    assert between.filter(status=Status.RESOLVED).exists()  # still waiting for the follow-up call
    older = Request.objects.filter(received_at__lt=now - datetime.timedelta(days=620))
    assert older.count() > 300 and older.open().count() <= older.count() * 0.003
    assert not older.filter(status=Status.RESOLVED).exists()


class _Keys:
    def one(self):
        return 1


def _open_backlog(city_info, per_day, days, backlog, rng):
    """Open requests of a city taking `per_day` requests a day for `days` days, as the seeder's stories
    leave them now (nothing written), and how many of them nobody has triaged for three days."""
    now = timezone.localtime()
    story = demo.Story(city_info, now, 7, _Keys(), backlog)
    station = next(s for s in city_info.stations if s.workers)
    statuses = []
    for pk in range(int(per_day * days)):
        received = now - datetime.timedelta(seconds=days * 86400 * rng.random())
        story.live(rng, pk, received, station, city_info.category(rng), None)
        untriaged = story.status == Status.NEW and now - received > datetime.timedelta(days=3)
        statuses.append((story.status, untriaged))
    opened = [untriaged for status, untriaged in statuses if status in Request.OPEN_STATUSES]
    return len(opened), sum(opened)


def test_the_busy_scenario_has_about_ten_times_the_open_backlog(city):
    """bench.run --scenario busy: five times the daily volume and --backlog 10 give about ten times the
    open requests of today's city (the 1,000,000-request one), whatever the city's size."""
    from bench.run import CITY_REQUESTS_PER_DAY, SCENARIOS

    busy = SCENARIOS["busy"]
    assert busy["backlog"] == 10 and busy["per_day"] == 5 * CITY_REQUESTS_PER_DAY
    city_info, rng = demo.City.load(), random.Random(3)
    today, today_untriaged = _open_backlog(city_info, 40, 120, 1, rng)  # longer than any story runs
    busier, busier_untriaged = _open_backlog(city_info, 40 * 5, 700, busy["backlog"], rng)
    assert today_untriaged == 0 and busier_untriaged > 0.003 * 200 * 600
    assert 8 <= busier / today <= 14


def test_residents_have_valid_id_numbers_matching_birth_date_and_gender(city):
    run(50, residents=300)
    today = timezone.localdate()
    ages = []
    for resident in Resident.objects.all():
        assert validate_id_number(resident.id_number) == resident.id_number  # GB 11643 check digit
        assert id_birth_date(resident.id_number) == resident.birth_date
        assert id_gender(resident.id_number) == resident.gender
        assert resident.id_tail == crypto.tail_digest(resident.id_number[-4:])  # keyed, not the plain tail
        assert resident.id_number_hash == crypto.lookup_hash(resident.id_number)
        ages.append(resident.age(today))
    assert any(age >= 80 for age in ages), "some elderly 80+"
    assert any(age < 18 for age in ages), "some children"
    assert Resident.objects.filter(tags__name="独居老人").exists()


def test_statuses_agree_with_timelines_and_timestamps(city):
    run(400, residents=80)
    now = timezone.now()
    hours = {p: ResponseTarget.hours_for(p) for p in (1, 2, 3, 4)}
    workers = {}
    for request in Request.objects.prefetch_related("events", "referrals"):
        events = list(request.events.all())
        assert events[0].kind == TimelineEvent.Kind.CREATED and events[0].to_status == Status.NEW
        assert events[0].at == request.received_at
        assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
        assert events[-1].at <= now
        # Replaying the status changes gives the request's status.
        status = Status.NEW
        for event in events[1:]:
            if event.to_status:
                assert event.from_status == status, request.reference
                assert Request(status=status).can_move_to(event.to_status) or event.to_status == status
                status = event.to_status
        assert status == request.status, request.reference
        assert request.priority == priority_for(request.severity, request.urgency)
        assert request.due_at == request.received_at + datetime.timedelta(hours=hours[request.priority])
        if request.status in (Status.RESOLVED, Status.CLOSED):
            assert request.received_at < request.resolved_at <= now
            assert request.follow_up_due_on == timezone.localtime(
                request.resolved_at
            ).date() + datetime.timedelta(days=7)
        else:
            assert request.resolved_at is None
        if request.status == Status.CLOSED:
            assert request.resolved_at < request.closed_at <= now
            assert request.satisfaction
        if request.status in (Status.WITHDRAWN, Status.REJECTED):
            assert request.closed_at and request.close_kind and request.close_reason
        if request.status in Request.OPEN_STATUSES:
            assert request.closed_at is None and not request.satisfaction
        if request.assignee_id:
            workers.setdefault(request.station_id, set(request.station.users.values_list("pk", flat=True)))
            assert request.assignee_id in workers[request.station_id]
        else:  # not taken yet: new, or triaged just before now
            assert request.status in (Status.NEW, Status.TRIAGED), request.reference
            assert all(event.kind != TimelineEvent.Kind.ASSIGNED for event in events)
        for referral in request.referrals.all():
            assert any(
                e.kind == TimelineEvent.Kind.REFERRAL and e.data["referral"] == referral.pk for e in events
            )


def test_reference_numbers_are_unique_and_the_counters_carry_on(city, chaoyangli):
    run(300, residents=30)
    pattern = re.compile(r"^(\d{9})-(\d{4})-(\d{5})$")
    highest = {}
    for reference, code, received in Request.objects.values_list("reference", "station__code", "received_at"):
        station_code, year, number = pattern.match(reference).groups()
        assert station_code == code
        assert int(year) == timezone.localtime(received).year
        key = (code, int(year))
        highest[key] = max(highest.get(key, 0), int(number))
    for counter in ReferenceCounter.objects.select_related("station"):
        assert counter.last_number == highest.get((counter.station.code, counter.year), 0)
    assert len(highest) == ReferenceCounter.objects.count()
    # Live intake after seeding continues after the seeded numbers.
    category = Category.objects.get(name="生活照料", parent=None)
    created = services.create_request(
        acting_user=city["worker"],
        station=city["guoyuan"],
        community=chaoyangli,
        category=category,
        description="换灯泡",
        severity=category.default_severity,
        urgency=category.default_urgency,
        channel=Request.Channel.PHONE,
    )
    year = timezone.localdate().year
    assert int(created.reference.rsplit("-", 1)[1]) == highest[(city["guoyuan"].code, year)] + 1


def test_a_second_run_adds_nothing_and_a_larger_one_tops_up(city):
    run(200, residents=40)
    before = counts()
    output = run(200, residents=40, seed=99)
    assert counts() == before
    assert "nothing to add" in output and "already there" in output
    run(260, residents=50, seed=5)
    assert Request.objects.count() == 260
    assert Resident.objects.count() == 50  # topped up to the target (the stories' residents count too)
    assert Request.objects.values("reference").distinct().count() == 260


def test_the_reports_cases_exist(city, worker):
    run(20, residents=20)
    stories = {token: Request.objects.get(submission_token=token) for token in STORY_TOKENS.values()}
    guoyuan = city["guoyuan"]

    aid = stories[STORY_TOKENS["judicial-aid"]]
    assert aid.station == guoyuan and aid.assignee == worker
    assert aid.category.name == "司法救助" and aid.is_open
    assert aid.resident.is_minor and aid.resident.tags.filter(name="困境儿童").exists()
    assert "司法救助" in aid.description

    bulb = stories[STORY_TOKENS["light-bulb"]]
    assert bulb.station == guoyuan and bulb.status == Status.RESOLVED
    assert bulb.resident.is_elderly and bulb.resident.tags.filter(name="独居老人").exists()
    assert "换灯泡" in bulb.description
    assert bulb in Request.objects.follow_up_due()

    new_year = stories[STORY_TOKENS["new-year"]]
    assert new_year.station == guoyuan and new_year.channel == Request.Channel.COMMITTEE
    assert "新年活动" in new_year.description and new_year.community.name.startswith("旭日里")

    for key in ("ebike", "ebike-2", "ebike-3"):
        ebike = stories[STORY_TOKENS[key]]
        assert ebike.station == city["guangkai"] and ebike.status == Status.CLOSED
        assert ebike.satisfaction == Request.Satisfaction.SATISFIED
        referral = ebike.referrals.get()
        assert referral.organisation == EBIKE_COMPANY and referral.outcome == Referral.Outcome.DONE
        assert "充电" in ebike.description
    # Their timelines replay to their statuses, like every other request's.
    for request in stories.values():
        events = list(request.events.order_by("at", "pk"))
        assert [e.to_status for e in events if e.to_status][-1] == request.status


def test_no_query_per_row(city):
    run(10, residents=10)
    with CaptureQueriesContext(connection) as small:
        run(60, residents=60)
    with CaptureQueriesContext(connection) as large:
        run(1500, residents=900)
    assert len(large) == len(small)


def test_nothing_to_seed_without_stations(db):
    output = run(100)
    assert "nothing to seed" in output
    assert not Request.objects.exists()


# --- the timeline's texts: one source, the workflow's ---------------------------------------------------
TEXT_KINDS = {
    "triaged": TimelineEvent.Kind.TRIAGED,
    "assigned": TimelineEvent.Kind.ASSIGNED,
    "referred": TimelineEvent.Kind.REFERRAL,
    "referral_outcome": TimelineEvent.Kind.REFERRAL_OUTCOME,
    "followed_up": TimelineEvent.Kind.FOLLOW_UP,
}


def test_the_demo_writes_the_workflows_timeline_texts(city, monkeypatch):
    """The demo's events say what the services' say because both call residents.timeline's helpers:
    replace a helper and both the workflow and the demo write the replacement."""
    from residents import timeline

    for name in [*TEXT_KINDS, "closed"]:
        monkeypatch.setattr(timeline, name, lambda *args, _name=name, **kwargs: f"<{_name}>")
    run(300, residents=60, history_days=60, seed=11)
    for name, kind in TEXT_KINDS.items():
        texts = set(TimelineEvent.objects.filter(kind=kind).values_list("text", flat=True))
        assert texts == {f"<{name}>"}, name
    closings = TimelineEvent.objects.filter(
        kind=TimelineEvent.Kind.STATUS, to_status__in=[Status.WITHDRAWN, Status.REJECTED]
    )
    assert closings.exists()
    assert set(closings.values_list("text", flat=True)) == {"<closed>"}
    resumed = TimelineEvent.objects.filter(
        kind=TimelineEvent.Kind.STATUS, from_status=Status.REFERRED, to_status=Status.IN_PROGRESS
    )
    assert resumed.exists()
    assert set(resumed.values_list("text", flat=True)) == {timeline.RESUMED_AFTER_REFERRAL}

    # The workflow writes through the same helpers.
    worker = city["worker"]
    request = make_request(worker.station, user=worker)
    services.triage_request(
        acting_user=worker, request=request, severity=Severity.SEVERE, urgency=Urgency.URGENT
    )
    services.assign_request(acting_user=worker, request=request, assignee=worker)
    services.start_request(acting_user=worker, request=request)
    referral = services.refer_request(
        acting_user=worker, request=request, organisation="区民政局", reason="协助"
    )
    services.record_referral_outcome(acting_user=worker, referral=referral, outcome=Referral.Outcome.DONE)
    services.start_request(acting_user=worker, request=request)
    services.resolve_request(acting_user=worker, request=request, note="已办结")
    services.follow_up_request(
        acting_user=worker, request=request, satisfaction=Request.Satisfaction.SATISFIED
    )
    events = TimelineEvent.objects.filter(request=request)
    for name, kind in TEXT_KINDS.items():
        assert set(events.filter(kind=kind).values_list("text", flat=True)) == {f"<{name}>"}, name
    assert events.filter(from_status=Status.REFERRED, text=timeline.RESUMED_AFTER_REFERRAL).exists()
    other = make_request(worker.station, user=worker)
    services.withdraw_request(
        acting_user=worker, request=other, kind=Request.CloseKind.RESIDENT, reason="居民已自行解决"
    )
    assert TimelineEvent.objects.filter(request=other, to_status=Status.WITHDRAWN).get().text == "<closed>"


def test_the_timeline_helpers_write_what_the_workflow_always_wrote():
    from residents import timeline

    assert timeline.triaged("重", "急", 1, 3) == "重急，P1（原P3）"
    assert timeline.assigned("徐芃泽") == "指派给徐芃泽"
    assert timeline.assigned("徐芃泽", "史博") == "指派给徐芃泽（原承办：史博）"
    assert timeline.handed_over("徐芃泽", "史博") == "离任移交：指派给徐芃泽（原承办：史博）"
    assert timeline.referred("区民政局", "协助") == "转介至区民政局：协助"
    assert timeline.referral_outcome("区民政局", "已办结") == "区民政局：已办结"
    assert timeline.referral_outcome("区民政局", "已办结", "好") == "区民政局：已办结。好"
    assert timeline.followed_up("满意") == "回访：满意"
    assert timeline.followed_up("满意", "好") == "回访：满意。好"
    assert timeline.closed("重复诉求", "重复") == "重复诉求：重复"
    assert timeline.RESUMED_AFTER_REFERRAL == "转介后继续办理"
