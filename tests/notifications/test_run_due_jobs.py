"""run_due_jobs: the beat schedule without a broker, each job once per due slot."""

import datetime
import io
import zoneinfo

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.core.management import call_command
from freezegun import freeze_time

from notifications.models import JobRun, OutboxMessage
from notifications.outbox import enqueue

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CALLS = []


@shared_task(name="tests.notifications.test_run_due_jobs.record_call")
def record_call():
    """The scheduled job of these tests: counts its runs."""
    CALLS.append(True)
    return len(CALLS)


def run(*args):
    out = io.StringIO()
    call_command("run_due_jobs", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def digest_schedule(settings):
    """A daily job at 08:00 Tianjin time beside the outbox sweep (the notify lane's digest looks so)."""
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "daily-digest": {
            "task": "tests.notifications.test_run_due_jobs.record_call",
            "schedule": crontab(0, 8),
        },
    }
    CALLS.clear()
    return CALLS


def test_the_sweep_delivers_the_outbox(sms_dir):
    enqueue(key="k1", channel="sms", address="13820135678", body="…")
    OutboxMessage.objects.update(next_attempt_at=datetime.datetime(2000, 1, 1, tzinfo=SHANGHAI))
    output = run("--job", "outbox-deliver")
    assert "outbox-deliver: running notifications.tasks.deliver_due" in output
    assert "'sent': 1" in output
    assert OutboxMessage.objects.get().status == "sent"


def test_a_job_runs_once_per_slot_however_often_the_command_runs(digest_schedule):
    with freeze_time(datetime.datetime(2026, 12, 3, 8, 0, 30, tzinfo=SHANGHAI)) as clock:
        assert "daily-digest: done" in run("--job", "daily-digest")
        assert "daily-digest: not due" in run("--job", "daily-digest")
        clock.move_to(datetime.datetime(2026, 12, 3, 23, 59, tzinfo=SHANGHAI))
        assert "daily-digest: not due" in run("--job", "daily-digest")
        clock.move_to(datetime.datetime(2026, 12, 4, 8, 0, 5, tzinfo=SHANGHAI))
        assert "daily-digest: done" in run("--job", "daily-digest")
        assert "daily-digest: not due" in run("--job", "daily-digest")
    assert len(digest_schedule) == 2


def test_a_slot_taken_by_another_command_is_not_run_again(digest_schedule):
    """Two commands at once: the second read the same last run, but the conditional update lets one win."""
    from notifications import jobs

    with freeze_time(datetime.datetime(2026, 12, 3, 8, 1, tzinfo=SHANGHAI)):
        job = next(j for j in jobs.scheduled_jobs() if j.name == "daily-digest")
        JobRun.objects.create(
            name=job.name, last_run_at=datetime.datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)
        )
        stale = JobRun.objects.get(name=job.name)
        assert jobs.take_slot(job, datetime.datetime(2026, 12, 3, 8, 1, tzinfo=SHANGHAI)) is True
        # The other command had read `stale` before: its conditional update finds the row changed.
        updated = JobRun.objects.filter(pk=stale.pk, last_run_at=stale.last_run_at).update(last_run_at=None)
        assert updated == 0
        assert jobs.take_slot(job, datetime.datetime(2026, 12, 3, 8, 1, tzinfo=SHANGHAI)) is False


def test_dry_run_says_what_is_due_and_runs_nothing(digest_schedule):
    with freeze_time(datetime.datetime(2026, 12, 3, 8, 0, 30, tzinfo=SHANGHAI)):
        run("--job", "daily-digest")
        output = run("--dry-run")
    assert "outbox-deliver: due" in output
    assert "daily-digest: next at 2026-12-04 08:00:00" in output
    assert len(digest_schedule) == 1
    assert not JobRun.objects.filter(name="outbox-deliver").exists()


def test_an_unknown_job_is_named(digest_schedule):
    assert "nightly: no such job in CELERY_BEAT_SCHEDULE" in run("--job", "nightly")


def test_every_scheduled_task_exists():
    """A schedule entry naming a task nobody defined fails here, not at 08:00 in production."""
    from celery import current_app
    from django.conf import settings

    current_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in current_app.tasks, name
