"""Celery tasks of the notifications app: delivery, and the 08:00 release of held messages (scheduled in
`notifications.schedule`; docs/jobs.md says how to add one)."""

import dataclasses

from celery import shared_task
from django.conf import settings
from django.db import transaction

from notifications import delivery, dispatch

# A run hands over to a fresh task after this long, so that one large backlog does not hold a worker
# process (and the broker sees progress); in-process runs (no broker) go on until nothing is due.
RUN_BUDGET_SECONDS = 60


@shared_task(ignore_result=True)
def deliver_due():
    """Deliver the outbox's due messages (enqueue starts one per transaction; beat sweeps every 30 s)."""
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    report = delivery.deliver_due(budget_seconds=None if eager else RUN_BUDGET_SECONDS)
    if report.more:
        deliver_due.delay()
    return dataclasses.asdict(report)


@shared_task
def release_held():
    """08:00: the messages users chose to read in a digest join their inbox under one summary."""
    with transaction.atomic():
        return dispatch.release_held()
