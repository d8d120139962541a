"""Each event reaches exactly the people it should (item 5), and nobody outside the object's scope:
not another station of the district, not another district."""

import datetime

import pytest
from django.utils import timezone

from notifications.events import Event
from notifications.inbox import Notification
from projects import services as plan_services
from projects.models import AnnualPlan
from residents import services
from residents.models import Request, Severity, Urgency
from tests import factories as f
from tests.notifications.helpers import told
from tests.projects import factories as pf

pytestmark = pytest.mark.django_db

HEAD, WORKER = "xupengze", "st-120113001-2"  # 徐芃泽 heads 果园新村, 李静 works there


@pytest.fixture
def everyone(worker, worker2, other_worker, far_worker, district_user, other_district_user, city_user):
    """The cast: 果园新村's head and worker, and people of other stations and districts who must hear
    nothing of 果园新村's requests."""


def qr_request(station, **fields):
    return f.make_request(station, channel=Request.Channel.QR, **fields)


def test_a_qr_request_tells_the_stations_staff_and_nobody_else(everyone, guoyuan):
    request = qr_request(guoyuan)

    assert told() == [(Event.REQUEST_NEW, WORKER), (Event.REQUEST_NEW, HEAD)]
    note = Notification.objects.get(recipient__username=WORKER)
    assert note.url == request.get_absolute_url() and note.station == guoyuan
    assert request.reference in note.title


def test_a_hotline_request_tells_the_staff_but_not_the_worker_who_took_it(everyone, guoyuan, worker):
    f.make_request(guoyuan, user=worker, channel=Request.Channel.HOTLINE)

    assert told() == [(Event.REQUEST_NEW, WORKER)]


def test_a_walk_in_request_tells_nobody(everyone, guoyuan, worker):
    f.make_request(guoyuan, user=worker, channel=Request.Channel.WALK_IN)

    assert told() == []


def test_a_p1_request_also_tells_the_station_head(everyone, guoyuan):
    qr_request(guoyuan, severity=Severity.SEVERE, urgency=Urgency.URGENT)

    assert told(Event.REQUEST_P1) == [(Event.REQUEST_P1, HEAD)]
    assert told(Event.REQUEST_NEW) == [(Event.REQUEST_NEW, WORKER), (Event.REQUEST_NEW, HEAD)]


def test_triage_to_p1_tells_the_head_once(everyone, guoyuan, worker2):
    request = f.make_request(guoyuan, user=worker2, severity=Severity.MILD, urgency=Urgency.NOT_URGENT)
    services.triage_request(
        acting_user=worker2, request=request, severity=Severity.SEVERE, urgency=Urgency.URGENT
    )
    services.triage_request(
        acting_user=worker2, request=request, severity=Severity.SEVERE, urgency=Urgency.URGENT
    )

    assert told() == [(Event.REQUEST_P1, HEAD)]


def test_assignment_tells_the_assignee_only(everyone, guoyuan, worker, worker2):
    request = f.make_request(guoyuan, user=worker)
    services.assign_request(acting_user=worker, request=request, assignee=worker2)

    assert told() == [(Event.REQUEST_ASSIGNED, WORKER)]


def test_taking_a_request_oneself_tells_nobody(everyone, guoyuan, worker2):
    request = f.make_request(guoyuan, user=worker2)
    services.assign_request(acting_user=worker2, request=request, assignee=worker2)

    assert told() == []


def test_each_assignment_is_its_own_notification(everyone, guoyuan, worker, worker2):
    request = f.make_request(guoyuan, user=worker)
    services.assign_request(acting_user=worker, request=request, assignee=worker2)
    services.assign_request(acting_user=worker2, request=request, assignee=worker)
    services.assign_request(acting_user=worker, request=request, assignee=worker2)

    assert told() == [
        (Event.REQUEST_ASSIGNED, WORKER),
        (Event.REQUEST_ASSIGNED, WORKER),
        (Event.REQUEST_ASSIGNED, HEAD),
    ]


def test_a_failed_step_leaves_no_notification(everyone, guoyuan, worker, worker2):
    request = f.make_request(guoyuan, user=worker)
    with pytest.raises(services.WorkflowError):
        services.assign_request(
            acting_user=worker, request=request, assignee=worker2, version=request.version - 1
        )

    assert told() == []


def test_plan_submitted_tells_the_district_centre_only(everyone, guoyuan, worker):
    plan = pf.make_plan(guoyuan, year=2027)
    plan_services.submit_plan(acting_user=worker, plan=plan)

    assert told() == [(Event.PLAN_SUBMITTED, "dc-120113")]
    assert Notification.objects.get().url == plan.get_absolute_url()


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_plan_decision_tells_the_station(everyone, guoyuan, worker, district_user, decision):
    plan = pf.make_plan(guoyuan, year=2027)
    plan_services.submit_plan(acting_user=worker, plan=plan)
    Notification.objects.all().delete()
    if decision == "approve":
        plan_services.approve_plan(acting_user=district_user, plan=plan)
        event = Event.PLAN_APPROVED
    else:
        plan_services.return_plan(acting_user=district_user, plan=plan, comment="志愿服务目标请量化。")
        event = Event.PLAN_RETURNED

    assert told() == [(event, WORKER), (event, HEAD)]
    assert AnnualPlan.objects.get().status != AnnualPlan.Status.SUBMITTED


