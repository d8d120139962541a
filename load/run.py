"""Load and fault runs: SWS under gunicorn on PostgreSQL, two app processes sharing sessions through Redis,
50 logged-in users (locust) through intake, triage and dashboards.

    .venv/bin/python -m load.run                  # seed a small city, 60 s of load, report
    .venv/bin/python -m load.run --fault          # the same, PostgreSQL restarted 20 s in
    .venv/bin/python -m load.run --reuse --fault  # on the database seeded before

What one run does:

1. Database `sws_load` on PostgreSQL at 127.0.0.1 (`--database-url`): dropped and created again, migrated,
   seeded with the demo city (`seed_demo --requests 3000`: the real hierarchy, 249 stations, their
   accounts); `--reuse` keeps a seeded one. A database whose name does not start with `sws_load` is
   never dropped.
2. Accounts: 40 station workers of 20 stations spread over the districts, and 10 district centres
   (`--users` keeps the 4:1 split), each logged in by exactly one simulated user.
3. Redis database 7 on 127.0.0.1:6379 (`--redis-url`) is emptied: the cache and the sessions start empty.
4. Two app processes: `gunicorn sws.wsgi` twice, on two free ports of 127.0.0.1, each with 2 workers of
   4 threads (load/settings.py: production settings on plain HTTP, CONN_MAX_AGE=60 with
   CONN_HEALTH_CHECKS). Every request goes to one of the two at random, so sessions must be shared.
5. locust, headless, for `--duration` seconds (load/locustfile.py). Every request is logged with its
   time, and every acknowledged intake (the 302 to the new case) with its id and reference number.
6. With `--fault`: `pg_ctlcluster --skip-systemctl-redirect <version> main restart` at `--restart-at`
   seconds; the outage lasts from the command until pg_isready answers again. Nothing restarts the app.
7. Checks: every acknowledged intake is in the database (by id and reference number); with --fault,
   errors only between the restart and 5 s after PostgreSQL is back, successes after it, and the app's
   workers never restarted. Exit status 1 if a check fails.
8. Report: requests/s, p50/p95/p99 response times, errors, per page; JSON and Markdown under
   load/results/ (not committed); docs/load.md holds the figures of record.

Only 127.0.0.1: the script refuses any other database, Redis or app address.
"""

import argparse
import datetime
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "load" / "results"
PYTHON = sys.executable
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
LOCAL = {"127.0.0.1", "localhost"}
PASSWORD = "sws-demo-2026"
OWN_PREFIX = "sws_load"
GRACE = 5.0  # seconds after PostgreSQL answers again in which errors still count as the outage's


def say(msg=""):
    print(msg, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sws_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database of an earlier run")
    parser.add_argument("--requests", type=int, default=3000, help="requests the seeder generates")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app process")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--fault", action="store_true", help="restart PostgreSQL during the run")
    parser.add_argument("--restart-at", type=float, default=20, help="seconds into the run (with --fault)")
    return parser.parse_args(argv)


# --- Preconditions ---------------------------------------------------------------------------------
def local_only(url, what):
    host = urlsplit(url).hostname
    if host not in LOCAL:
        raise SystemExit(f"{what} must be on 127.0.0.1, not {host!r}.")


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def app_env(args):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="load.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        SECRET_KEY=env.get("SECRET_KEY") or "load-only-secret-key-not-for-production-use-0123456789-abcdef",
        PERSONAL_DATA_KEY=env.get("PERSONAL_DATA_KEY")
        or "load-only-personal-data-key-not-for-production-0123456789",
        PYTHONUNBUFFERED="1",
    )
    return env


# --- Database ----------------------------------------------------------------------------------------
def connect(url, dbname=None):
    import psycopg

    parts = urlsplit(url)
    if dbname:
        parts = parts._replace(path="/" + dbname)
    return psycopg.connect(urlunsplit(parts), autocommit=True)


