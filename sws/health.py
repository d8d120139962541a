"""Liveness, readiness and Prometheus metrics for the production stack (docs/deploy.md).

- /healthz: the process answers. No database, no cache: a load balancer or systemd restarts a process
  that stops answering this, and a database outage must not make it restart every app process.
- /readyz: the app can serve: the database answers, the cache (Redis in production) answers, and the
  outbox's backlog is within bounds. 503 with a JSON body naming each failed check. Two cheap
  queries at most, whatever the data (the outbox's through its (status, next_attempt_at) index), and
  with a replica its state and lag (one query on the replica, at most every REPLICA_CHECK_SECONDS): reported,
  never a failure, since the app then reads from the primary.
- /metrics: Prometheus text (django-prometheus: latency by view, database queries) plus the queue's and
  the outbox's backlog, computed at scrape time. Only for METRICS_TOKEN (Authorization: Bearer) or for a
  METRICS_ALLOWED_IPS address connecting directly (not through our proxy); 404 for anyone else.

`HealthMiddleware`, first in MIDDLEWARE, answers these three paths before the HTTPS redirect, the session,
CSRF, login and the auditor's confinement: a probe carries no cookie, may use plain HTTP on the app's own
port, and must not cost a session read. The URL patterns (sws/urls.py) point at the same views, so the
access matrix sees them.
"""

import functools
import ipaddress
import logging
import os

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from notifications.health import bearer_matches, late_after_seconds, outbox_health
from sws.db_router import replica_probe

logger = logging.getLogger(__name__)

READYZ_CACHE_KEY = "sws:readyz"


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _check_cache():
    cache = caches["default"]
    cache.set(READYZ_CACHE_KEY, "1", timeout=30)
    if cache.get(READYZ_CACHE_KEY) != "1":
        raise RuntimeError("the value written was not read back")
    return {}


class CheckFailed(Exception):
    def __init__(self, reason, figures):
        super().__init__(reason)
        self.figures = figures


def _check_jobs():
    figures = outbox_health()
    late = figures["status"] == "late"  # the same line /health/jobs/ draws (notifications.health)
    long = figures["backlog"] > settings.READY_OUTBOX_MAX_BACKLOG
    details = {
        "backlog": figures["backlog"],
        "oldest_undelivered_age_seconds": figures["oldest_undelivered_age_seconds"],
    }
    if late or long:
        reasons = []
        if late:
            reasons.append(f"oldest undelivered message waited over {late_after_seconds()}s")
        if long:
            reasons.append(f"more than {settings.READY_OUTBOX_MAX_BACKLOG} messages undelivered")
        raise CheckFailed("; ".join(reasons), details)
    return details


@never_cache
@require_safe
def readyz(request):
    checks, failed = {}, []
    for name, check in (("database", _check_database), ("cache", _check_cache), ("jobs", _check_jobs)):
        if name == "jobs" and "database" in failed:
            checks[name] = {"ok": False, "error": "skipped: the database is down"}
            failed.append(name)
            continue
        try:
            checks[name] = {"ok": True, **check()}
        except CheckFailed as exc:
            checks[name] = {"ok": False, "error": str(exc), **exc.figures}
            failed.append(name)
        except Exception as exc:  # noqa: BLE001  any failure of a dependency is "not ready"
            # The exception's class only: its message may carry a DSN or a host name.
            checks[name] = {"ok": False, "error": type(exc).__name__}
            failed.append(name)
            logger.warning("readyz: %s failed: %s", name, type(exc).__name__)
    probe = replica_probe()
    if probe is not None:
        # Reported, never failed: without the replica the app reads from the primary (sws/db_router.py).
        checks["replica"] = probe.status()
    body = {"status": "fail" if failed else "ok", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)


@functools.lru_cache(maxsize=4)
def _allowed_networks(entries: tuple) -> tuple:
    # Parsed once per setting's value, not per scrape (a mistyped entry fails the first scrape loudly).
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _metrics_allowed(request) -> bool:
    if bearer_matches(request, settings.METRICS_TOKEN):
        return True
    # An address is believed only on a direct connection: through nginx every request comes from
    # 127.0.0.1 and carries X-Forwarded-For, and must then give the token.
    if "HTTP_X_FORWARDED_FOR" in request.META or not settings.METRICS_ALLOWED_IPS:
        return False
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(remote in network for network in _allowed_networks(tuple(settings.METRICS_ALLOWED_IPS)))


class _BacklogCollector:
    """The queue's and the outbox's backlog, read at scrape time (two queries). Metric families, not
    Gauge objects: under gunicorn (PROMETHEUS_MULTIPROC_DIR) a Gauge writes a value file per process,
    which the multiprocess collector would then report again, once per worker that ever scraped."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from residents.models import Request

        figures = outbox_health()
        for name, help_text, value in (
            (
                "sws_open_requests",
                "Requests open (new to referred)",
                Request.objects.filter(status__in=Request.OPEN_STATUSES).count(),
            ),
            ("sws_outbox_undelivered", "Outbox messages pending", figures["backlog"]),
            ("sws_outbox_due", "Outbox messages due for delivery now", figures["due"]),
            ("sws_outbox_dead", "Outbox messages given up after every attempt", figures["dead"]),
            (
                "sws_outbox_oldest_undelivered_age_seconds",
                "How long the oldest pending outbox message has waited",
                figures["oldest_undelivered_age_seconds"],
            ),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)


def backlog_metrics() -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_BacklogCollector())
    return generate_latest(registry)


@never_cache
def metrics(request):
    if not _metrics_allowed(request):
        raise Http404  # before the method: nobody else learns the address exists
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: every worker's figures, from their files (deploy/gunicorn.conf.py).
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry) + backlog_metrics(), content_type=CONTENT_TYPE_LATEST)


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class HealthMiddleware:
    """First in MIDDLEWARE: the probes are answered without the session, CSRF, login or HTTPS redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PROBES.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        try:
            return view(request)
        except Http404:
            return HttpResponse(status=404)
