"""Time every page in-process with Django's test client, as the user who sees it; write JSON.

Run by `bench.run` against a seeded database (DJANGO_SETTINGS_MODULE=bench.settings, DATABASE_URL set):

    python -m bench.measure --json out.json [--runs 40] [--warmup 5]
    python -m bench.measure --list-urls      # every named URL, to add a page to bench/pages.py

Server time is the wall time of `Client.get/post`: middleware, view, queries, template, response. Pages are
timed round-robin (one request of each page per round) so a burst of load on the shared machine hits all
pages alike, and the cache is cleared before every timed request: the figures are the cost of computing a
page, never of a cache hit. Two cache aliases are exceptions (KEEP_WARM), filled by the warm-up as by a
page's first visitor: `dashboards`, the dashboards' trend figures for months that are over, which
production computes once an hour per station, district and the city (sws/dashboards/queries.py), and
`reference`, the queue's option lists and default filter form, built again only after a category,
community or worker changed (stations/reference.py). The page `queue-cold` clears `reference` before each
of its runs: the queue's first view after such a change. A POST page's writes are undone after each run
(`Page.undo`, untimed), so every run measures the city as seeded. SQL queries are counted once per page,
after the warm-up. The warmed-up heap is then frozen (`_freeze_warm_heap`): a full garbage collection's
pause is reported once instead of landing on a random page's slowest runs.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time
import traceback


def percentile(values, pct):
    """Linear interpolation between closest ranks (numpy's default); `pct` in 0..100."""
    ordered = sorted(values)
    if not ordered:
        return None
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarize(durations_ms):
    return {
        "runs": len(durations_ms),
        "median_ms": round(statistics.median(durations_ms), 2),
        "p95_ms": round(percentile(durations_ms, 95), 2),
        "min_ms": round(min(durations_ms), 2),
        "mean_ms": round(statistics.fmean(durations_ms), 2),
    }


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def choose_subjects():
    """The report's people where the seeder made them (徐芃泽 of 果园新村, 北辰区's centre, the municipal
    centre), otherwise the first account of each role; the case is near the top of the worker's queue."""
    from bench.pages import CITY, DISTRICT, STATION, Subjects
    from residents.models import Request, Resident
    from stations.models import User

    def first(*filters):
        for f in filters:
            user = User.objects.filter(is_active=True, **f).order_by("pk").first()
            if user is not None:
                return user
        return None

    worker = first(
        {"username": "xupengze"},
        {"role": User.Role.STATION_HEAD, "station__isnull": False},
        {"role": User.Role.STATION_WORKER, "station__isnull": False},
    )
    if worker is None:
        raise SystemExit("No station worker in the database: did the seeder run?")
    district_user = first(
        {"role": User.Role.DISTRICT_STAFF, "district_id": worker.station.district_id},
        {"role": User.Role.DISTRICT_STAFF},
    )
    city_user = first({"username": "city"}, {"role": User.Role.CITY_STAFF}, {"is_superuser": True})
    station = worker.station
    # The case in the same state at every city size (its actions, hence its queries, depend on it):
    # the most pressing request in progress of a registered resident, else the top of the queue.
    ordered = Request.objects.filter(station=station).order_by("priority", "due_at", "pk")
    case = (
        ordered.filter(status=Request.Status.IN_PROGRESS, resident__isnull=False)
        .values_list("pk", flat=True)
        .first()
        or ordered.filter(status__in=Request.OPEN_STATUSES).values_list("pk", flat=True).first()
        or ordered.values_list("pk", flat=True).first()
    )
    resident = (
        Resident.objects.filter(community__street__station=station).values_list("pk", flat=True).first()
    )
    return Subjects(
        users={STATION: worker, DISTRICT: district_user, CITY: city_user},
        station=station,
        district=station.district,
        case_pk=case,
        resident_pk=resident,
    )


class PageRun:
    """One page, resolved for the subjects, with its logged-in client."""

    def __init__(self, page, client, url, subjects):
        self.page = page
        self.subjects = subjects
        self.client = client
        self.url = url
        self.durations = []
        self.error = None
        self.queries = None
        self.sql = []
        self.status = None
        self.bytes = None

    def prepare(self):
        """Untimed: what a timed request needs (the POST form's fresh data)."""
        if self.page.method != "POST":
            return None
        from bench.formfill import fill

        form_page = self.client.get(self.url)
        path = self.url.split("?")[0]
        overrides = self.page.post_data(self.subjects)
        return fill(form_page.content.decode("utf-8", "replace"), path, overrides)

    def request(self, data):
        """The response and its size; a streamed body (CSV exports) is read to the end, inside the timing."""
        if self.page.method == "POST":
            response = self.client.post(self.url, data)
        else:
            response = self.client.get(self.url)
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        return response, size

    def check(self, response):
        """An error message for a wrong answer, else None."""
        if self.page.method == "POST":
            if response.status_code in (301, 302, 303):
                return None
            body = b"" if response.streaming else response.content
            body = body.decode("utf-8", "replace")
            if response.status_code == 200 and "errorlist" not in body:
                return None  # an htmx-style answer with the saved record
            detail = _errors_in(body) if "errorlist" in body else ""
            return f"POST answered {response.status_code}{': ' + detail if detail else ''}"
        if response.status_code != 200:
            where = response.get("Location", "")
            return f"GET answered {response.status_code}{' → ' + where if where else ''}"
        return None

    def once(self, *, timed, count_queries=False):
        from django.core.cache import caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        data = self.prepare()
        for alias in caches:
            if alias not in KEEP_WARM or alias in self.page.cold:
                caches[alias].clear()
        if count_queries:
            with CaptureQueriesContext(connection) as ctx:
                response, size = self.request(data)
            self.queries = len(ctx.captured_queries)
            self.sql = [q["sql"] for q in ctx.captured_queries]
        else:
            started = time.perf_counter()
            response, size = self.request(data)
            elapsed = (time.perf_counter() - started) * 1000
            if timed:
                self.durations.append(elapsed)
        self.status = response.status_code
        self.bytes = size
        error = self.check(response)
        if self.page.undo and error is None:
            self.page.undo(response)
        return error


# Cache aliases not cleared between timed requests (see the module docstring).
KEEP_WARM = ("dashboards", "reference")


def _errors_in(body):
    import re

    items = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", item) for item in items)
    return " ".join(text.split())[:300]


def measure(*, runs, warmup, only=None):
    from django.test import Client

    from bench.pages import PAGES

    subjects = choose_subjects()
    clients = {}
    for role, user in subjects.users.items():
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        clients[role] = client

    results = []
    active = []
    for page in PAGES:
        if only and page.key not in only and not page.baseline:
            continue
        entry = {
            "key": page.key,
            "label": page.label,
            "role": page.role,
            "method": page.method,
            "user": str(subjects.users.get(page.role) or ""),
            "username": getattr(subjects.users.get(page.role), "username", None),
            "throughput": page.throughput,
            "baseline": page.baseline,
            "cold": list(page.cold),
        }
        results.append(entry)
        url = page.resolve(subjects)
        if url is None:
            entry["state"] = "not built"
            continue
        if page.role not in clients:
            entry["state"] = "no user"
            continue
        entry["url"] = url
        if page.setup:
            page.setup(subjects)
        run = PageRun(page, clients[page.role], url, subjects)
        run.entry = entry
        active.append(run)

    def guarded(run, **kwargs):
        if run.error:
            return
        try:
            run.error = run.once(**kwargs)
        except Exception as exc:  # the page crashed: report it, keep measuring the others
            run.error = f"{type(exc).__name__}: {exc}"
            run.entry["traceback"] = traceback.format_exc(limit=8)

    for _ in range(warmup):
        for run in active:
            guarded(run, timed=False)
    for run in active:
        guarded(run, timed=False, count_queries=True)
    full_collection_ms, frozen = _freeze_warm_heap()
    try:
        for _ in range(runs):
            for run in active:
                guarded(run, timed=True)
    finally:
        gc.unfreeze()

    for run in active:
        entry = run.entry
        entry["status"] = run.status
        if run.error:
            entry["state"] = "error"
            entry["error"] = run.error
            continue
        entry["state"] = "ok"
        entry["queries"] = run.queries
        entry["sql"] = run.sql
        entry["bytes"] = run.bytes
        entry.update(summarize(run.durations))
        entry["durations_ms"] = [round(d, 3) for d in run.durations]

    base = next((e for e in results if e.get("baseline") and e.get("state") == "ok"), None)
    for entry in results:
        if base and entry.get("state") == "ok":
            entry["ratio_median"] = round(entry["median_ms"] / base["median_ms"], 2)
            entry["ratio_p95"] = round(entry["p95_ms"] / base["p95_ms"], 2)

    return {
        "subjects": _describe(subjects),
        "pages": results,
        "sessions": _sessions(clients),
        "gc": {"full_collection_ms": round(full_collection_ms, 1), "frozen_objects": frozen},
    }


def _freeze_warm_heap():
    """Collect once, then freeze what the warmed-up process holds; (that collection's ms, objects frozen).

    A full collection walks every object the process keeps (Django, the URL conf, compiled templates:
    about 130,000 after the warm-up) and falls on whichever page is running when it comes due: at
    1,000,000 requests it put 60-70 ms onto the city dashboard's slowest runs, and its p95 then said more
    about the collector than about the page. Frozen, those objects are skipped, so each page pays for
    collecting its own garbage only. The pause itself is reported beside the figures.
    """
    started = time.perf_counter()
    gc.collect()
    elapsed = (time.perf_counter() - started) * 1000
    gc.freeze()
    return elapsed, gc.get_freeze_count()


def _describe(subjects):
    import datetime

    from django.db.models import Min
    from django.utils import timezone

    from residents.models import Request

    now = timezone.now()
    oldest = Request.objects.aggregate(oldest=Min("received_at"))["oldest"]
    return {
        # How old the city is and how busy: the history's length and a month's city-wide volume.
        "history_days": (now - oldest).days if oldest else 0,
        "city_last_30_days": Request.objects.filter(
            received_at__gte=now - datetime.timedelta(days=30)
        ).count(),
        "city_open_requests": Request.objects.open().count(),
        "station": {"pk": subjects.station.pk, "name": subjects.station.name},
        "district": {"pk": subjects.district.pk, "name": subjects.district.name},
        "users": {role: getattr(u, "username", None) for role, u in subjects.users.items()},
        "case_pk": subjects.case_pk,
        "station_requests": Request.objects.filter(station=subjects.station).count(),
        "station_open_requests": Request.objects.filter(station=subjects.station).open().count(),
        "district_requests": Request.objects.filter(station__district=subjects.district).count(),
    }


def _sessions(clients):
    """Cookie headers of the logged-in sessions, for the throughput run (wrk sends them as they are)."""
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return {role: f"{name}={client.cookies[name].value}" for role, client in clients.items()}


def data_counts():
    """Row counts of the main tables (pg_class estimates after ANALYZE are exact enough and instant)."""
    from django.apps import apps
    from django.db import connection

    tables = {m._meta.db_table: m._meta.label for m in apps.get_models()}
    counts = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
                [list(tables)],
            )
            for name, rows in cursor.fetchall():
                counts[tables[name]] = max(rows, 0)
            cursor.execute("SELECT pg_database_size(current_database())")
            counts["_database_bytes"] = cursor.fetchone()[0]
        else:
            for name, label in tables.items():
                cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608 (table names from models)
                counts[label] = cursor.fetchone()[0]
    return counts