def prepare_database(args, env):
    name = urlsplit(args.database_url).path.lstrip("/")
    with connect(args.database_url, "postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if args.reuse:
            if not exists:
                raise SystemExit(f"--reuse: database {name} does not exist.")
            say(f"Database {name}: reused.")
            return
        if exists:
            if not name.startswith(OWN_PREFIX):
                raise SystemExit(f"Database {name} is not the load test's (sws_load…): pass another name.")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    say(f"Database {name}: created; migrating and seeding ({args.requests:,} requests) …")
    started = time.monotonic()
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--requests", str(args.requests), "--password", PASSWORD],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with connect(args.database_url) as conn:
        conn.execute("VACUUM ANALYZE")
    say(f"  seeded in {time.monotonic() - started:.0f} s.")


def choose_accounts(args):
    """Station workers of stations spread over the districts, and district centres: 4:1."""
    n_district = max(1, args.users // 5)
    n_station = args.users - n_district
    with connect(args.database_url) as conn:
        rows = conn.execute(
            """
            SELECT u.username, s.district_id
            FROM stations_user u JOIN stations_station s ON s.id = u.station_id
            WHERE u.role IN ('station_worker', 'station_head') AND u.is_active
            ORDER BY s.district_id, s.code, u.username
            """
        ).fetchall()
        centres = conn.execute(
            """
            SELECT username FROM stations_user
            WHERE role = 'district_staff' AND is_active AND username LIKE 'dc-%%'
            ORDER BY username
            """
        ).fetchall()
    by_district = {}
    for username, district in rows:
        by_district.setdefault(district, []).append(username)
    station = []
    queues = [list(v) for v in by_district.values()]
    while len(station) < n_station and any(queues):
        for queue in queues:
            # Two at a time: both workers of a station, so they meet in the same queue.
            for _ in range(2):
                if queue and len(station) < n_station:
                    station.append(queue.pop(0))
    if len(station) < n_station or len(centres) < n_district:
        raise SystemExit("Not enough demo accounts: is the database seeded?")
    accounts = [{"username": u, "kind": "station"} for u in station]
    accounts += [{"username": u, "kind": "district"} for (u,) in centres[:n_district]]
    return accounts


# --- Redis -------------------------------------------------------------------------------------------
def empty_redis(url):
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    return client


# --- App processes -------------------------------------------------------------------------------------
class App:
    def __init__(self, args, env, label, log_dir):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = log_dir / f"app-{label}.log"
        exe = BIN / "gunicorn"
        command = [str(exe)] if exe.exists() else [PYTHON, "-m", "gunicorn"]
        command += [
            "sws.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            # Longer than any pause between two requests of a user on one connection: gunicorn's 2 s
            # default closed idle keep-alive connections just as locust reused them (connection resets).
            "--keep-alive",
            "30",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",  # to stderr, which goes to the log file with Django's own log lines
            "--log-level",
            "info",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn on port {self.port} exited: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/login/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn on port {self.port} did not answer: see {self.log_path}")

    def log_count(self, text):
        return self.log_path.read_text(encoding="utf-8", errors="replace").count(text)

    def worker_boots(self):
        return self.log_count("Booting worker with pid")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- The fault -----------------------------------------------------------------------------------------
def pg_version():
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        version, cluster, port, *_ = line.split()
        if cluster == "main" and port == "5432":
            return version
    raise SystemExit("No PostgreSQL cluster 'main' on port 5432.")


def pg_ready():
    return subprocess.run(["pg_isready", "-h", HOST, "-p", "5432", "-q"], check=False).returncode == 0


def restart_postgres(at, started, window, command=None, ready=pg_ready):
    """At `at` seconds after `started`, restart the cluster. Records when the restart began, when the
    command returned, and, from pg_isready polled every 0.1 s meanwhile, when the server stopped
    answering (`down`) and answered again (`ready`)."""
    command = command or ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"]
    time.sleep(max(0.0, started + at - time.time()))
    window["begin"] = time.time()
    process = subprocess.Popen(command)
    while process.poll() is None or "ready" not in window:
        up = ready()
        now = time.time()
        if not up:
            window.setdefault("down", now)
        elif "down" in window:
            window.setdefault("ready", now)
        if process.poll() is not None:
            window.setdefault("command_done", now)
            if "down" not in window:  # never seen down (too quick to catch): ready when the command is
                window["ready"] = now
        time.sleep(0.1)
    window.setdefault("command_done", time.time())  # it ended between two polls
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode})")


# --- Analysis --------------------------------------------------------------------------------------------
def percentile(sorted_values, q):
    if not sorted_values:
        return None
    rank = math.ceil(q / 100 * len(sorted_values))  # nearest rank
    return sorted_values[min(len(sorted_values), max(1, rank)) - 1]


def read_log(path):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        at, method, rest = line.split(",", 2)
        name, status, ok, ms, port = rest.rsplit(",", 4)
        rows.append(
            {
                "at": float(at),
                "name": f"{method} {name}",
                "status": int(status),
                "ok": ok == "1",
                "ms": float(ms),
                "port": int(port),
            }
        )
    return rows


def summarise(rows, started, duration):
    def figures(subset):
        times = sorted(r["ms"] for r in subset)
        return {
            "requests": len(subset),
            "errors": sum(1 for r in subset if not r["ok"]),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
        }

    total = figures(rows)
    total["requests_per_s"] = round(len(rows) / duration, 1)
    total["logins"] = sum(1 for r in rows if r["name"] == "POST login")
    ports = sorted({r["port"] for r in rows})
    total["by_app_port"] = {str(p): sum(1 for r in rows if r["port"] == p) for p in ports}
    pages = {}
    for name in sorted({r["name"] for r in rows}):
        pages[name] = figures([r for r in rows if r["name"] == name])
    return {"total": total, "pages": pages}


def check_acks(args, path):
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        pk, reference = line.split()
        if reference != "-" or int(pk) not in pairs:
            pairs[int(pk)] = None if reference == "-" else reference
    with connect(args.database_url) as conn:
        found = dict(
            conn.execute(
                "SELECT id, reference FROM residents_request WHERE id = ANY(%s)", [list(pairs)]
            ).fetchall()
        )
    missing = sorted(pk for pk in pairs if pk not in found)
    wrong = sorted(pk for pk, ref in pairs.items() if ref and pk in found and found[pk] != ref)
    return {
        "acknowledged": len(pairs),
        "with_reference": sum(1 for ref in pairs.values() if ref),
        "found": len(found),
        "missing": missing,
        "reference_mismatch": wrong,
    }


def check_fault(rows, window):
    begin, end = window["begin"], window["ready"] + GRACE
    errors = [r for r in rows if not r["ok"]]
    outside = [r for r in errors if not begin <= r["at"] <= end]
    after = [r for r in rows if r["at"] > end]
    return {
        "restart_began_s": round(window["begin"] - window["started"], 2),
        "postgres_down_after_s": round(window["down"] - window["begin"], 2) if "down" in window else None,
        "postgres_back_after_s": round(window["ready"] - window["begin"], 2),
        "restart_command_s": round(window["command_done"] - window["begin"], 2),
        "errors_during_outage": len(errors) - len(outside),
        "errors_outside_outage": len(outside),
        "outside_examples": [f"{r['name']} {r['status']}" for r in outside[:10]],
        "requests_after_recovery": len(after),
        "successes_after_recovery": sum(1 for r in after if r["ok"]),
        "last_error_after_restart_s": round(max(r["at"] for r in errors) - begin, 2) if errors else None,
    }


def markdown(result):
    t = result["total"]
    lines = [
        f"Run {result['when']} ({'PostgreSQL restarted' if result['fault'] else 'steady'}): "
        f"{result['users']} users, {result['duration_s']} s, {result['requests_seeded']:,} requests seeded.",
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in result["pages"].items():
        lines.append(
            f"| {name} | {f['requests']} | {f['errors']} "
            f"| {f['p50_ms']:.0f} | {f['p95_ms']:.0f} | {f['p99_ms']:.0f} |"
        )
    lines.append(
        f"| **all** | **{t['requests']}** ({t['requests_per_s']}/s) | **{t['errors']}** "
        f"| **{t['p50_ms']:.0f}** | **{t['p95_ms']:.0f}** | **{t['p99_ms']:.0f}** |"
    )
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(argv)
    local_only(args.database_url, "The database")
    local_only(args.redis_url, "Redis")
    locust = BIN / "locust"
    if not locust.exists() or not ((BIN / "gunicorn").exists() or shutil.which("gunicorn")):
        raise SystemExit('locust and gunicorn are needed: .venv/bin/pip install -e ".[load]"')
    env = app_env(args)
    prepare_database(args, env)
    accounts = choose_accounts(args)

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = RESULTS / f"{stamp}-{'fault' if args.fault else 'steady'}"
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "accounts.json").write_text(
        json.dumps(accounts, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    empty_redis(args.redis_url)

    apps = [App(args, env, label, run_dir) for label in ("a", "b")]
    ok = True
    try:
        for app in apps:
            app.wait_ready()
        boots = [app.worker_boots() for app in apps]
        say(
            f"App processes: {', '.join(a.base for a in apps)} "
            f"({args.workers} workers × {args.threads} threads each)."
        )
        locust_env = {
            **env,
            "SWS_LOAD_HOSTS": ",".join(a.base for a in apps),
            "SWS_LOAD_ACCOUNTS": str(run_dir / "accounts.json"),
            "SWS_LOAD_PASSWORD": PASSWORD,
            "SWS_LOAD_LOG": str(run_dir / "requests.csv"),
            "SWS_LOAD_ACKS": str(run_dir / "acks.txt"),
        }
        command = [
            str(locust),
            "-f",
            str(ROOT / "load" / "locustfile.py"),
            "--headless",
            "--users",
            str(len(accounts)),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{args.duration}s",
            "--host",
            apps[0].base,
            "--stop-timeout",
            "10",
            "--only-summary",
            "--csv",
            str(run_dir / "locust"),
            "--loglevel",
            "WARNING",
        ]
        say(
            f"locust: {len(accounts)} users for {args.duration} s"
            f"{' with a PostgreSQL restart' if args.fault else ''} …"
        )
        load_before = os.getloadavg()[0]
        window = {"started": time.time()}
        fault = None
        if args.fault:
            fault = threading.Thread(
                target=restart_postgres, args=(args.restart_at, window["started"], window), daemon=True
            )
            fault.start()
        with run_dir.joinpath("locust.out").open("wb") as out:
            subprocess.run(
                command, env=locust_env, cwd=ROOT, check=False, stdout=out, stderr=subprocess.STDOUT
            )
        if fault:
            fault.join(timeout=120)
        rows = read_log(run_dir / "requests.csv")
        result = {
            "when": stamp,
            "fault": args.fault,
            "users": len(accounts),
            "duration_s": args.duration,
            "requests_seeded": args.requests,
            "app": {"processes": 2, "workers": args.workers, "threads": args.threads},
            **summarise(rows, window["started"], args.duration),
            "intake": check_acks(args, run_dir / "acks.txt"),
            "app_restarted": [app.worker_boots() - n for app, n in zip(apps, boots, strict=True)],
            "server_errors_logged": sum(app.log_count("Internal Server Error") for app in apps),
            # The machine is shared: its 1-minute load average before and after the run, for the record.
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
        if args.fault:
            result["outage"] = check_fault(rows, window)
    finally:
        for app in apps:
            app.stop()

    intake = result["intake"]
    say(markdown(result))
    say(f"Machine load average (1 min) before/after: {result['load_average']} on {os.cpu_count()} CPUs.")
    say(
        f"Intake: {intake['acknowledged']} acknowledged ({intake['with_reference']} with their reference read"
        f" back), {intake['found']} in the database; missing {intake['missing'] or 'none'}."
    )
    if intake["missing"] or intake["reference_mismatch"]:
        ok = False
    # Each user logged in once, on one process, and went on at random on both: no session was lost.
    say(
        f"Logins: {result['total']['logins']} for {result['users']} users; requests per app process "
        f"(port): {result['total']['by_app_port']}."
    )
    if result["total"]["logins"] != result["users"]:
        ok = False
    if any(result["app_restarted"]):
        say(f"App workers restarted during the run: {result['app_restarted']}")
        ok = False
    if args.fault:
        o = result["outage"]
        say(
            f"Outage: restart at {o['restart_began_s']} s, "
            f"PostgreSQL down after {o['postgres_down_after_s']} s, "
            f"back after {o['postgres_back_after_s']} s "
            f"(pg_ctlcluster returned after {o['restart_command_s']} s); "
            f"errors {o['errors_during_outage']} during it, {o['errors_outside_outage']} outside "
            f"{o['outside_examples'] or ''}; after recovery {o['successes_after_recovery']}/"
            f"{o['requests_after_recovery']} requests succeeded."
        )
        if o["errors_outside_outage"] or not o["successes_after_recovery"]:
            ok = False
    elif result["total"]["errors"]:
        ok = False
    (run_dir / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (run_dir / "result.md").write_text(markdown(result) + "\n", encoding="utf-8")
    say(f"Results: {run_dir.relative_to(ROOT)}  ({'all checks passed' if ok else 'A CHECK FAILED'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
