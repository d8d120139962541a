"""`notify`: the one call other apps make when something happened that people should hear about.

Called inside the caller's transaction (the request's intake, the plan's approval …): the inbox rows and
any SMS (through `outbox.enqueue`) commit or roll back with the change. Each recipient's preference for
the event decides: inbox only, inbox + SMS, or held for the 08:00 digest (`release_held`).

Quiet hours, 22:00–07:00 Asia/Shanghai: no SMS, except for a P1 request (`urgent=True`). What would have
been sent is not deferred to 07:00: the inbox entry is there when the worker looks, and a burst of stale
texts at 07:00 (a night's due-soon and overdue alerts) would bury the one that matters.
"""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from notifications import messages
from notifications.events import NO_DIGEST, Event, Mode, default_mode
from notifications.inbox import Notification, Preference
from notifications.outbox import enqueue

QUIET_FROM = datetime.time(22, 0)
QUIET_UNTIL = datetime.time(7, 0)


def in_quiet_hours(now=None) -> bool:
    local = timezone.localtime(now or timezone.now()).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def modes(users, event) -> dict[int, str]:
    """user pk → how that user hears `event` (their choice, else the default): one query."""
    chosen = dict(
        Preference.objects.filter(user__in=[u.pk for u in users], event=event).values_list("user_id", "mode")
    )
    fallback = default_mode(event)
    result = {}
    for user in users:
        mode = chosen.get(user.pk, fallback)
        if mode == Mode.DIGEST and event in NO_DIGEST:
            mode = Mode.INBOX
        result[user.pk] = mode
    return result


def notify(
    event,
    *,
    recipients,
    target,
    url="",
    context=None,
    station=None,
    actor=None,
    urgent=False,
    links=(),
    now=None,
):
    """Tell `recipients` (users) about `event` on `target` (a key such as "request:42" or
    "request:42:7", unique per occurrence). The acting user is never told about their own step.

    Returns the recipients reached (after leaving out the actor and inactive accounts).
    """
    now = now or timezone.now()
    context = context or {}
    people = []
    for user in recipients:
        if user.is_active and (actor is None or user.pk != actor.pk) and user not in people:
            people.append(user)
    if not people:
        return []
    key = f"{event}:{target}"
    chosen = modes(people, event)
    text = messages.texts(event)
    title = messages.render_text(text["inbox"], context)[:300]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event=event,
                key=key,
                title=title,
                url=url,
                links=[list(link) for link in links],
                station=station,
                created_at=now,
                held_for_digest=chosen[user.pk] == Mode.DIGEST,
            )
            for user in people
        ],
        ignore_conflicts=True,  # the same occurrence again (a job's second look): nobody hears it twice
    )
    texters = [u for u in people if chosen[u.pk] == Mode.SMS and u.phone]
    if texters and (urgent or not in_quiet_hours(now)):
        body = messages.render_text(text["sms"], context)
        for user in texters:
            enqueue(
                key=f"{key}:{user.pk}",
                channel="sms",
                address=user.phone,
                body=body,
                template_code=event,
                recipient_user=user,
            )
    return people


def text_resident(code, *, address, target, context):
    """An SMS to a resident (`events.ResidentMessage`): queued once per code and target."""
    body = messages.render_text(messages.texts(code, channels=("sms",))["sms"], context)
    return enqueue(key=f"{code}:{target}", channel="sms", address=address, body=body, template_code=code)


def text_partner(code, *, address, target, context):
    """An SMS to a partner's contact (`events.PartnerMessage`; no account): once per code and target."""
    body = messages.render_text(messages.texts(code, channels=("sms",))["sms"], context)
    return enqueue(key=f"{code}:{target}", channel="sms", address=address, body=body, template_code=code)


def release_held(now=None) -> int:
    """The 08:00 run for those who chose the digest: one summary entry each, and the held messages
    join their inbox, already read (the summary is the one that counts as new). Returns the summaries."""
    now = now or timezone.now()
    held = (
        Notification.objects.filter(held_for_digest=True, created_at__lte=now)
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .order_by("recipient_id")
    )
    text = messages.texts(Event.HELD_SUMMARY, channels=("inbox",))["inbox"]
    day = timezone.localdate(now).isoformat()
    summaries = [
        Notification(
            recipient_id=row["recipient_id"],
            event=Event.HELD_SUMMARY,
            key=f"{Event.HELD_SUMMARY}:{day}",
            title=messages.render_text(text, {"count": row["n"]}),
            url=reverse("notifications:inbox"),
            created_at=now,
        )
        for row in held
    ]
    Notification.objects.bulk_create(summaries, ignore_conflicts=True)
    Notification.objects.filter(held_for_digest=True, created_at__lte=now).update(
        held_for_digest=False, read_at=now
    )
    return len(summaries)