def list_urls():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}{p.name}", prefix + str(p.pattern)

    for name, route in sorted(walk(get_resolver().url_patterns)):
        print(f"{name:45} /{route}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per page (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--only", action="append", help="measure only this page key (repeatable)")
    parser.add_argument("--list-urls", action="store_true", help="print every named URL and exit")
    args = parser.parse_args(argv)
    setup_django()
    if args.list_urls:
        list_urls()
        return 0
    started = time.monotonic()
    result = measure(runs=args.runs, warmup=args.warmup, only=set(args.only or ()))
    result["counts"] = data_counts()
    result["measure_seconds"] = round(time.monotonic() - started, 1)
    result["runs"] = args.runs
    result["warmup"] = args.warmup
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1)
    for entry in result["pages"]:
        state = entry["state"]
        if state == "ok":
            line = (
                f"{entry['key']:26} median {entry['median_ms']:8.1f} ms  p95 {entry['p95_ms']:8.1f} ms  "
                f"queries {entry['queries']:3}  ×baseline {entry.get('ratio_p95', '-')}"
            )
        else:
            line = f"{entry['key']:26} {state}{': ' + entry['error'] if entry.get('error') else ''}"
        print(line, flush=True)
    return 1 if any(e["state"] == "error" for e in result["pages"]) else 0


if __name__ == "__main__":
    sys.exit(main())
