"""Reading what people were told: inbox rows and queued texts, as (event, username) pairs."""

from notifications.inbox import Notification
from notifications.models import OutboxMessage


def told(event=None):
    rows = Notification.objects.order_by("recipient__username")
    if event:
        rows = rows.filter(event=event)
    return sorted(rows.values_list("event", "recipient__username"))


def texted():
    return sorted(OutboxMessage.objects.values_list("template_code", "address"))
