"""The request reminders as Celery tasks (scheduled in `notifications.schedule`); each is a plain call of
`residents.reminders`, in one transaction."""

from celery import shared_task
from django.db import transaction

from residents import reminders


@shared_task
def remind_due_soon():
    with transaction.atomic():
        return reminders.remind_due_soon()


@shared_task
def remind_overdue():
    with transaction.atomic():
        return reminders.remind_overdue()


@shared_task
def remind_follow_up():
    with transaction.atomic():
        return reminders.remind_follow_up()


@shared_task
def send_daily_digest():
    with transaction.atomic():
        return reminders.send_daily_digest()
