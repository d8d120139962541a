"""The casework reminders as Celery tasks (scheduled in `notifications.schedule`); each is a plain call of
`casework.reminders`, in one transaction."""

from celery import shared_task
from django.db import transaction

from casework import reminders


@shared_task
def remind_case_tasks_due():
    with transaction.atomic():
        return reminders.remind_case_tasks_due()
