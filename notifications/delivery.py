"""Delivering the outbox: claim due messages, send each through its channel, record what happened.

Exactly once per key, across crashes:
- A worker claims a batch in one UPDATE that moves the rows' `next_attempt_at` to the end of a lease and
  stamps them with its claim; rows already claimed are not due until that lease runs out. On PostgreSQL
  the rows are picked with SELECT … FOR UPDATE SKIP LOCKED, so concurrent workers take different rows
  without waiting; on SQLite (one writer at a time) the conditional UPDATE alone decides who got a row.
- Only the claim that holds a row may mark it (sent, failed, refused): a worker whose lease ran out and
  whose rows another worker took writes nothing.
- A worker killed between sending and marking leaves the row pending; after the lease another worker sends
  it again with the same key, and the channel hands the key to the provider as its idempotency key, so
  the provider keeps the first and the resident gets one message.

Failures: a retryable error (timeout, 5xx) waits `OutboxMessage.retry_delay(attempts)`, doubling; after
OUTBOX_MAX_ATTEMPTS, or at once for a permanent error, the message is dead (admin: retry). SMS are held to
SMS_DAILY_LIMIT_PER_NUMBER a number a day and never go to a number on the opt-out list: those are
recorded as skipped with the reason.
"""

import dataclasses
import datetime
import logging
import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications.channels import DeliveryError, Outgoing, PermanentError, get_channel
from notifications.models import OutboxMessage, SmsOptOut
from stations import access

log = logging.getLogger("notifications.delivery")

FINISH_FIELDS = [
    "status",
    "skip_reason",
    "sent_at",
    "next_attempt_at",
    "last_error",
    "provider_message_id",
    "claim",
]
# Finished rows are written in groups of this many (one UPDATE), or sooner when the lease runs short.
FLUSH_EVERY = 50


@dataclasses.dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0
    lost_claim: int = 0  # finished after the lease ran out and another worker took the row: not written
    more: bool = False  # stopped at its time budget with messages still due

    def add(self, other):
        for field in dataclasses.fields(self):
            if field.name != "more":
                setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    @property
    def handled(self):
        return self.sent + self.retrying + self.dead + self.skipped


def claim_batch(*, now, size, lease):
    """Claim up to `size` due messages for this worker: (claim, rows)."""
    claim = uuid.uuid4()
    due = OutboxMessage.objects.due(now).order_by("next_attempt_at", "pk")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            return claim, []
        # The condition is checked again by the UPDATE itself: a row another worker claimed meanwhile
        # (its next_attempt_at now in the future) is left to it.
        OutboxMessage.objects.due(now).filter(pk__in=ids).update(
            claim=claim, attempts=F("attempts") + 1, next_attempt_at=now + lease
        )
    # By primary key (the claim column has no index: the outbox keeps every message ever sent).
    return claim, list(
        OutboxMessage.objects.filter(pk__in=ids, claim=claim).order_by("next_attempt_at", "pk")
    )


def _start_of_day(now):
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


class SmsPolicy:
    """The daily limit and the opt-out list for one batch: two queries, then counted as it goes."""

    def __init__(self, rows, now):
        numbers = {row.address for row in rows if row.channel == OutboxMessage.SMS}
        self.opted_out = SmsOptOut.objects.of_numbers(numbers) if numbers else set()
        self.sent_today = OutboxMessage.objects.sms_sent_since(numbers, _start_of_day(now)) if numbers else {}

    def refusal(self, row):
        if row.channel != OutboxMessage.SMS:
            return ""
        if row.address in self.opted_out:
            return OutboxMessage.SkipReason.OPTED_OUT
        if self.sent_today.get(row.address, 0) >= settings.SMS_DAILY_LIMIT_PER_NUMBER:
            return OutboxMessage.SkipReason.RATE_LIMITED
        return ""

    def count(self, row):
        if row.channel == OutboxMessage.SMS:
            self.sent_today[row.address] = self.sent_today.get(row.address, 0) + 1


