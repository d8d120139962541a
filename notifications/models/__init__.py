"""The notifications app's models, one module per feature; import them from here. The inbox, preferences
and message templates live beside their feature code (notifications/inbox.py, messages.py); imported here
so that Django registers their models with this app."""

from notifications.inbox import Notification, Preference
from notifications.messages import MessageTemplate
from notifications.models.jobs import JobRun
from notifications.models.optout import SmsOptOut
from notifications.models.outbox import OutboxMessage, OutboxQuerySet

__all__ = [
    "JobRun",
    "MessageTemplate",
    "Notification",
    "OutboxMessage",
    "OutboxQuerySet",
    "Preference",
    "SmsOptOut",
]
