"""Load and fault runs against the production stack: 200 logged-in users through nginx (TLS), two gunicorn
app processes, a PostgreSQL primary and its streaming replica, Redis, a Celery worker and beat delivering
the outbox's texts to a fake SMS provider; then faults during the load.

    .venv/bin/python -m load.run                                  # 200 users, 300 s, no fault
    .venv/bin/python -m load.run --faults primary,replica,redis,worker --duration 240

What one run does:

1. The stack (load/stack.py) in a scratch folder: deploy/smoke/pg-replica's primary and replica on free
   high ports, a Redis of its own on a free high port, nginx rendered from deploy/nginx/sws.conf by
   deploy/smoke/nginx-conf, gunicorn with deploy/gunicorn.conf.py, a worker and beat as deploy/systemd's
   units start them. Nothing touches the machine's own PostgreSQL or Redis.
2. Database: migrated, static files collected, seeded with the demo city (`seed_demo --requests 3000`:
   the real hierarchy, 249 stations and their accounts), VACUUM ANALYZE.
3. Accounts: station accounts two at a time (a station's pair, mostly) from each district in turn, and
   every district centre (16); each account one simulated user. The station accounts get a mobile
   number and choose texts for 诉求指派给我, so an assignment to a colleague is an SMS in the outbox, as
   every intake (the resident's consent) is.
4. locust, headless, for `--duration` seconds (load/locustfile.py). Every request is logged with its
   time, every acknowledged intake (the 302 to the new case) with its id and reference number.
5. `--faults`: spaced evenly over the run, one after the other, each with its window (from its start to
   the service answering again): `primary` (restart, fast shutdown), `replica` (stopped for
   `--replica-down` seconds), `redis` (restarted as systemctl does with Debian's configuration: the
   snapshot saved at shutdown is loaded again), `redis-crash` (kill -9: what the last snapshot did not hold,
   sessions included, is lost), `worker` (the Celery worker's process group killed with kill -9 while it
   delivers, a new one started `--worker-down` seconds later).
6. After the load: the outbox drains (every message sent; a killed worker's claimed messages after the
   lease, 30 s here).
7. Checks (exit status 1 if one fails): every acknowledged intake is in the database with its reference
   number and its resident's text in the outbox; every outbox message sent, every key received by the
   provider, none delivered twice (repeats counted); errors only inside a fault's window plus 5 s; each
   user logged in once (with `redis-crash`: again at most once after it); no gunicorn worker crashed
   (max_requests replacements are planned, not crashes); only the killed Celery worker replaced.
8. Report: requests/s, p50/p95/p99 and errors per page, in load/results/<time>-<mode>/ (result.md,
   result.json, the request log, every process's log; not committed). docs/load.md holds the figures.
"""

import argparse
import contextlib
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from load import outcomes
from load.stack import ROOT, Stack, wait_until

RESULTS = ROOT / "load" / "results"
BIN = Path(sys.executable).parent
PASSWORD = "sws-demo-2026"
# locust from the venv (the `load` extra), or another installation's (LOCUST=/path/to/locust).
LOCUST = Path(os.environ.get("LOCUST") or BIN / "locust")
DB_NAME = "sws_load"
FAULTS = ("primary", "replica", "redis", "redis-crash", "worker")
SESSION_LOSING = {"redis-crash"}
HTTP_FAULTS = {"primary", "replica", "redis", "redis-crash"}  # the worker's is not the pages' outage


def say(msg=""):
    print(msg, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests the seeder generates")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--app-processes", type=int, default=2, help="gunicorn masters behind nginx")
    parser.add_argument("--workers", type=int, default=3, help="GUNICORN_WORKERS of each")
    parser.add_argument("--threads", type=int, default=1, help="GUNICORN_THREADS")
    parser.add_argument("--faults", default="", help=f"comma-separated, in this order: {', '.join(FAULTS)}")
    parser.add_argument("--replica-down", type=float, default=20, help="seconds the replica stays stopped")
    parser.add_argument("--worker-down", type=float, default=5, help="seconds before a new worker starts")
    parser.add_argument(
        "--provider-delay", type=float, default=0.05, help="the fake SMS provider's answer, s"
    )
    args = parser.parse_args(argv)
    args.faults = [f for f in args.faults.split(",") if f]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")
    return args


