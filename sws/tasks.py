"""The monthly reports' and the rectifications' reminders as Celery tasks (scheduled in
settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import transaction


@shared_task
def remind_reports_due():
    from sws.reports import cycle  # the task module is imported with the Celery app, before the models

    with transaction.atomic():
        return cycle.remind_due()


@shared_task
def remind_rectifications_due():
    """08:55: rectification items (整改) due today or overdue, once per item and due date."""
    from sws.evaluation import reminders

    with transaction.atomic():
        return reminders.remind_rectifications_due()


@shared_task
def roll_up_days():
    """03:10: the daily rollup takes in the day before yesterday (sws/dashboards/rollup.py)."""
    from sws.dashboards import rollup

    return rollup.roll_up()
