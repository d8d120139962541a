"""The case workflow services: every transition allowed and refused, what each step records, and the
optimistic lock (a stale version is refused, nothing is overwritten)."""

import datetime

import pytest
from django.utils import timezone

from residents import services
from residents.models import Referral, Request, TimelineEvent
from stations.audit import RecordImmutable
from stations.locking import STALE_MESSAGE
from tests.factories import make_request

S = Request.Status
ALL_STATUSES = list(S)


def _kwargs(action, worker2):
    return {
        "triage": {"severity": "severe", "urgency": "urgent"},
        "assign": {"assignee": worker2},
        "start": {},
        "refer": {"organisation": "北辰区法律援助中心", "reason": "需要司法救助"},
        "referral_outcome": {"outcome": "accepted", "note": "已接收"},
        "resolve": {"note": "已更换灯泡"},
        "follow_up": {"satisfaction": "satisfied", "note": "居民满意"},
        "reopen": {"reason": "灯又坏了"},
        "withdraw": {"kind": "resident", "reason": "居民已自行解决"},
        "reject": {"kind": "out_of_scope", "reason": "属物业职责"},
        "note": {"text": "已电话联系居民"},
    }[action]


def _run(action, request, acting_user, worker2, version=None):
    kwargs = _kwargs(action, worker2)
    if action == "note":
        return services.add_note(acting_user=acting_user, request=request, **kwargs)
    if action == "referral_outcome":
        referral = Referral.objects.create(
            request=request, organisation="街道司法所", reason="法律咨询", referred_by=acting_user
        )
        referral.request = request
        return services.record_referral_outcome(
            acting_user=acting_user, referral=referral, version=version, **kwargs
        )
    service = {
        "triage": services.triage_request,
        "assign": services.assign_request,
        "start": services.start_request,
        "refer": services.refer_request,
        "resolve": services.resolve_request,
        "follow_up": services.follow_up_request,
        "reopen": services.reopen_request,
        "withdraw": services.withdraw_request,
        "reject": services.reject_request,
    }[action]
    return service(acting_user=acting_user, request=request, version=version, **kwargs)


EXPECTED = {
    "start": S.IN_PROGRESS,
    "refer": S.REFERRED,
    "resolve": S.RESOLVED,
    "follow_up": S.CLOSED,
    "reopen": S.IN_PROGRESS,
    "withdraw": S.WITHDRAWN,
    "reject": S.REJECTED,
}

CASES = [(action, status) for action in Request.ACTION_FROM for status in ALL_STATUSES]


@pytest.mark.django_db
@pytest.mark.parametrize("action, status", CASES)
def test_every_transition_is_allowed_or_refused(action, status, guoyuan, worker, worker2):
    request = make_request(guoyuan, user=worker, status=status)
    version, events = request.version, request.events.count()
    allowed = status in Request.ACTION_FROM[action]
    if allowed:
        _run(action, request, worker, worker2, version=version)
        request.refresh_from_db()
        if action == "triage":
            assert request.status == (S.TRIAGED if status == S.NEW else status)
        else:
            assert request.status == EXPECTED.get(action, status)
        assert request.events.count() == events + 1
        assert request.version == (version if action == "note" else version + 1)
    else:
        with pytest.raises(services.WorkflowError) as error:
            _run(action, request, worker, worker2, version=version)
        assert "不能执行" in error.value.messages[0]
        request.refresh_from_db()
        assert request.status == status and request.version == version
        assert request.events.count() == events


@pytest.mark.django_db
def test_full_case_from_intake_to_follow_up(guoyuan, worker, worker2):
    request = make_request(guoyuan, user=worker)
    services.triage_request(acting_user=worker, request=request, severity="severe", urgency="urgent")
    assert (request.status, request.priority) == (S.TRIAGED, 1)
    assert request.due_at == request.received_at + datetime.timedelta(hours=24)
    services.assign_request(acting_user=worker, request=request, assignee=worker2)
    services.start_request(acting_user=worker2, request=request)
    referral = services.refer_request(
        acting_user=worker2, request=request, organisation="北辰区法律援助中心", reason="需要司法救助"
    )
    assert request.status == S.REFERRED and referral.outcome == Referral.Outcome.PENDING
    services.record_referral_outcome(acting_user=worker2, referral=referral, outcome="done", note="已办结")
    services.resolve_request(acting_user=worker2, request=request, note="援助中心已受理并办结")
    services.follow_up_request(acting_user=worker, request=request, satisfaction="satisfied", note="很满意")
    request.refresh_from_db()
    assert request.status == S.CLOSED and request.satisfaction == "satisfied" and request.closed_at
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == [
        "created",
        "triaged",
        "assigned",
        "status",
        "referral",
        "referral_outcome",
        "status",
        "follow_up",
    ]
    actors = set(request.events.exclude(kind="created").values_list("actor__username", flat=True))
    assert actors == {worker.username, worker2.username}


@pytest.mark.django_db
def test_triage_recomputes_priority_and_due_time(guoyuan, worker):
    request = make_request(guoyuan, user=worker, severity="mild", urgency="not_urgent")
    assert request.priority == 4
    services.triage_request(acting_user=worker, request=request, severity="mild", urgency="urgent")
    request.refresh_from_db()
    assert request.priority == 2
    assert request.due_at == request.received_at + datetime.timedelta(hours=72)
    event = request.events.get(kind="triaged")
    assert "P2" in event.text and event.actor == worker


