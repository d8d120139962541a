"""The one way to send anything out of SWS: `enqueue` inside the transaction of the change that caused it."""

import logging

from django.db import IntegrityError, connection, transaction

from notifications.masking import normalise_number
from notifications.models import OutboxMessage

log = logging.getLogger("notifications.outbox")


def enqueue(*, key, channel, address, body, template_code="", recipient_user=None, not_before=None):
    """Record a message to deliver; a second call with the same key is a no-op (returns None).

    Call it inside the caller's transaction: if the change rolls back, so does the message. When the
    transaction commits, a delivery run starts (on the worker, or in-process without a broker).
    `not_before` holds the message until then (quiet hours: an SMS at 22:30 goes at 07:00).
    """
    if channel == OutboxMessage.SMS:
        address = normalise_number(address)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                key=key,
                channel=channel,
                address=address,
                body=body,
                template_code=template_code,
                recipient_user=recipient_user,
                **({"next_attempt_at": not_before} if not_before else {}),
            )
    except IntegrityError:
        if OutboxMessage.objects.filter(key=key).exists():
            return None
        raise
    kick_delivery_on_commit()
    return message


def kick_delivery():
    """Start a delivery run now. A broker that cannot be reached is no error here: the message is in the
    outbox, and the periodic sweep (settings.CELERY_BEAT_SCHEDULE "outbox-deliver") delivers it."""
    from notifications.tasks import deliver_due

    try:
        deliver_due.delay()
    except Exception as exc:  # the change that made the message is committed: never fail it now
        log.warning("delivery not started (%s): the periodic sweep will deliver", type(exc).__name__)


def kick_delivery_on_commit():
    """One delivery run per transaction, however many messages it enqueued."""
    pending = connection.run_on_commit if connection.in_atomic_block else []
    if not any(callback is kick_delivery for _sids, callback, *_rest in pending):
        transaction.on_commit(kick_delivery)
