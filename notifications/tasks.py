"""Celery tasks of the notifications app (docs/jobs.md: how to add one and schedule it)."""

import dataclasses

from celery import shared_task
from django.conf import settings

from notifications import delivery

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