@pytest.mark.django_db
def test_assign_only_to_a_worker_of_the_station(guoyuan, worker, other_worker, district_user):
    request = make_request(guoyuan, user=worker)
    for outsider in (other_worker, district_user):
        with pytest.raises(services.WorkflowError):
            services.assign_request(acting_user=worker, request=request, assignee=outsider)
    request.refresh_from_db()
    assert request.assignee is None and request.version == 1


@pytest.mark.django_db
def test_start_takes_an_unassigned_request(guoyuan, worker2):
    request = make_request(guoyuan)
    services.start_request(acting_user=worker2, request=request)
    request.refresh_from_db()
    assert request.assignee == worker2 and request.status == S.IN_PROGRESS


@pytest.mark.django_db
def test_resolve_sets_follow_up_date(guoyuan, worker, settings):
    settings.FOLLOW_UP_DAYS = 3
    request = make_request(guoyuan, status=S.IN_PROGRESS)
    services.resolve_request(acting_user=worker, request=request, note="已修好")
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert request.follow_up_due_on == timezone.localdate() + datetime.timedelta(days=3)


@pytest.mark.django_db
def test_reopen_needs_a_reason_and_clears_resolution(guoyuan, worker):
    request = make_request(guoyuan, status=S.IN_PROGRESS)
    services.resolve_request(acting_user=worker, request=request, note="已修好")
    with pytest.raises(services.WorkflowError):
        services.reopen_request(acting_user=worker, request=request, reason="  ")
    services.reopen_request(acting_user=worker, request=request, reason="居民反映仍未解决")
    request.refresh_from_db()
    assert (
        request.status == S.IN_PROGRESS and request.resolved_at is None and request.follow_up_due_on is None
    )
    assert request.events.filter(kind=TimelineEvent.Kind.REOPENED, text="居民反映仍未解决").exists()


@pytest.mark.django_db
def test_reject_and_withdraw_record_kind_and_reason(guoyuan, worker):
    rejected = make_request(guoyuan)
    services.reject_request(acting_user=worker, request=rejected, kind="duplicate", reason="同 00001")
    rejected.refresh_from_db()
    assert (rejected.status, rejected.close_kind, rejected.close_reason) == (
        S.REJECTED,
        "duplicate",
        "同 00001",
    )
    withdrawn = make_request(guoyuan)
    with pytest.raises(services.WorkflowError):  # "out of scope" is a reason to reject, not to withdraw
        services.withdraw_request(acting_user=worker, request=withdrawn, kind="out_of_scope", reason="x")
    with pytest.raises(services.WorkflowError):
        services.withdraw_request(acting_user=worker, request=withdrawn, kind="resident", reason="")
    services.withdraw_request(acting_user=worker, request=withdrawn, kind="resident", reason="已自行解决")
    withdrawn.refresh_from_db()
    assert withdrawn.status == S.WITHDRAWN


@pytest.mark.django_db
def test_follow_up_needs_a_satisfaction(guoyuan, worker):
    request = make_request(guoyuan, status=S.RESOLVED)
    with pytest.raises(services.WorkflowError):
        services.follow_up_request(acting_user=worker, request=request, satisfaction="great")
    request.refresh_from_db()
    assert request.status == S.RESOLVED


@pytest.mark.django_db
def test_a_final_referral_outcome_cannot_be_changed(guoyuan, worker):
    request = make_request(guoyuan, status=S.IN_PROGRESS)
    referral = services.refer_request(
        acting_user=worker, request=request, organisation="司法所", reason="咨询"
    )
    services.record_referral_outcome(acting_user=worker, referral=referral, outcome="declined", note="不受理")
    with pytest.raises(services.WorkflowError):
        services.record_referral_outcome(acting_user=worker, referral=referral, outcome="done")
    referral.refresh_from_db()
    assert referral.outcome == "declined"


@pytest.mark.django_db
def test_lost_update_is_refused(guoyuan, worker, worker2):
    """Two workers open the same request; the second save, based on the old version, is refused."""
    mine = make_request(guoyuan, user=worker)
    theirs = Request.objects.get(pk=mine.pk)
    services.triage_request(acting_user=worker, request=mine, severity="severe", urgency="urgent", version=1)
    with pytest.raises(services.StaleVersionError) as error:
        services.triage_request(
            acting_user=worker2, request=theirs, severity="mild", urgency="not_urgent", version=1
        )
    assert error.value.messages == [STALE_MESSAGE]
    mine.refresh_from_db()
    assert (mine.severity, mine.urgency, mine.version) == ("severe", "urgent", 2)
    assert mine.events.filter(kind="triaged").count() == 1


@pytest.mark.django_db
def test_stale_instance_is_refused_by_the_conditional_update(guoyuan, worker, worker2):
    """Even with a matching in-memory version, the UPDATE ... WHERE version = N catches a change made
    after the instance was loaded."""
    request = make_request(guoyuan, user=worker)
    services.assign_request(acting_user=worker, request=Request.objects.get(pk=request.pk), assignee=worker2)
    with pytest.raises(services.StaleVersionError):
        services.start_request(acting_user=worker, request=request)  # still thinks version 1
    request.refresh_from_db()
    assert request.status == S.NEW and request.assignee == worker2


@pytest.mark.django_db
def test_timeline_events_are_append_only(guoyuan, worker):
    request = make_request(guoyuan, user=worker)
    event = request.events.get()
    event.text = "篡改"
    with pytest.raises(RecordImmutable, match="办理记录不可修改"):  # the shared guard (a ValueError too)
        event.save()
    assert request.events.get().text == ""
