"""考核评估's messages (issue #22): each step tells whoever acts next through the notifications app (inbox,
SMS through the outbox in the step's transaction), a rectification's owner hears when it is assigned, and
the 08:55 reminder tells her once per item and due date while it is due or overdue and still open.

The clock is 2026-04-10 (tests/sws/conftest.py); the evaluation covers February–March 2026 of 果园新村
with no data (the computations give zeros: these tests are about who hears what)."""

import datetime

import pytest

from notifications.events import Event
from notifications.inbox import Notification, Preference
from notifications.outbox import OutboxMessage
from sws.evaluation import reminders, services
from sws.models.evaluation import Rectification
from tests.sws import evaluation_factories as ef

APR_9, APR_10, APR_11 = datetime.date(2026, 4, 9), datetime.date(2026, 4, 10), datetime.date(2026, 4, 11)


@pytest.fixture
def evaluator(db):
    return ef.make_evaluator()


@pytest.fixture
def evaluation(frozen, guoyuan, worker, worker2, other_worker, district_user, evaluator):
    return services.open_evaluation(
        acting_user=district_user,
        station=guoyuan,
        indicator_set=ef.make_indicator_set(2026),
        period_start=datetime.date(2026, 2, 1),
        period_end=datetime.date(2026, 3, 31),
        evaluators=[evaluator],
    )


def _heard(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def _to_district_review(evaluation, evaluator, worker):
    score = evaluation.scores.select_related("indicator").get(indicator__name="服务对象与社区评价")
    services.score_indicator(
        acting_user=evaluator, score=score, value="18", comment="走访居民12户", version=score.version
    )
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    services.submit_responses(acting_user=worker, evaluation=evaluation, version=evaluation.version)


def test_each_step_tells_whoever_acts_next(evaluation, evaluator, worker, district_user):
    # Opened: the station's head (not its worker, not another station's head, not the district itself).
    assert _heard(Event.EVALUATION_OPENED) == [worker.username]
    opened = Notification.objects.get(event=Event.EVALUATION_OPENED)
    assert opened.url == evaluation.get_absolute_url()
    assert opened.title == "北辰区果园新村街道社工站2026-02-01至2026-03-31考核评估已发起，系统指标已自动计算"
    assert not _heard(Event.EVALUATION_SENT)

    _to_district_review(evaluation, evaluator, worker)
    assert _heard(Event.EVALUATION_SENT) == [worker.username]
    # The station answered: the district centre and the appointed evaluator decide what comes next.
    assert _heard(Event.EVALUATION_RESPONDED) == sorted([district_user.username, evaluator.username])

    services.approve(acting_user=district_user, evaluation=evaluation, version=evaluation.version)
    approved = Notification.objects.get(event=Event.EVALUATION_APPROVED)
    assert approved.recipient == worker
    assert "考核评估已审定" in approved.title and "不合格" in approved.title  # 18 of 25 → 28.8: 不合格


def test_a_step_sent_again_after_a_return_is_heard_again(evaluation, evaluator, worker, district_user):
    _to_district_review(evaluation, evaluator, worker)
    services.return_for_scoring(
        acting_user=district_user, evaluation=evaluation, version=evaluation.version, note="请补充走访记录"
    )
    services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version)
    assert Notification.objects.filter(event=Event.EVALUATION_SENT, recipient=worker).count() == 2


