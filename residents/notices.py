"""Who hears about a request's steps: the notification calls of the request workflow.

`residents.services` calls these inside each step's transaction, so a message exists exactly when the
step committed. The people are computed by `notifications.recipients` from the station's staff; the
residents' texts go through the outbox (`notifications.dispatch.text_resident`) and carry the reference
and the lookup address only, never the request's details.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications import dispatch, recipients
from notifications.events import Event, ResidentMessage
from residents.models import Priority, Request
from residents.validators import MOBILE_PATTERN
from stations import access

# Intake no worker witnessed (a volunteer's report too; a 居委会 member's report is told by its reporter).
ANNOUNCED_CHANNELS = (Request.Channel.QR, Request.Channel.HOTLINE, Request.Channel.VOLUNTEER)


def context(request) -> dict:
    return {
        "reference": request.reference,
        "station": request.station.name,
        "category": request.category.name,
        "due": timezone.localtime(request.due_at).strftime("%-m月%-d日 %H:%M"),
    }


def tell(event, request, people, *, actor=None, occurrence="", **extra):
    """Notify `people` about `request` (an inbox entry linking to its case page, and SMS by preference)."""
    target = f"request:{request.pk}" + (f":{occurrence}" if occurrence else "")
    return dispatch.notify(
        event,
        recipients=people,
        target=target,
        url=request.get_absolute_url(),
        context=context(request),
        station=request.station,
        actor=actor,
        urgent=request.priority == Priority.P1,
        **extra,
    )


def registered(request, *, actor):
    """A new request: a public (扫码) or hotline one to the station's staff, a P1 to its head, and the
    resident's text with the reference when they agreed to texts."""
    if request.channel in ANNOUNCED_CHANNELS or (actor is not None and access.is_reporter(actor)):
        tell(Event.REQUEST_NEW, request, recipients.station_staff(request.station_id), actor=actor)
    became_p1(request, actor=actor)
    _text_resident(ResidentMessage.REGISTERED, request)


def became_p1(request, *, actor):
    """A P1 request (registered so, or triaged to it): the station head, once per request."""
    if request.priority == Priority.P1:
        tell(Event.REQUEST_P1, request, recipients.station_heads(request.station_id), actor=actor)


def assigned(request, *, assignee, actor, occurrence):
    """The assignee hears of it (not when they took it themselves); `occurrence` tells one assignment
    of the same request from the next (the timeline event's pk)."""
    tell(Event.REQUEST_ASSIGNED, request, [assignee], actor=actor, occurrence=occurrence)


def resolved(request):
    _text_resident(ResidentMessage.RESOLVED, request)


def resident_mobile(request) -> str:
    """The mobile number the resident left with the request (the reporter's, else the registered
    resident's), or "" when there is none a text can reach."""
    for phone in (request.reporter_phone, request.resident.phone if request.resident_id else ""):
        if phone and MOBILE_PATTERN.match(phone):
            return phone
    return ""


def lookup_url() -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('public:status')}"


def _text_resident(code, request):
    if not request.sms_updates:
        return None
    address = resident_mobile(request)
    if not address:
        return None
    return dispatch.text_resident(
        code,
        address=address,
        target=f"request:{request.pk}",
        context={
            "reference": request.reference,
            "station": request.station.name,
            "lookup_url": lookup_url(),
            "code": request.lookup_code,
        },
    )
