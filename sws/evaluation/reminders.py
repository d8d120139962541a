"""The morning reminder of rectification items (整改) due today or overdue: to the item's owner, or to
the station's heads when the owner can no longer act on it (left the station, account closed). Once per
item and due date (the message's key), so a second run the same day, or the next days, tells nobody
twice; items reported done (awaiting the district) or closed are left alone."""

from collections import defaultdict

from django.utils import timezone

from notifications.dispatch import notify
from notifications.events import Event
from notifications.inbox import Notification
from stations.models import User
from sws.models.evaluation import Rectification

CHUNK = 500


def _target(item) -> str:
    return f"rectification:{item.pk}:{item.due_on:%Y-%m-%d}"


def _may_act(owner, item) -> bool:
    return owner.is_active and owner.station_id == item.evaluation.station_id


def remind_rectifications_due(today=None) -> int:
    """Open items due on or before `today` → their owner (or the heads). Returns the items reminded."""
    today = today or timezone.localdate()
    items = (
        Rectification.objects.filter(status=Rectification.Status.OPEN, due_on__lte=today)
        .select_related("owner", "evaluation__station")
        .order_by("pk")
    )
    done, last = 0, 0
    while True:
        chunk = list(items.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return done
        last = chunk[-1].pk
        keys = {f"{Event.RECTIFICATION_DUE}:{_target(item)}": item for item in chunk}
        told = set(Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True))
        pending = [item for key, item in keys.items() if key not in told]
        heads = defaultdict(list)
        stations = {item.evaluation.station_id for item in pending if not _may_act(item.owner, item)}
        for head in User.objects.filter(
            is_active=True, role=User.Role.STATION_HEAD, station_id__in=stations
        ).order_by("pk"):
            heads[head.station_id].append(head)
        for item in pending:
            evaluation = item.evaluation
            people = [item.owner] if _may_act(item.owner, item) else heads[evaluation.station_id]
            if notify(
                Event.RECTIFICATION_DUE,
                recipients=people,
                target=_target(item),
                url=evaluation.get_absolute_url(),
                context={
                    "station": evaluation.station.name,
                    "period": evaluation.period_label,
                    "due": f"{item.due_on:%Y-%m-%d}",
                },
                station=evaluation.station,
            ):
                done += 1
