"""The periodic jobs without celery beat: the schedule of settings.CELERY_BEAT_SCHEDULE, run in-process by
`manage.py run_due_jobs`, each job once per due slot (notifications.models.JobRun keeps its last run).

A job is due when celery's own schedule says so for its last run (so beat and this command agree on
when), or when it never ran here. The slot is taken with a conditional UPDATE on the last run before the
job runs, so two commands started together run it once.
"""

import dataclasses
import datetime

from celery import current_app
from celery.schedules import schedule as every
from django.conf import settings
from django.utils import timezone

from notifications.models import JobRun


@dataclasses.dataclass
class Job:
    name: str
    task: str
    schedule: object
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)

    def is_due(self, last_run_at):
        return last_run_at is None or self.schedule.is_due(last_run_at).is_due


def scheduled_jobs():
    jobs = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        when = entry["schedule"]
        if isinstance(when, int | float | datetime.timedelta):
            seconds = when.total_seconds() if isinstance(when, datetime.timedelta) else when
            when = every(datetime.timedelta(seconds=seconds), app=current_app)
        jobs.append(
            Job(name, entry["task"], when, tuple(entry.get("args", ())), dict(entry.get("kwargs", {})))
        )
    return jobs


def take_slot(job, now):
    """True if this caller may run `job` now (it was due and nobody took the slot first)."""
    run, _ = JobRun.objects.get_or_create(name=job.name)
    if not job.is_due(run.last_run_at):
        return False
    return JobRun.objects.filter(pk=run.pk, last_run_at=run.last_run_at).update(last_run_at=now) == 1


def run_job(job):
    """Run the job's task here and now (not through a broker); returns (ok, result or error text)."""
    current_app.loader.import_default_modules()
    result = current_app.tasks[job.task].apply(args=job.args, kwargs=job.kwargs)
    if result.failed():
        return False, f"{type(result.result).__name__}"
    return True, result.result


def next_run(job, last_run_at):
    if last_run_at is None:
        return timezone.now()
    return timezone.localtime(timezone.now() + job.schedule.remaining_estimate(last_run_at))
