"""The monthly reports' reminder as a Celery task (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import transaction


@shared_task
def remind_reports_due():
    from sws.reports import cycle  # the task module is imported with the Celery app, before the models

    with transaction.atomic():
        return cycle.remind_due()