def fault_times(faults, duration):
    """Spaced evenly, the last one well before the end: a fault at k·duration/(n+1)."""
    return [round(duration * (i + 1) / (len(faults) + 1), 1) for i in range(len(faults))]


# --- Database -----------------------------------------------------------------------------------------------
def connect(url):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def prepare_database(stack, args):
    server = stack.database_url.rsplit("/", 1)[0]
    with connect(f"{server}/postgres") as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    say(f"Database {DB_NAME}: migrating, collecting static files, seeding ({args.requests:,} requests) …")
    started = time.monotonic()
    stack.manage("migrate", "--noinput", "-v0", check=True)
    stack.manage("collectstatic", "--noinput", "-v0", check=True)
    stack.manage(
        "seed_demo",
        "--requests",
        str(args.requests),
        "--password",
        PASSWORD,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with connect(stack.database_url) as conn:
        conn.execute("VACUUM ANALYZE")
    say(f"  ready in {time.monotonic() - started:.0f} s.")


def choose_accounts(database_url, users):
    """Every district centre (at most a fifth of the users), then station accounts two at a time, in turn
    from each district, so colleagues meet in the same queue."""
    with connect(database_url) as conn:
        rows = conn.execute(
            """
            SELECT u.username, s.district_id
            FROM stations_user u JOIN stations_station s ON s.id = u.station_id
            WHERE u.role IN ('station_worker', 'station_head') AND u.is_active
            ORDER BY s.district_id, s.code, u.username
            """
        ).fetchall()
        centres = [
            u
            for (u,) in conn.execute(
                "SELECT username FROM stations_user WHERE role = 'district_staff' AND is_active"
                " AND username LIKE 'dc-%%' ORDER BY username"
            ).fetchall()
        ]
    centres = centres[: max(1, users // 5)]
    n_station = users - len(centres)
    by_district = {}
    for username, district in rows:
        by_district.setdefault(district, []).append(username)
    station = []
    queues = list(by_district.values())
    while len(station) < n_station and any(queues):
        for queue in queues:
            for _ in range(2):  # in station order: mostly a station's two accounts
                if queue and len(station) < n_station:
                    station.append(queue.pop(0))
    if len(station) < n_station:
        raise SystemExit("Not enough demo accounts: is the database seeded?")
    return [{"username": u, "kind": "station"} for u in station] + [
        {"username": u, "kind": "district"} for u in centres
    ]


def texts_for_assignments(database_url, accounts):
    """The station accounts choose 站内消息＋短信 for 诉求指派给我, each with a mobile number of its own."""
    names = [a["username"] for a in accounts if a["kind"] == "station"]
    with connect(database_url) as conn:
        conn.execute(
            "UPDATE stations_user SET phone = '139' || lpad(id::text, 8, '0') WHERE username = ANY(%s)",
            [names],
        )
        conn.execute(
            """
            INSERT INTO notifications_preference (user_id, event, mode)
            SELECT id, 'request_assigned', 'sms' FROM stations_user WHERE username = ANY(%s)
            ON CONFLICT (user_id, event) DO UPDATE SET mode = 'sms'
            """,
            [names],
        )


def outbox_rows(database_url):
    with connect(database_url) as conn:
        return conn.execute("SELECT key, status FROM notifications_outboxmessage ORDER BY id").fetchall()


def claimed(database_url):
    with connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM notifications_outboxmessage WHERE claim IS NOT NULL"
        ).fetchone()[0]


def replica_scans(stack):
    """Table scans on the replica so far (its statistics): the dashboards' reads it served."""
    url = f"postgres://postgres@127.0.0.1:{stack.replica_port}/{DB_NAME}"
    try:
        with connect(url) as conn:
            return int(
                conn.execute(
                    "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)"
                    " FROM pg_stat_user_tables"
                ).fetchone()[0]
            )
    except Exception:  # the replica down at that moment: not measured
        return None


def check_acks(database_url, path):
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        pk, reference = line.split()
        if reference != "-" or int(pk) not in pairs:
            pairs[int(pk)] = None if reference == "-" else reference
    with connect(database_url) as conn:
        found = dict(
            conn.execute(
                "SELECT id, reference FROM residents_request WHERE id = ANY(%s)", [list(pairs)]
            ).fetchall()
        )
    return {
        "acknowledged": len(pairs),
        "with_reference": sum(1 for ref in pairs.values() if ref),
        "found": len(found),
        "missing": sorted(pk for pk in pairs if pk not in found),
        "reference_mismatch": sorted(
            pk for pk, ref in pairs.items() if ref and pk in found and found[pk] != ref
        ),
        "pks": sorted(pairs),
    }


# --- Faults -------------------------------------------------------------------------------------------------
def run_fault(stack, fault, args):
    """One fault; returns its window: when it began and when the service answered again."""
    window = {"fault": fault, "began": time.time()}
    if fault == "primary":
        stack.restart_primary()
        window["back"] = wait_until(stack.primary_up, 120, "the primary", interval=0.1)
    elif fault == "replica":
        stack.stop_replica()
        time.sleep(args.replica_down)
        stack.start_replica()
        window["back"] = wait_until(stack.replica_up, 120, "the replica", interval=0.1)
    elif fault in ("redis", "redis-crash"):
        stack.restart_redis(crash=fault == "redis-crash")
        window["back"] = time.time()
    elif fault == "worker":
        # Mid-delivery: when the worker holds claimed messages (it is sending them), within 30 s.
        with contextlib.suppress(RuntimeError):
            wait_until(lambda: claimed(stack.database_url) > 0, 30, "a delivery", interval=0.02)
        window["claimed_at_kill"] = claimed(stack.database_url)
        stack.kill_worker()
        time.sleep(args.worker_down)
        stack.start_worker()
        window["back"] = stack.wait_worker_ready()
    return window


def run_faults(stack, args, started, windows):
    for at, fault in zip(fault_times(args.faults, args.duration), args.faults, strict=True):
        time.sleep(max(0.0, started + at - time.time()))
        say(f"  {time.time() - started:5.1f} s: fault {fault}")
        try:
            windows.append(run_fault(stack, fault, args))
        except Exception as exc:  # recorded; the run's checks fail on it
            windows.append({"fault": fault, "began": time.time(), "back": time.time(), "error": repr(exc)})


def wait_for_outbox(database_url, timeout):
    """Until no message is pending (sent, or failed for good): the delivery caught up after the faults."""

    def drained():
        with connect(database_url) as conn:
            return not conn.execute(
                "SELECT 1 FROM notifications_outboxmessage WHERE status = 'pending' LIMIT 1"
            ).fetchone()

    started = time.monotonic()
    try:
        wait_until(drained, timeout, "the outbox's drain", interval=1)
    except RuntimeError:
        return None
    return round(time.monotonic() - started, 1)


# --- Main ---------------------------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(argv)
    if not LOCUST.exists() or not (BIN / "gunicorn").exists():
        raise SystemExit('locust and gunicorn are needed: .venv/bin/pip install -e ".[load]"')
    sys.path.insert(0, str(ROOT))
    from tests.notifications.fake_gateway import FakeGateway  # the provider of the outbox's own tests

    mode = "+".join(args.faults) if args.faults else "steady"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = RESULTS / f"{stamp}-{mode}"
    run_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(Path(tempfile.mkdtemp(prefix="sws-load-")), app_processes=args.app_processes,
                  workers=args.workers, threads=args.threads)  # fmt: skip
    ok = True
    with FakeGateway() as gateway:
        gateway.delay = args.provider_delay  # a provider answering in 100 ms: deliveries take a while
        try:
            stack.start_services(DB_NAME, gateway.url)
            prepare_database(stack, args)
            accounts = choose_accounts(stack.database_url, args.users)
            texts_for_assignments(stack.database_url, accounts)
            (run_dir / "accounts.json").write_text(json.dumps(accounts, indent=1), encoding="utf-8")
            stack.start_app()
            say(
                f"Stack: nginx {stack.base} → {args.app_processes} gunicorn × {args.workers} workers × "
                f"{args.threads} threads; primary :{stack.primary_port}, replica :{stack.replica_port}, "
                f"Redis :{stack.redis_port}, a Celery worker and beat; SMS to {gateway.url}."
            )
            result = load(stack, args, accounts, run_dir, gateway, stamp, mode)
        finally:
            stack.keep_logs(run_dir)
            stack.stop()
    ok = report(result, args)
    (run_dir / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (run_dir / "result.md").write_text(outcomes.markdown(result) + "\n", encoding="utf-8")
    say(f"Results: {run_dir.relative_to(ROOT)}  ({'all checks passed' if ok else 'A CHECK FAILED'})")
    return 0 if ok else 1


def load(stack, args, accounts, run_dir, gateway, stamp, mode):
    env = {
        **stack.env,
        "SWS_LOAD_HOSTS": stack.base,
        "SWS_LOAD_ACCOUNTS": str(run_dir / "accounts.json"),
        "SWS_LOAD_PASSWORD": PASSWORD,
        "SWS_LOAD_LOG": str(run_dir / "requests.csv"),
        "SWS_LOAD_ACKS": str(run_dir / "acks.txt"),
    }
    command = [
        str(LOCUST), "-f", str(ROOT / "load" / "locustfile.py"), "--headless",
        "--users", str(len(accounts)), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s", "--host", stack.base, "--stop-timeout", "10", "--only-summary",
        "--csv", str(run_dir / "locust"), "--loglevel", "WARNING",
    ]  # fmt: skip
    say(f"locust: {len(accounts)} users for {args.duration} s ({mode}) …")
    load_before = os.getloadavg()
    scans_before = replica_scans(stack)
    cpu_before, children_before = stack.cpu_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    windows = []
    faults = threading.Thread(target=run_faults, args=(stack, args, started, windows), daemon=True)
    faults.start()
    with (run_dir / "locust.out").open("wb") as out:
        subprocess.run(command, env=env, cwd=ROOT, check=False, stdout=out, stderr=subprocess.STDOUT)
    load_after = os.getloadavg()
    cpu = outcomes.cpu_used(cpu_before, stack.cpu_seconds())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # locust is this script's child (and so are the fault commands, a few tenths of a second).
    cpu["locust"] = round(
        children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime, 1
    )
    wall = time.time() - started
    faults.join(timeout=180)
    scans_after = replica_scans(stack)
    drained_in = wait_for_outbox(stack.database_url, timeout=stack.lease_seconds * 3 + 120)
    time.sleep(2)  # the last run's marks
    rows = outcomes.read_log(run_dir / "requests.csv")
    intake = check_acks(stack.database_url, run_dir / "acks.txt")
    messages = outbox_rows(stack.database_url)
    with gateway.lock:
        keys = [headers.get("Idempotency-Key") for _path, headers, _p, _q in gateway.sms_requests()]
    http_windows = [w for w in windows if w["fault"] in HTTP_FAULTS]
    errors = outcomes.classify_errors(rows, http_windows)
    session_lost = [w["began"] for w in windows if w["fault"] in SESSION_LOSING]
    first_workers = args.workers
    result = {
        "when": stamp,
        "mode": mode,
        "users": len(accounts),
        "duration_s": args.duration,
        "requests_seeded": args.requests,
        "app": {"processes": args.app_processes, "workers": args.workers, "threads": args.threads},
        **outcomes.summarise(rows, args.duration),
        "intake": {k: v for k, v in intake.items() if k != "pks"},
        "intake_without_text": outcomes.acknowledged_without_message(intake["pks"], [k for k, _ in messages]),
        "outbox": {**outcomes.outbox_outcome(messages, keys), "drained_after_load_s": drained_in},
        "faults": [
            {
                **{k: v for k, v in w.items() if k not in ("began", "back")},
                "at_s": round(w["began"] - started, 1),
                "outage_s": round(w["back"] - w["began"], 2),
                **errors["per_fault"].get(w["fault"], {}),
            }
            for w in windows
        ],
        "errors_outside_faults": len(errors["outside"]),
        "outside_examples": [
            f"{round(r['at'] - started, 1)} s {r['name']} {r['status']}" for r in errors["outside"][:10]
        ],
        "logins_after_session_loss": outcomes.logins_after(rows, min(session_lost)) if session_lost else None,
        "app_worker_crashes": {
            name: outcomes.worker_crashes(text, first_workers) for name, text in stack.app_logs().items()
        },
        "requests_per_app_process": stack.requests_per_app(),
        "celery_workers_started": stack.worker_starts,
        "replica_table_scans": [scans_before, scans_after],
        "cpu_seconds": cpu,
        "cores_used": round(sum(cpu.values()) / wall, 2),
        "load_average_1_5_15": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
    }
    return result


def report(result, args):
    ok = True

    def fail(message):
        nonlocal ok
        ok = False
        say(f"FAILED: {message}")

    say(outcomes.markdown(result))
    say(
        f"Machine load average (1/5/15 min) {result['load_average_1_5_15']} "
        f"on {os.cpu_count()} CPUs (shared)."
    )
    say(
        f"CPU seconds during the load: {result['cpu_seconds']} "
        f"({result['cores_used']} of the {os.cpu_count()} cores on average)."
    )
    intake = result["intake"]
    say(
        f"Intake: {intake['acknowledged']} acknowledged ({intake['with_reference']} with their reference read"
        f" back), {intake['found']} in the database."
    )
    if intake["missing"] or intake["reference_mismatch"]:
        fail(f"acknowledged intakes missing {intake['missing']} or mismatched {intake['reference_mismatch']}")
    if result["intake_without_text"]:
        fail(f"acknowledged intakes without their text in the outbox: {result['intake_without_text'][:10]}")
    box = result["outbox"]
    say(
        f"Outbox: {box['messages']} messages {box['by_status']}, "
        f"drained {box['drained_after_load_s']} s after the load; the provider received "
        f"{box['requests']} requests, {box['repeats']} of them a key again."
    )
    if box["drained_after_load_s"] is None or box["not_sent"] or box["never_received"]:
        fail(f"messages not sent {box['not_sent'][:5]} or never received {box['never_received'][:5]}")
    if box["unknown_received"]:
        fail(f"the provider received keys the outbox does not hold: {box['unknown_received'][:5]}")
    # A repeat is a key sent again after a fault cut a delivery run between sending and marking: the
    # provider's idempotency record answers it. Without a fault none is allowed, with one at most a batch.
    allowed = 0 if not args.faults else len(args.faults) * int(os.environ.get("OUTBOX_BATCH_SIZE", 100))
    if box["repeats"] > allowed:
        fail(f"{box['repeats']} repeated deliveries (allowed {allowed}): {box['repeated_keys'][:5]}")
    for f in result["faults"]:
        pages = (
            f"{f['errors']} errors in {f['requests']} requests of its window (+{outcomes.GRACE:.0f} s)"
            if "errors" in f
            else "no outage of the pages (any error counts as outside)"
        )
        say(
            f"Fault {f['fault']} at {f['at_s']} s: back after {f['outage_s']} s; {pages}"
            + (f"; {f['claimed_at_kill']} messages claimed when killed" if "claimed_at_kill" in f else "")
            + (f"; {f['error']}" if "error" in f else "")
        )
        if "error" in f:
            fail(f"fault {f['fault']} could not be carried out")
    if result["errors_outside_faults"]:
        fail(
            f"{result['errors_outside_faults']} errors outside the faults' windows: "
            f"{result['outside_examples']}"
        )
    scans = result["replica_table_scans"]
    say(f"Replica: table scans {scans[0]} before the load, {scans[1]} after (the dashboards it served).")
    # A replica started again begins in recovery, which resets its statistics: then any scan counts.
    restarted = "replica" in args.faults
    if None in scans or not (scans[1] > scans[0] or (restarted and scans[1] > 0)):
        fail("the replica served no reads")
    logins, users = result["total"]["logins"], result["users"]
    again = result["logins_after_session_loss"]
    say(
        f"Logins: {logins} for {users} users"
        + (f" ({again} after Redis lost its memory)" if again is not None else "")
    )
    per_app = result["requests_per_app_process"]
    say(f"Requests per app process (their access logs): {per_app}")
    if len(per_app) > 1 and min(per_app.values()) == 0:
        fail("an app process answered nothing: the sessions were not shared")
    if not outcomes.sessions_kept(logins, again, users):
        fail("a session was lost (or a user could not log in)")
    if any(result["app_worker_crashes"].values()):
        fail(f"gunicorn workers crashed: {result['app_worker_crashes']}")
    if result["celery_workers_started"] != 1 + args.faults.count("worker"):
        fail("a Celery worker was started more often than the faults say")
    return ok


if __name__ == "__main__":
    sys.exit(main())
