"""The notifications app's models, one module per feature; import them from here."""

from notifications.models.jobs import JobRun
from notifications.models.optout import SmsOptOut
from notifications.models.outbox import OutboxMessage, OutboxQuerySet

__all__ = ["JobRun", "OutboxMessage", "OutboxQuerySet", "SmsOptOut"]
