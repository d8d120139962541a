"""The periodic reminders about requests, and the daily digest: run by the scheduler
(`residents.tasks`, listed in `notifications.schedule`), callable directly.

Each run looks at what is due now and notifies once per request and deadline: the inbox rows are keyed
by request and deadline, so a second run (or two overlapping ones) finds them there and tells nobody
again; a changed deadline (re-triage) is a new one.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from notifications import dispatch
from notifications.events import Event
from notifications.inbox import Notification
from residents import notices
from residents.models import Request, due_visits
from residents.validators import mask_name
from stations.models import Station, User

DUE_SOON = datetime.timedelta(hours=2)
CHUNK = 500


def _heads_by_station(station_ids) -> dict[int, list]:
    heads = defaultdict(list)
    for user in User.objects.filter(
        station_id__in=set(station_ids), role=User.Role.STATION_HEAD, is_active=True
    ).order_by("pk"):
        heads[user.station_id].append(user)
    return heads


def _remind(event, requests, *, occurrence, escalate=False) -> int:
    """Notify about each request not yet notified for this deadline: its assignee (and, with `escalate`,
    the station head); a request nobody holds goes to the head. Returns the requests notified."""
    done = 0
    requests = list(requests.select_related("station", "category", "assignee").order_by("pk"))
    for start in range(0, len(requests), CHUNK):
        chunk = requests[start : start + CHUNK]
        keys = {f"{event}:request:{r.pk}:{occurrence(r)}": r for r in chunk}
        notified = set(Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True))
        pending = [r for key, r in keys.items() if key not in notified]
        heads = _heads_by_station(r.station_id for r in pending)
        for request in pending:
            people = [request.assignee] if request.assignee_id else []
            if escalate or not people:
                people += heads[request.station_id]
            if notices.tell(event, request, people, occurrence=occurrence(request)):
                done += 1
    return done


def _deadline(request) -> str:
    return str(int(request.due_at.timestamp()))


def remind_due_soon(now=None) -> int:
    """Open requests due within two hours → the assignee."""
    now = now or timezone.now()
    due = Request.objects.open().filter(due_at__gt=now, due_at__lte=now + DUE_SOON)
    return _remind(Event.REQUEST_DUE_SOON, due, occurrence=_deadline)


def remind_overdue(now=None) -> int:
    """Open requests past their due time → the assignee, and the station head (escalation)."""
    now = now or timezone.now()
    return _remind(Event.REQUEST_OVERDUE, Request.objects.overdue(now), occurrence=_deadline, escalate=True)


def remind_follow_up(today=None) -> int:
    """Resolved requests whose follow-up (回访) day has come → the assignee."""
    due = Request.objects.follow_up_due(today or timezone.localdate())
    return _remind(Event.FOLLOW_UP_DUE, due, occurrence=lambda r: r.follow_up_due_on.isoformat())


# --- visits due (探访关爱) -------------------------------------------------------------------------
def remind_visits_due(today=None) -> int:
    """Residents whose visit is due (today or earlier) → the plan's worker, or the station head when the
    plan has none, or its worker no longer works at the resident's station. Once per resident and due
    date: a second run, or the next day's for a visit still not made, finds the inbox rows and tells
    nobody; a visit logged (or a tier changed) moves the due date, which is a new reminder.
    Returns the residents whose reminder went out."""
    today = today or timezone.localdate()
    done = 0
    plans = due_visits(on=today).select_related("resident__community__street__station").order_by("pk")
    last = 0
    while True:
        chunk = list(plans.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return done
        last = chunk[-1].pk
        keys = {f"{Event.VISIT_DUE}:{_visit_target(p)}": p for p in chunk}
        notified = set(Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True))
        pending = [p for key, p in keys.items() if key not in notified]
        heads = _heads_by_station(p.resident.community.street.station_id for p in pending)
        for plan in pending:
            station = plan.resident.community.street.station
            if station is None:  # a community no station serves: nobody is responsible yet
                continue
            worker = plan.worker
            held = worker is not None and worker.is_active and worker.station_id == station.pk
            people = [worker] if held else heads[station.pk]
            if dispatch.notify(
                Event.VISIT_DUE,
                recipients=people,
                target=_visit_target(plan),
                url=reverse("residents:resident-care", args=[plan.resident_id]),
                context={
                    "resident": mask_name(plan.resident.name),
                    "community": plan.resident.community.short_name,
                    "tier": plan.get_tier_display(),
                    "due": f"{plan.next_due_on:%-m月%-d日}",
                    "station": station.name,
                },
                station=station,
            ):
                done += 1


def _visit_target(plan) -> str:
    return f"visit:{plan.resident_id}:{plan.next_due_on.isoformat()}"


# --- the daily digest ---------------------------------------------------------------------------------
def digest_counts(now=None) -> dict[int, dict]:
    """Per station: requests received in the last 24 hours (new), open and past due (overdue), open and
    due before midnight (due_today). One aggregate query."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=1)
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now) + datetime.timedelta(days=1), datetime.time())
    )
    is_open = Q(status__in=Request.OPEN_STATUSES)
    rows = (
        Request.objects.filter(Q(received_at__gte=since) | is_open)
        .values("station_id")
        .annotate(
            new=Count("pk", filter=Q(received_at__gte=since)),
            overdue=Count("pk", filter=is_open & Q(due_at__lt=now)),
            due_today=Count("pk", filter=is_open & Q(due_at__gte=now, due_at__lt=midnight)),
        )
        .order_by()
    )
    return {row.pop("station_id"): row for row in rows}


def _digest_links(since_day):
    queue = reverse("residents:request-queue")
    return [
        ("新诉求", f"{queue}?received_from={since_day.isoformat()}"),
        ("已超期", f"{queue}?overdue=on"),
        ("全部待办", queue),
    ]


def send_daily_digest(now=None) -> int:
    """08:00: each station head gets their station's counts, each district centre its district's (with
    links to the queue). A station or district with nothing new, overdue or due today is left out.
    Returns the digests sent."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    counts = digest_counts(now)
    links = _digest_links(timezone.localdate(now - datetime.timedelta(days=1)))
    stations = {s.pk: s for s in Station.objects.select_related("district").order_by("pk")}
    districts = {}
    for station_id, figures in counts.items():
        station = stations[station_id]
        total = districts.setdefault(station.district_id, [station.district, dict.fromkeys(figures, 0)])
        for name, value in figures.items():
            total[1][name] += value
    people = defaultdict(list)
    for user in User.objects.filter(
        Q(role=User.Role.STATION_HEAD, station_id__in=list(counts)) | Q(role=User.Role.DISTRICT_STAFF),
        is_active=True,
    ).order_by("pk"):
        people[("station", user.station_id) if user.station_id else ("district", user.district_id)].append(
            user
        )

    sent = 0
    batches = [(("station", pk), stations[pk], stations[pk], figures) for pk, figures in counts.items()]
    batches += [(("district", pk), district, None, figures) for pk, (district, figures) in districts.items()]
    for scope_key, scope, station, figures in batches:
        if not any(figures.values()) or not people[scope_key]:
            continue
        dispatch.notify(
            Event.DAILY_DIGEST,
            recipients=people[scope_key],
            target=f"{scope_key[0]}:{scope.pk}:{day.isoformat()}",
            url=reverse("residents:request-queue"),
            context={"scope": scope.name, **figures},
            station=station,
            links=links,
            now=now,
        )
        sent += 1
    return sent
