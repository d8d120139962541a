"""The periodic jobs: each schedule entry names a task that exists, and each task runs directly (no
broker) and does its job."""

import datetime

import pytest
from celery.schedules import crontab
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications import tasks as notification_tasks
from notifications.events import Event
from notifications.inbox import Notification, Preference
from notifications.schedule import NOTIFICATION_SCHEDULE
from residents import tasks as request_tasks
from residents.models import Request
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_entry_names_a_task():
    for name, entry in NOTIFICATION_SCHEDULE.items():
        task = import_string(entry["task"])
        assert task.name == entry["task"], name
        assert isinstance(entry["schedule"], crontab | datetime.timedelta | int | float), name


def test_the_digests_run_at_eight():
    for name in ("daily-digest", "release-held-notifications"):
        schedule = NOTIFICATION_SCHEDULE[name]["schedule"]
        assert schedule.hour == {8} and schedule.minute == {0}


def test_the_tasks_run_in_process(guoyuan, worker, worker2):
    request = f.make_request(guoyuan)
    Request.objects.filter(pk=request.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    Preference.objects.create(user=worker2, event=Event.REQUEST_OVERDUE, mode="digest")
    Request.objects.filter(pk=request.pk).update(assignee=worker2)

    assert request_tasks.remind_overdue.apply().get() == 1
    assert request_tasks.remind_due_soon.apply().get() == 0
    assert request_tasks.remind_follow_up.apply().get() == 0
    assert request_tasks.send_daily_digest.apply().get() >= 1
    assert notification_tasks.release_held.apply().get() == 1
    assert Notification.objects.filter(recipient=worker2, event=Event.HELD_SUMMARY).count() == 1
