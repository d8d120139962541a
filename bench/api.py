"""The API's throughput: work orders accepted per second through POST /api/v1/work-orders/ on PostgreSQL
under gunicorn (2 workers), and the latency percentiles of that POST and of the list GET.

    .venv/bin/python -m bench.api --orders 2000 --clients 8        # make bench-api

Creates (again) the database `sws_bench_api` on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), migrates it, sets up one district with two stations, the hotline's
category and deadline tables and an API key (no callback URL: delivery is not measured here; see
docs/jobs.md for the outbox), starts gunicorn with 2 workers on 127.0.0.1 and posts N distinct orders from
C client threads with keep-alive connections, then re-posts 200 of them (the idempotent path) and reads the
list 200 times. The client threads share the machine with the server: the figures are a floor.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection

from bench.run import DEFAULT_SERVER, ROOT, create_database, django_env, manage, say
from bench.throughput import HOST, free_port, gunicorn_command

NAME = "sws_bench_api"
SETUP = """
from hotline.models import ApiKey, DeadlineRule, HotlineCategory
from residents.models import Category
from tests import factories as f
district = f.make_district("120113000000", "北辰区")
for n in (1, 2):
    street = f.make_street(f"12011300{n}000", f"测试{n}街道", district)
    station = f.make_station(street)
    for c in range(1, 6):
        f.make_community(f"12011300{n}{c:03d}", f"测试{n}-{c}社区居委会", street)
f.ensure_default_data()
HotlineCategory.objects.create(code="0301", name="路灯", category=Category.objects.selectable().first())
# The migrations seed this class already (hotline/migrations/0002): set, not created twice.
DeadlineRule.objects.update_or_create(deadline_class="normal", defaults=dict(
    name="一般", sign_within_minutes=120, reply_within_working_days=5))
key, plain = ApiKey.issue(name="压测热线")
print("KEY=" + plain)
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def drive(port, key, bodies, clients, method="POST", path="/api/v1/work-orders/"):
    """Send `bodies` (None for a GET) from `clients` threads; (seconds, latencies, statuses)."""
    latencies, statuses, lock = [], {}, threading.Lock()
    work = list(enumerate(bodies))
    headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}

    def client(share):
        conn = HTTPConnection(HOST, port, timeout=60)
        for _i, body in share:
            started = time.monotonic()
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            response.read()
            took = time.monotonic() - started
            with lock:
                latencies.append(took)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(work[i::clients],)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started, latencies, statuses


def report(what, seconds, latencies, statuses):
    say(
        f"{what}: {len(latencies)} in {seconds:.1f} s = {len(latencies) / seconds:.0f}/s; "
        f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
        f"p99 {percentile(latencies, 99):.0f} ms; statuses {statuses}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    base = server.rsplit("/", 1)[0] + "/"
    create_database(base, NAME, recreate=True)
    url = base + NAME
    env = django_env(url)
    say(f"database {NAME}: migrating")
    manage(env, "migrate", "--noinput", prefix="    ")
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = next(line[4:] for line in out.stdout.splitlines() if line.startswith("KEY="))
    port = free_port()
    server_proc = subprocess.Popen(gunicorn_command(port, 2), cwd=ROOT, env=env, start_new_session=True)
    try:
        for _ in range(100):
            try:
                HTTPConnection(HOST, port, timeout=1).request("GET", "/api/schema/")
                break
            except OSError:
                time.sleep(0.2)
        run = uuid.uuid4().hex[:6]
        orders = [
            {
                "ticket_no": f"B{run}-{n}",
                "received_at": "2026-12-03T09:30:00+08:00",
                "caller_name": "压测",
                "caller_phone": "13812345678",
                "address": "",
                "community_code": f"12011300{1 + n % 2}{1 + n % 5:03d}",
                "category_code": "0301",
                "content": "路灯不亮",
                "deadline_class": "normal",
            }
            for n in range(args.orders)
        ]
        drive(port, key, orders[:50], args.clients)  # warm the workers (connections, templates)
        report("POST new orders", *drive(port, key, orders[50:], args.clients))
        report("POST again (idempotent)", *drive(port, key, orders[50:250], args.clients))
        report("GET list (50 a page)", *drive(port, key, [None] * 200, args.clients, method="GET"))
    finally:
        os.killpg(server_proc.pid, signal.SIGTERM)
        server_proc.wait(timeout=30)


if __name__ == "__main__":
    main()
