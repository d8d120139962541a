"""Render time of a 50-row queue page's rows, fast path and reference partial, on a throwaway SQLite
database (the rows' markup only: no query is timed, the rows are read once before).

    .venv/bin/python -m bench.queue_rows         # median and p95 of 200 renders of the same 50 rows

`fast`: `QueueRows.render`, what the queue page does. `partial`: the same rows through
templates/residents/_queue_row.html, the markup's reference (the htmx answer's path). A measurement to
print, not a test: nothing here asserts a time.
"""

import datetime
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sws.test_settings")


def main(runs=200, rows=50):
    import django

    django.setup()
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        _measure(runs, rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


def _queue(rows):
    """A station with two workers and `rows` requests of every status, half assigned, some overdue, some
    about minors (masked for a worker without the permission)."""
    from django.utils import timezone

    from residents.models import Request
    from stations.models import User
    from tests import factories as f
    from tests.residents.factories import make_resident

    district = f.make_district()
    street = f.make_street("120113001000", "果园新村街道", district)
    station = f.make_station(street, founded_on=datetime.date(2023, 1, 1))
    community = f.make_community("120113001009", "朝阳里社区居委会", street)
    f.make_user("head", User.Role.STATION_HEAD, station=station, name="徐芃泽")
    worker = f.make_user("worker", station=station, name="李静")
    child = make_resident(
        community, name="王小明", birth_date=datetime.date(timezone.localdate().year - 9, 3, 1)
    )
    now = timezone.now()
    statuses = ["new", "triaged", "in_progress", "referred", "resolved"]
    for i in range(rows):
        f.make_request(
            station,
            community,
            resident=child if i % 7 == 0 else None,
            status=statuses[i % len(statuses)],
            assignee=worker if i % 2 else None,
            due_at=now + datetime.timedelta(hours=-3 if i % 3 == 0 else 30),
            follow_up_due_on=timezone.localdate() if i % 5 == 4 else None,
        )
    return Request.objects.filter(station=station).order_by("priority", "due_at", "pk"), worker


def _measure(runs, rows):
    from django.middleware.csrf import get_token
    from django.template import Context, TemplateDoesNotExist
    from django.template.loader import get_template
    from django.test import RequestFactory

    from residents.filters import RequestFilter
    from residents.queue_rows import QueueRows

    requests, user = _queue(rows)
    http_request = RequestFactory().get("/residents/requests/")
    http_request.user = user
    filterset = RequestFilter(None, queryset=requests, user=user)
    object_list = list(QueueRows.columns(requests))

    # The page's lists, read once (as the view reads them), outside the timing.
    lists = {
        "workers": filterset.choices("assignee"),
        "categories": filterset.choices("category"),
        "communities": filterset.choices("community_names"),
        "assignees": filterset.choices("assignee"),
    }

    def writer():
        return QueueRows(http_request, can_act=True, next_url=http_request.get_full_path(), **lists)

    ways = {"fast": lambda: writer().render(object_list)}
    try:
        partial = get_template("residents/_queue_row.html").template
    except TemplateDoesNotExist:  # before the partial came back
        partial = None
    if partial is not None:

        def through_partial():
            rows_writer = writer()
            rows_writer.read_assignees(object_list)
            context = Context({"csrf_token": get_token(http_request)})
            parts = []
            for r in object_list:
                with context.push(row=rows_writer.context(r)):
                    parts.append(partial.render(context))
            return "".join(parts)

        ways["partial"] = through_partial
    for name, way in ways.items():
        for _ in range(10):
            way()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            way()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:8} {len(object_list)} rows: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
