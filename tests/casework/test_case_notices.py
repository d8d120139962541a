"""What casework tells people through the inbox (cwgaps): a case assigned or shared to a colleague
(个案指派/共享给我), and a case task due today or overdue (个案待办到期), once per task and due date. The
texts carry the case's reference and station, never the client's name nor the task's title."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import reminders, services
from casework import tasks as casework_tasks
from casework.models import CaseEvent, CaseTask
from notifications.events import Event
from notifications.inbox import Notification
from notifications.messages import DEFAULT_TEXTS, MessageTemplate
from notifications.schedule import NOTIFICATION_SCHEDULE
from tests import factories as f
from tests.casework.factories import make_case
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return make_case(guoyuan, make_resident(chaoyangli, name="刘小雨"), worker2, stage="intervention")


@pytest.fixture
def third_worker(guoyuan):
    user = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    f.make_assignment(user, guoyuan)
    return user


def told(event):
    return list(
        Notification.objects.filter(event=event).order_by("pk").values_list("recipient__username", "title")
    )


# --- 个案指派/共享给我 --------------------------------------------------------------------------------------


def test_a_new_lead_and_co_worker_are_told_with_their_part(case, worker, worker2, third_worker):
    services.change_case_workers(acting_user=worker, case=case, lead_worker=third_worker, co_worker=worker2)
    ref = case.reference
    assert told(Event.CASE_ASSIGNED) == [
        ("st-120113001-3", f"个案 {ref} 已指派/共享给您（主责社工）"),
        ("st-120113001-2", f"个案 {ref} 已指派/共享给您（协同社工）"),
    ]
    note = Notification.objects.filter(event=Event.CASE_ASSIGNED).first()
    assert note.url == case.get_absolute_url() and "刘小雨" not in note.title
    assert case.events.filter(kind=CaseEvent.Kind.WORKERS, text__contains="主责王芳").exists()


def test_who_keeps_their_part_and_the_actor_are_not_told(case, worker, worker2, third_worker):
    # The lead adds a co-worker: the lead keeps the case (not told), the co-worker is new (told).
    services.change_case_workers(acting_user=worker2, case=case, lead_worker=worker2, co_worker=third_worker)
    assert [who for who, _ in told(Event.CASE_ASSIGNED)] == ["st-120113001-3"]
    # The head takes the lead herself: she acted, so nobody new is told.
    case.refresh_from_db()
    services.change_case_workers(acting_user=worker, case=case, lead_worker=worker, co_worker=third_worker)
    assert [who for who, _ in told(Event.CASE_ASSIGNED)] == ["st-120113001-3"]


def test_sharing_tells_the_colleague_each_time(case, worker2, third_worker):
    services.share_case(acting_user=worker2, case=case, colleague=third_worker)
    services.unshare_case(acting_user=worker2, case=case, colleague=third_worker)
    services.share_case(acting_user=worker2, case=case, colleague=third_worker)
    shared = ("st-120113001-3", f"个案 {case.reference} 已指派/共享给您（共享）")
    assert told(Event.CASE_ASSIGNED) == [shared] * 2
    assert case.events.filter(kind=CaseEvent.Kind.WORKERS, text="共享给王芳").count() == 2


def test_only_the_head_or_the_lead_shares(case, worker2, third_worker, guoyuan):
    colleague = f.make_user("st-120113001-4", f.User.Role.STATION_WORKER, station=guoyuan, name="赵敏")
    f.make_assignment(colleague, guoyuan)
    services.change_case_workers(acting_user=worker2, case=case, lead_worker=worker2, co_worker=third_worker)
    with pytest.raises(services.CaseworkError, match="站长或主责社工"):
        services.share_case(acting_user=third_worker, case=case, colleague=colleague)
    assert not case.shared_with.exists()


def test_the_page_offers_sharing_to_the_lead_not_to_the_co_worker(client, case, worker2, third_worker):
    services.change_case_workers(acting_user=worker2, case=case, lead_worker=worker2, co_worker=third_worker)
    share_url = reverse("casework:case-share", args=[case.pk])
    client.force_login(worker2)
    assert share_url in client.get(case.get_absolute_url()).content.decode()
    client.force_login(third_worker)
    assert share_url not in client.get(case.get_absolute_url()).content.decode()
    response = client.post(share_url, {"colleague": worker2.pk})  # forged: refused with a message
    assert response.status_code == 302 and not case.shared_with.exists()


def test_sharing_through_the_page_tells_the_colleague(client, case, worker2, third_worker):
    client.force_login(worker2)
    client.post(reverse("casework:case-share", args=[case.pk]), {"colleague": third_worker.pk})
    assert [who for who, _ in told(Event.CASE_ASSIGNED)] == ["st-120113001-3"]


# --- 个案待办到期 ----------------------------------------------------------------------------------------


def _task(case, owner, due_on, title="陪同刘小雨到法律援助中心"):
    return CaseTask.objects.create(case=case, title=title, owner=owner, due_on=due_on, created_by=owner)


def test_a_task_due_today_or_overdue_reaches_its_owner_once(case, worker2):
    today = timezone.localdate()
    due = _task(case, worker2, today)
    late = _task(case, worker2, today - datetime.timedelta(days=3))
    _task(case, worker2, today + datetime.timedelta(days=1))  # not yet
    done = _task(case, worker2, today)
    CaseTask.objects.filter(pk=done.pk).update(done_at=timezone.now(), done_by=worker2)

    assert reminders.remind_case_tasks_due(today) == 2
    titles = told(Event.CASE_TASK_DUE)
    assert titles == [
        ("st-120113001-2", f"个案 {case.reference} 有待办于 {due.due_on:%-m月%-d日} 到期，请及时处理"),
        ("st-120113001-2", f"个案 {case.reference} 有待办于 {late.due_on:%-m月%-d日} 到期，请及时处理"),
    ]
    assert all("刘小雨" not in title and "法律援助" not in title for _, title in titles)
    # Again today: nobody is told twice. Tomorrow: only the task that falls due then (the two still not
    # done were told about their due date already).
    assert reminders.remind_case_tasks_due(today) == 0
    assert reminders.remind_case_tasks_due(today + datetime.timedelta(days=1)) == 1
    assert len(told(Event.CASE_TASK_DUE)) == 3


def test_a_new_due_date_is_a_new_reminder(case, worker2):
    today = timezone.localdate()
    task = _task(case, worker2, today)
    reminders.remind_case_tasks_due(today)
    later = today + datetime.timedelta(days=7)
    CaseTask.objects.filter(pk=task.pk).update(due_on=later)
    assert reminders.remind_case_tasks_due(later) == 1
    assert len(told(Event.CASE_TASK_DUE)) == 2


def test_an_owner_who_left_the_case_is_replaced_by_the_head(case, worker, worker2, third_worker):
    task = _task(case, third_worker, timezone.localdate())  # 王芳 no longer on the case
    assert reminders.remind_case_tasks_due() == 1
    assert [who for who, _ in told(Event.CASE_TASK_DUE)] == [worker.username]
    # Shared with her again: she hears about her next task herself.
    case.shared_with.add(third_worker)
    CaseTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert reminders.remind_case_tasks_due() == 1
    assert [who for who, _ in told(Event.CASE_TASK_DUE)][-1] == third_worker.username


def test_the_job_is_scheduled_and_runs_in_process(case, worker2):
    entry = NOTIFICATION_SCHEDULE["remind-case-tasks-due"]
    assert entry["task"] == casework_tasks.remind_case_tasks_due.name
    _task(case, worker2, timezone.localdate())
    assert casework_tasks.remind_case_tasks_due.apply().get() == 1


def test_the_texts_are_seeded_and_name_no_client():
    for code in (Event.CASE_TASK_DUE, Event.CASE_ASSIGNED):
        for channel in ("inbox", "sms"):
            text = MessageTemplate.objects.get(code=code, channel=channel).text
            assert text == DEFAULT_TEXTS[(code, channel)] and "{reference}" in text
            assert "{resident}" not in text and "{title}" not in text


def test_the_reminder_reads_a_bounded_number_of_rows(case, worker2, django_assert_max_num_queries):
    today = timezone.localdate()
    for _ in range(30):
        _task(case, worker2, today)
    with django_assert_max_num_queries(12 + 30 * 3):  # per task: the preference read, its inbox row
        assert reminders.remind_case_tasks_due(today) == 30