def test_a_resubmitted_plan_is_told_again(everyone, guoyuan, worker, district_user):
    plan = pf.make_plan(guoyuan, year=2027)
    plan_services.submit_plan(acting_user=worker, plan=plan)
    plan_services.return_plan(acting_user=district_user, plan=plan, comment="请补充。")
    plan_services.submit_plan(acting_user=worker, plan=plan)

    assert told(Event.PLAN_SUBMITTED) == [(Event.PLAN_SUBMITTED, "dc-120113")] * 2


def test_inactive_accounts_are_not_told(everyone, guoyuan, worker2):
    worker2.is_active = False
    worker2.save(update_fields=["is_active"])
    qr_request(guoyuan)

    assert told() == [(Event.REQUEST_NEW, HEAD)]


# --- reminders ---------------------------------------------------------------------------------------
def _due(request, hours):
    Request.objects.filter(pk=request.pk).update(due_at=timezone.now() + datetime.timedelta(hours=hours))


@pytest.fixture
def held_by_worker(everyone, guoyuan, worker, worker2):
    request = f.make_request(guoyuan, user=worker)
    services.assign_request(acting_user=worker, request=request, assignee=worker2)
    Notification.objects.all().delete()
    return request


def test_due_within_two_hours_tells_the_assignee_once(held_by_worker):
    from residents import reminders

    _due(held_by_worker, 1.5)
    assert reminders.remind_due_soon() == 1
    assert reminders.remind_due_soon() == 0  # the next run: already told

    assert told() == [(Event.REQUEST_DUE_SOON, WORKER)]


def test_due_later_or_closed_tells_nobody(held_by_worker, guoyuan):
    from residents import reminders

    _due(held_by_worker, 3)
    done = f.make_request(guoyuan, status=Request.Status.RESOLVED)
    _due(done, 1)
    assert reminders.remind_due_soon() == 0
    assert reminders.remind_overdue() == 0

    assert told() == []


def test_overdue_tells_the_assignee_and_the_head(held_by_worker, guoyuan, jixianli):
    from residents import reminders

    _due(held_by_worker, -1)
    elsewhere = f.make_request(jixianli)  # 集贤里's request, not overdue: its head hears nothing
    Notification.objects.all().delete()
    assert reminders.remind_overdue() == 1
    assert reminders.remind_overdue() == 0

    assert told() == [(Event.REQUEST_OVERDUE, WORKER), (Event.REQUEST_OVERDUE, HEAD)]
    assert elsewhere.pk


def test_an_unassigned_request_goes_to_the_head(everyone, guoyuan):
    from residents import reminders

    request = f.make_request(guoyuan)
    Notification.objects.all().delete()
    _due(request, 1)
    reminders.remind_due_soon()

    assert told() == [(Event.REQUEST_DUE_SOON, HEAD)]


def test_a_new_deadline_is_reminded_again(held_by_worker):
    from residents import reminders

    _due(held_by_worker, 1)
    reminders.remind_due_soon()
    _due(held_by_worker, 1.5)  # re-triaged: a new deadline
    reminders.remind_due_soon()

    assert told() == [(Event.REQUEST_DUE_SOON, WORKER)] * 2


def test_follow_up_due_tells_the_assignee(held_by_worker, worker2):
    from residents import reminders

    services.start_request(acting_user=worker2, request=held_by_worker)
    services.resolve_request(acting_user=worker2, request=held_by_worker, note="已修好。")
    assert reminders.remind_follow_up() == 0  # not yet due
    later = timezone.localdate() + datetime.timedelta(days=7)
    assert reminders.remind_follow_up(today=later) == 1
    assert reminders.remind_follow_up(today=later) == 0

    assert told() == [(Event.FOLLOW_UP_DUE, WORKER)]


def test_reminders_reach_nobody_of_another_station(everyone, guoyuan, jixianli, guangkai):
    from residents import reminders

    for station in (guoyuan, jixianli, guangkai):
        _due(f.make_request(station), -1)
    Notification.objects.all().delete()
    reminders.remind_overdue()

    assert told() == [
        (Event.REQUEST_OVERDUE, "st-120104004-1"),
        (Event.REQUEST_OVERDUE, "st-120113002-1"),
        (Event.REQUEST_OVERDUE, HEAD),
    ]
    for note in Notification.objects.select_related("recipient"):
        assert note.station_id == note.recipient.station_id
