"""The notifications' own periodic job (scheduled in `notifications.schedule`)."""

from celery import shared_task
from django.db import transaction

from notifications import dispatch


@shared_task
def release_held():
    """08:00: the messages users chose to read in a digest join their inbox under one summary."""
    with transaction.atomic():
        return dispatch.release_held()
