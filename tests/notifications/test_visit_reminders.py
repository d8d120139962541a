"""VISIT_DUE: the residents whose visit is due are announced to the plan's worker (or the station head),
once per resident and due date, and to nobody of another station."""

import datetime

import pytest
from django.utils import timezone

from notifications.events import Event
from notifications.inbox import Notification
from residents import care, reminders
from residents import tasks as resident_tasks
from residents.models import VisitPlan
from tests.notifications.helpers import told
from tests.residents.care_factories import days_ago, enrol
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db

HEAD, WORKER = "xupengze", "st-120113001-2"  # 徐芃泽 heads 果园新村, 李静 works there


@pytest.fixture
def plan(chaoyangli, worker, worker2):
    resident = make_resident(chaoyangli, name="张桂兰", address="3号楼2门301")
    plan = enrol(resident, worker, tier=1)
    VisitPlan.objects.filter(pk=plan.pk).update(worker=worker2)
    Notification.objects.all().delete()
    plan.refresh_from_db()
    return plan


def test_the_worker_hears_of_a_visit_due_once(plan):
    today = timezone.localdate()
    assert plan.next_due_on == today
    assert reminders.remind_visits_due(today=today - datetime.timedelta(days=1)) == 0  # not yet due
    assert reminders.remind_visits_due(today=today) == 1
    assert reminders.remind_visits_due(today=today) == 0  # a second run tells nobody
    assert reminders.remind_visits_due(today=today + datetime.timedelta(days=3)) == 0  # still not made

    assert told() == [(Event.VISIT_DUE, WORKER)]
    note = Notification.objects.get()
    assert note.title == "探访到期：张**（朝阳里社区，一级），应于 " + f"{today:%-m月%-d日}" + " 探访"
    assert note.url == f"/residents/{plan.resident_id}/care/"
    assert note.station_id == plan.resident.community.street.station_id


def test_a_visit_made_moves_the_due_date_and_the_next_one_is_a_new_reminder(plan, worker2):
    today = timezone.localdate()
    reminders.remind_visits_due(today=today)
    care.log_visit(acting_user=worker2, resident=plan.resident, visited_on=today, version=plan.version)
    plan.refresh_from_db()
    assert plan.next_due_on == today + datetime.timedelta(days=7)  # 一级: weekly
    assert reminders.remind_visits_due(today=today + datetime.timedelta(days=6)) == 0
    assert reminders.remind_visits_due(today=today + datetime.timedelta(days=7)) == 1
    assert told() == [(Event.VISIT_DUE, WORKER)] * 2


def test_a_plan_nobody_holds_goes_to_the_head(plan, worker):
    VisitPlan.objects.filter(pk=plan.pk).update(worker=None)
    assert reminders.remind_visits_due() == 1
    assert told() == [(Event.VISIT_DUE, HEAD)]


def test_a_worker_of_another_station_is_not_told(plan, other_worker):
    """The worker moved to 集贤里: the reminder goes to 果园新村's head, not to her."""
    VisitPlan.objects.filter(pk=plan.pk).update(worker=other_worker)
    assert reminders.remind_visits_due() == 1
    assert told() == [(Event.VISIT_DUE, HEAD)]


def test_nobody_outside_the_station_hears(
    plan, other_worker, far_worker, district_user, other_district_user, city_user, tailaixili
):
    theirs = enrol(make_resident(tailaixili, name="王秀英"), other_worker, tier=2)
    VisitPlan.objects.filter(pk=theirs.pk).update(next_due_on=days_ago(3))
    Notification.objects.all().delete()

    assert reminders.remind_visits_due() == 2
    assert told() == sorted([(Event.VISIT_DUE, WORKER), (Event.VISIT_DUE, other_worker.username)])


def test_a_plan_out_of_the_programme_is_not_announced(plan):
    VisitPlan.objects.filter(pk=plan.pk).update(active=False)
    assert reminders.remind_visits_due() == 0 and told() == []


def test_the_task_runs_in_process(plan):
    assert resident_tasks.remind_visits_due.apply().get() == 1
    assert resident_tasks.remind_visits_due.apply().get() == 0


def test_a_run_of_many_due_plans_takes_a_bounded_number_of_queries(
    chaoyangli, worker, worker2, django_assert_max_num_queries
):
    """Per plan: the notify's own few queries; the due list is read in chunks, not per plan."""
    for i in range(12):
        enrol(make_resident(chaoyangli, name=f"居民{i}"), worker, tier=1)
    Notification.objects.all().delete()
    with django_assert_max_num_queries(12 * 6 + 10):
        assert reminders.remind_visits_due() == 12


def test_the_text_names_the_resident_masked(plan, worker2):
    from freezegun import freeze_time

    from notifications.inbox import Preference
    from notifications.models import OutboxMessage

    worker2.phone = "13900001111"
    worker2.save()
    Preference.objects.create(user=worker2, event=Event.VISIT_DUE, mode="sms")
    with freeze_time(timezone.make_aware(datetime.datetime.combine(plan.next_due_on, datetime.time(8, 40)))):
        assert reminders.remind_visits_due() == 1
    message = OutboxMessage.objects.get()
    assert message.template_code == Event.VISIT_DUE and message.address == "13900001111"
    assert "张**" in message.body and "张桂兰" not in message.body
