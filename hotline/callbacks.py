"""Answers back to the hotline: a signed JSON callback, written to the outbox in the step's transaction.

The outbox row's address is the key's callback URL, its body the JSON exactly as it will be sent, and its
template code the key id, by which the webhook channel (notifications/channels/webhook.py) finds the
secret to sign with (settings.WEBHOOK_SIGNING_SECRET names `signing_secret` below). The row's key is the
answer's idempotency key, sent along as a header: a callback delivered again after a crash carries the
same one, so the hotline keeps one.
"""

import json

from django.utils import timezone

from hotline.models import ApiKey
from notifications import outbox

CHANNEL = "webhook"


def payload(order, event, *, at, **fields) -> dict:
    return {
        "event": event,
        "ticket_no": order.ticket_no,
        "at": timezone.localtime(at).isoformat(),
        "state": order.state,
        "reference": order.request.reference if order.request_id else None,
        **fields,
    }


def enqueue_answer(order, event, *, at, sequence, **fields):
    """Write the answer `event` of `order` to the outbox (nothing when the order came in without a key
    that has a callback URL, e.g. a spreadsheet import). `sequence` makes the key unique per answer
    (the timeline event's id), so the same answer given twice is one message, two answers are two."""
    key = order.api_key
    if key is None or not key.callback_url:
        return None
    body = json.dumps(payload(order, event, at=at, **fields), ensure_ascii=False, sort_keys=True)
    return outbox.enqueue(
        key=f"hotline:{order.ticket_no}:{event}:{sequence}",
        channel=CHANNEL,
        address=key.callback_url,
        body=body,
        template_code=key.key_id,
    )


def signing_secret(key_id: str) -> str | None:
    """The callback secret of the key `key_id` (None when there is no such key any more)."""
    return ApiKey.objects.filter(key_id=key_id).values_list("callback_secret", flat=True).first()
