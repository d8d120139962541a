"""Dashboards, reports and exports read from a PostgreSQL streaming replica (docs/deploy.md, "Read replica").

The rules, in the order the router applies them:
- Without REPLICA_DATABASE_URL there is no "replica" database and this router has no opinion: everything
  on the one database, as before (SQLite never has a replica).
- Writes always go to the primary ("default").
- A read goes to the replica only while a view marked `@replica_reads` runs (dashboards, reports, exports:
  pages that only read and tolerate data a few seconds old), and never inside a transaction: a read there
  may decide a write.
- Read-your-writes: a browser that sent a non-safe request (POST, PUT, PATCH, DELETE) in the last
  READ_YOUR_WRITES_SECONDS reads from the primary. `ReadYourWritesMiddleware` marks it with a signed,
  timestamped cookie; checking it is an HMAC, not a query.
- The replica is used only while it is up and at most REPLICA_MAX_LAG_SECONDS behind. `ReplicaProbe`
  measures that at most once every REPLICA_CHECK_SECONDS per process (one query on the replica) and logs
  each change of state once. A marked page whose replica read fails on a connection error is served again
  from the primary, and the replica is marked down at once.
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
STICKY_COOKIE = "sws_primary"
STICKY_SALT = "sws.db_router.read-your-writes"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

OK, LAGGING, DOWN = "ok", "lagging", "down"

# True while a marked view (or its streamed body) runs for a request that may read from the replica.
_replica_allowed = contextvars.ContextVar("sws_replica_allowed", default=False)

# Caught up when everything received is replayed: an idle primary sends nothing, so the last replayed
# transaction's age alone would call an idle replica late. Only when WAL waits to be replayed is that age
# the lag (an upper bound: the oldest unreplayed commit is at most that old). No WAL receiver (the primary
# unreachable from the replica) gives NULL, hence "not caught up".
LAG_SQL = """
SELECT pg_is_in_recovery(),
       COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


class ReplicaProbe:
    """The replica's state (ok, lagging, down) and lag, cached in the process for REPLICA_CHECK_SECONDS."""

    def __init__(self, alias: str = REPLICA, clock=time.monotonic):
        self.alias = alias
        self.clock = clock
        self._lock = threading.Lock()
        self._checked_at = None
        self.state = None  # not measured yet
        self.lag = None  # seconds; None when down or unknown
        self.error = ""

    def measure(self):
        """The lag in seconds (0.0 when caught up, None when unknown); a DatabaseError when unreachable."""
        connection = connections[self.alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                in_recovery, caught_up, age = cursor.fetchone()
        except DatabaseError:
            with contextlib.suppress(DatabaseError):  # broken: the next use opens a new connection
                connection.close()
            raise
        if not in_recovery or caught_up:
            return 0.0
        return None if age is None else max(0.0, float(age))

    def refresh(self, force: bool = False) -> str:
        with self._lock:
            now = self.clock()
            fresh = self._checked_at is not None and now - self._checked_at < settings.REPLICA_CHECK_SECONDS
            if fresh and not force:
                return self.state
            self._checked_at = now  # other threads keep the old state meanwhile: one probe at a time
        try:
            lag = self.measure()
        except DatabaseError as exc:
            # The class only: the message may carry the host and the user.
            self._set(DOWN, None, type(exc).__name__)
        else:
            late = lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS
            self._set(LAGGING if late else OK, lag, "")
        return self.state

    def _set(self, state, lag, error):
        previous, self.state, self.lag, self.error = self.state, state, lag, error
        if state == previous:
            return
        if state == OK:
            logger.info("replica: serving dashboard, report and export reads (lag %.1f s)", lag)
        elif state == LAGGING:
            shown = "unknown" if lag is None else f"{lag:.1f} s"
            logger.warning(
                "replica: lag %s over %s s, reads from the primary", shown, settings.REPLICA_MAX_LAG_SECONDS
            )
        else:
            logger.warning("replica: down (%s), reads from the primary", error)

    def status(self) -> dict:
        """For /readyz: the state after a refresh (cached as above), the lag and the limit."""
        state = self.refresh()
        return {
            "ok": state == OK,
            "state": state,
            "lag_seconds": None if self.lag is None else round(self.lag, 3),
            "max_lag_seconds": settings.REPLICA_MAX_LAG_SECONDS,
            **({"error": self.error} if self.error else {}),
        }


_probe = None
_probe_lock = threading.Lock()


def replica_probe():
    """The process's probe of the configured replica, or None without one."""
    global _probe
    if _probe is None and REPLICA in settings.DATABASES:
        with _probe_lock:
            if _probe is None:
                _probe = ReplicaProbe(REPLICA)
    return _probe


class ReplicaRouter:
    """DATABASE_ROUTERS' one router. `replica` and `probe` are given by tests; Django passes neither."""

    def __init__(self, replica: str | None = None, probe: ReplicaProbe | None = None):
        if replica is None and REPLICA in settings.DATABASES:
            replica = REPLICA
        self.replica = replica
        self._probe = probe

    @property
    def probe(self):
        return self._probe or replica_probe()

    def db_for_read(self, model, **hints):
        if self.replica is None:
            return None
        if not _replica_allowed.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return self.replica if self.probe.refresh() == OK else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS if self.replica is not None else None

    def allow_relation(self, obj1, obj2, **hints):
        # A row read on the replica is the primary's row: relating it to one read on the primary is fine.
        return True if self.replica is not None else None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None  # a hot standby is read-only: it follows the primary


def wrote_recently(request) -> bool:
    value = request.get_signed_cookie(
        STICKY_COOKIE, default=None, salt=STICKY_SALT, max_age=settings.READ_YOUR_WRITES_SECONDS
    )
    return value is not None


def _allowed_while_iterating(allowed: bool, iterable):
    """A streamed body's rows are read after the view returned: allow the replica during each step only."""
    iterator = iter(iterable)
    while True:
        token = _replica_allowed.set(allowed)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _replica_allowed.reset(token)
        yield chunk


def _call(view, allowed, request, args, kwargs):
    token = _replica_allowed.set(allowed)
    try:
        response = view(request, *args, **kwargs)
    finally:
        _replica_allowed.reset(token)
    if allowed and getattr(response, "streaming", False):
        # A streamed body is read after the view returned, when a failed read can no longer be served
        # again: the replica is measured afresh first (one query per streamed download).
        probe = replica_probe()
        body_allowed = probe is None or probe.refresh(force=True) == OK
        response.streaming_content = _allowed_while_iterating(body_allowed, response.streaming_content)
    return response


def replica_reads(view):
    """Marks a page that only reads and may show data a few seconds old (dashboards, reports, exports):
    its reads may come from the replica. The one mark the router looks at (see the module's rules)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        allowed = request.method in ("GET", "HEAD") and not wrote_recently(request)
        if hasattr(request, "user"):
            # Who is asking (the user, the session) is loaded from the primary, before the flag.
            getattr(request.user, "pk", None)
        try:
            return _call(view, allowed, request, args, kwargs)
        except (OperationalError, InterfaceError):
            probe = replica_probe()
            # Only a replica found down now is retried: the page again, every read on the primary.
            if not allowed or probe is None or probe.refresh(force=True) != DOWN:
                raise
            return _call(view, False, request, args, kwargs)

    wrapped.replica_reads = True
    return wrapped


class ReadYourWritesMiddleware:
    """After a non-safe request, the browser reads from the primary for READ_YOUR_WRITES_SECONDS.

    In MIDDLEWARE only when a replica is configured (sws/settings.py). Any non-safe request counts, even a
    refused one: telling a write from a refusal would cost more than a few seconds on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=STICKY_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
