"""The one way to send anything out of SWS: `enqueue` inside the transaction of the change that caused it."""

from django.db import IntegrityError, transaction

from notifications.models import OutboxMessage


def enqueue(*, key, channel, address, body, template_code="", recipient_user=None):
    """Record a message to deliver; a second call with the same key is a no-op (returns None).

    Call it inside the caller's transaction: if the change rolls back, so does the message.
    """
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                key=key,
                channel=channel,
                address=address,
                body=body,
                template_code=template_code,
                recipient_user=recipient_user,
            )
    except IntegrityError:
        if OutboxMessage.objects.filter(key=key).exists():
            return None
        raise
