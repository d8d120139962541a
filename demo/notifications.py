"""The demo's messages: demo users open a few notifications in their inbox (站内消息) as the real events
would have made them, through the same calls (`residents.notices`, `residents.reminders`).

At 果园新村 and 广开 (the report's stations): the newest open QR and hotline requests announced to the
staff, the overdue ones to their assignee and the head; every station head and district centre gets
this morning's digest. Inbox entries are keyed by event and object, so a second run adds nothing.
"""

from notifications import recipients
from notifications.events import Event
from residents import notices, reminders
from residents.models import Request
from stations.models import Station

STORY_STATIONS = ("果园新村街道", "广开街道")
PER_STATION = 4


def seed(*, options, rng, out):
    stations = list(Station.objects.filter(streets__name__in=STORY_STATIONS).distinct())
    for station in stations:
        open_requests = Request.objects.open().filter(station=station).select_related("station", "category")
        announced = open_requests.filter(channel__in=notices.ANNOUNCED_CHANNELS).order_by("-received_at")
        for request in announced[:PER_STATION]:
            notices.tell(Event.REQUEST_NEW, request, recipients.station_staff(station.pk))
        overdue = open_requests.overdue().select_related("assignee").order_by("-due_at")[:PER_STATION]
        for request in overdue:
            people = [request.assignee] if request.assignee_id else []
            people += list(recipients.station_heads(station.pk))
            notices.tell(
                Event.REQUEST_OVERDUE, request, people, occurrence=str(int(request.due_at.timestamp()))
            )
    digests = reminders.send_daily_digest()
    out.write(f"站内消息：{len(stations)} 个故事站点的新诉求与超期提醒，{digests} 份每日汇总。\n")