def _send(row):
    """The channel's answer for one row: (provider id, None) or (None, error)."""
    try:
        channel = get_channel(row.channel)
        message = Outgoing(key=row.key, address=row.address, body=row.body, template_code=row.template_code)
        return channel.send(message), None
    except DeliveryError as exc:
        return None, exc
    except Exception as exc:  # a bug in a channel: retried like an outage, the type recorded, no text
        log.exception("channel %s failed on key %s", row.channel, row.key)
        return None, DeliveryError(f"内部错误：{type(exc).__name__}")


def _outcome(row, provider_id, error, now):
    """Set the row's fields for what happened; returns the Report field to count it in."""
    row.claim = None
    if error is None:
        row.status, row.sent_at, row.last_error = OutboxMessage.Status.SENT, now, ""
        row.provider_message_id = provider_id or ""
        return "sent"
    row.last_error = str(error)[:500]
    if isinstance(error, PermanentError) or OutboxMessage.gives_up_after(row.attempts):
        row.status = OutboxMessage.Status.DEAD
        log.warning("outbox %s dead after %d attempts: %s", row.key, row.attempts, row.last_error)
        return "dead"
    row.next_attempt_at = now + OutboxMessage.retry_delay(row.attempts)
    return "retrying"


def _flush(claim, finished, report):
    """Write the finished rows, each only if this claim still holds it: one statement run for all rows
    (executemany; psycopg pipelines it). Django's bulk_update builds a CASE per field and row, which cost
    more than sending (0.7 s for 50 rows)."""
    if not finished:
        return
    fields = [OutboxMessage._meta.get_field(name) for name in FINISH_FIELDS]
    claim_field, pk_field = OutboxMessage._meta.get_field("claim"), OutboxMessage._meta.pk
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s AND {} = %s".format(
        qn(OutboxMessage._meta.db_table),
        ", ".join(f"{qn(field.column)} = %s" for field in fields),
        qn(pk_field.column),
        qn(claim_field.column),
    )
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [row.pk, claim_field.get_db_prep_value(claim, connection)]
        for row in finished
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        written = cursor.rowcount
    report.lost_claim += len(finished) - written
    finished.clear()


def deliver_batch(claim, rows, *, lease):
    """Send the claimed rows and mark them. Rows not reached before the lease runs short are given back."""
    report = Report()
    started = time.monotonic()
    policy = SmsPolicy(rows, timezone.now())
    finished = []
    for index, row in enumerate(rows):
        if time.monotonic() - started > lease.total_seconds() * 0.8:
            # Given back, due now: another run takes them before this claim could run out.
            _flush(claim, finished, report)
            rest = [r.pk for r in rows[index:]]
            OutboxMessage.objects.filter(claim=claim, pk__in=rest).update(
                claim=None, next_attempt_at=timezone.now(), attempts=F("attempts") - 1
            )
            break
        now = timezone.now()
        refusal = policy.refusal(row)
        if refusal:
            row.status, row.skip_reason, row.claim = OutboxMessage.Status.SKIPPED, refusal, None
            report.skipped += 1
            log.info("outbox %s skipped: %s", row.key, refusal)
        else:
            provider_id, error = _send(row)
            field = _outcome(row, provider_id, error, now)
            setattr(report, field, getattr(report, field) + 1)
            if field == "sent":
                policy.count(row)
        finished.append(row)
        if len(finished) >= FLUSH_EVERY:
            _flush(claim, finished, report)
    _flush(claim, finished, report)
    return report


def deliver_due(*, budget_seconds=None, batch_size=None):
    """Deliver due messages batch after batch until none is due (or `budget_seconds` have passed):
    the worker's task and run_due_jobs call this."""
    lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    size = batch_size or settings.OUTBOX_BATCH_SIZE
    started = time.monotonic()
    total = Report()
    while True:
        claim, rows = claim_batch(now=timezone.now(), size=size, lease=lease)
        if not rows:
            return total
        total.add(deliver_batch(claim, rows, lease=lease))
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            total.more = True
            return total


def retry_messages(*, acting_user, messages):
    """An admin sends dead messages again: pending now, with a fresh count of attempts.

    Returns how many were dead (others are left as they are). Delivery starts when the transaction
    commits."""
    if not access.is_admin(acting_user):
        raise PermissionDenied
    from notifications.outbox import kick_delivery_on_commit

    count = messages.filter(status=OutboxMessage.Status.DEAD).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claim=None
    )
    if count:
        kick_delivery_on_commit()
    return count