def test_a_head_who_chose_sms_gets_a_text_in_the_outbox(
    frozen, guoyuan, worker, district_user, evaluator, settings
):
    worker.phone = "13920001234"
    worker.save(update_fields=["phone"])
    Preference.objects.create(user=worker, event=Event.EVALUATION_OPENED, mode="sms")
    services.open_evaluation(
        acting_user=district_user,
        station=guoyuan,
        indicator_set=ef.make_indicator_set(2026),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    text = OutboxMessage.objects.get(template_code=Event.EVALUATION_OPENED)
    assert text.address == "13920001234"
    assert text.body == "【社工站】北辰区果园新村街道社工站2026年度考核评估已发起，请登录系统查看。"


def test_a_refused_step_tells_nobody(evaluation, evaluator, worker, district_user):
    from stations.locking import StaleVersionError

    score = evaluation.scores.select_related("indicator").get(indicator__name="服务对象与社区评价")
    services.score_indicator(
        acting_user=evaluator, score=score, value="18", comment="x", version=score.version
    )
    with pytest.raises(StaleVersionError):
        services.send_to_station(acting_user=evaluator, evaluation=evaluation, version=evaluation.version + 1)
    assert not _heard(Event.EVALUATION_SENT)


def _rectification(evaluation, district_user, owner, due_on, description="建立回访台账"):
    return services.add_rectification(
        acting_user=district_user, evaluation=evaluation, description=description, owner=owner, due_on=due_on
    )


def test_a_rectification_is_heard_by_its_owner_and_reminded_once_per_due_date(
    evaluation, evaluator, worker, worker2, district_user
):
    _to_district_review(evaluation, evaluator, worker)
    overdue = _rectification(evaluation, district_user, worker2, APR_9, "建立回访台账")
    due_today = _rectification(evaluation, district_user, worker2, APR_10, "补齐督导记录")
    later = _rectification(evaluation, district_user, worker2, APR_11, "完善志愿者台账")
    reported = _rectification(evaluation, district_user, worker, APR_9, "整理活动照片")
    services.report_rectification(
        acting_user=worker, rectification=reported, report="已整理", version=reported.version
    )

    assigned = Notification.objects.filter(event=Event.RECTIFICATION_ASSIGNED)
    assert sorted(assigned.values_list("recipient__username", flat=True)) == sorted(
        [worker2.username] * 3 + [worker.username]
    )
    assert "期限 2026-04-09" in assigned.filter(recipient=worker2).order_by("pk").first().title
    assert "建立回访台账" not in "".join(
        assigned.values_list("title", flat=True)
    )  # free text stays on the page

    # 08:55: the open items due today or before, not the one due tomorrow nor the one reported done.
    assert reminders.remind_rectifications_due(APR_10) == 2
    keys = set(Notification.objects.filter(event=Event.RECTIFICATION_DUE).values_list("key", flat=True))
    assert keys == {
        f"rectification_due:rectification:{overdue.pk}:2026-04-09",
        f"rectification_due:rectification:{due_today.pk}:2026-04-10",
    }
    assert set(
        Notification.objects.filter(event=Event.RECTIFICATION_DUE).values_list("recipient", flat=True)
    ) == {worker2.pk}
    # Again the same day, and the next day: only the item that has fallen due since.
    assert reminders.remind_rectifications_due(APR_10) == 0
    assert reminders.remind_rectifications_due(APR_11) == 1
    assert Notification.objects.filter(event=Event.RECTIFICATION_DUE).count() == 3
    assert Rectification.objects.get(pk=later.pk).status == Rectification.Status.OPEN


def test_an_owner_who_left_the_station_is_replaced_by_its_heads(
    evaluation, evaluator, worker, worker2, district_user
):
    _to_district_review(evaluation, evaluator, worker)
    item = _rectification(evaluation, district_user, worker2, APR_9)
    worker2.is_active = False
    worker2.save(update_fields=["is_active"])
    assert reminders.remind_rectifications_due(APR_10) == 1
    reminder = Notification.objects.get(event=Event.RECTIFICATION_DUE)
    assert reminder.recipient == worker
    assert reminder.key == f"rectification_due:rectification:{item.pk}:2026-04-09"


def test_the_reminder_is_a_scheduled_job(settings):
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["remind-rectifications-due"]
    assert entry["task"] == "sws.tasks.remind_rectifications_due"
    assert entry["schedule"] == crontab(minute=55, hour=8)


def test_the_task_runs_the_reminder(evaluation, evaluator, worker, worker2, district_user):
    from sws.tasks import remind_rectifications_due

    _to_district_review(evaluation, evaluator, worker)
    _rectification(evaluation, district_user, worker2, APR_9)
    assert remind_rectifications_due.apply().result == 1
