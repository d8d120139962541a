"""The request reminders as Celery tasks (scheduled in `notifications.schedule`); each is a plain call of
`residents.reminders`, in one transaction."""

from celery import shared_task
from django.db import transaction

from residents import reminders


def _atomic(job):
    with transaction.atomic():
        return job()


@shared_task
def remind_due_soon():
    return _atomic(reminders.remind_due_soon)


@shared_task
def remind_overdue():
    return _atomic(reminders.remind_overdue)


@shared_task
def remind_follow_up():
    return _atomic(reminders.remind_follow_up)


@shared_task
def remind_visits_due():
    return _atomic(reminders.remind_visits_due)


@shared_task
def send_daily_digest():
    return _atomic(reminders.send_daily_digest)


# --- the registry import (residents.registry_import.jobs) ---------------------------------------------
@shared_task(ignore_result=True)
def run_registry_import(job_id):
    """A dry run or an import of an uploaded 台账 (queued by the import page)."""
    from residents.registry_import import jobs

    return jobs.run_import(job_id)


@shared_task
def purge_import_uploads():
    from residents.registry_import import jobs

    return jobs.purge_uploads()
