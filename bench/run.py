"""The city-scale benchmark: create a PostgreSQL database, migrate, seed a city, time every page, report.

    .venv/bin/python -m bench.run --requests 100000                    # one size
    .venv/bin/python -m bench.run --requests 100000 --requests 1000000 # both sizes, with growth
    .venv/bin/python -m bench.run --requests 1000000 --reuse           # re-measure a seeded database

The database is `sws_bench_<requests>` on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), or `--database-url` exactly. It is the benchmark's own: dropped and
created again unless `--reuse`, and kept afterwards (seeding a million requests takes minutes) unless
`--drop`. A database whose name does not start with `sws_bench` is never dropped without `--recreate`.

Each size: migrate; `manage.py seed_demo --requests N --history-days N/548` (the city's steady daily
volume, `--per-day`: 100,000 requests are six months of history, 1,000,000 five years; progress shown);
VACUUM ANALYZE (what autovacuum does to a production database); `bench.measure` in-process (query
counts, server time); `bench.served`: every GET page served by gunicorn as deploy/ runs it, timed by the
client (skipped with `--in-process`); `bench.throughput` under gunicorn with wrk.
Results go to bench/results/<time>-<sizes>.{json,md} and bench/results/latest-<N>.json; with
`--update-docs`, the tables in docs/performance.md. Exit status 1 if any page errors.
"""

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import report

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
OWN_PREFIX = "sws_bench"
# Five years of a whole city is a million requests (issue #7: "five years of requests is millions of rows"):
# about 2.2 a working day for each of the 249 stations.
CITY_REQUESTS_PER_DAY = 548
# Issue #23 item 6, a busier city (`--scenario busy`): 10,000,000 requests over ten years, so five times
# today's daily volume, and a city falling behind (`seed_demo --backlog 10`): about ten times the open
# backlog of the 1,000,000-request city (docs/performance.md, "A busier city").
SCENARIOS = {"busy": {"per_day": 2740, "backlog": 10}}


def say(msg=""):
    print(msg, flush=True)


def database_url(args, requests, several):
    """The URL of the database for this size (see the module docstring)."""
    given = args.database_url or os.environ.get("DATABASE_URL", "")
    if given and not given.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"The benchmark needs PostgreSQL; DATABASE_URL is {given.split(':')[0]}.")
    parts = urlsplit(given or DEFAULT_SERVER)
    name = parts.path.lstrip("/")
    if not args.database_url or not name:
        name = f"{OWN_PREFIX}_{requests}{args.db_suffix}"
    elif several:
        name = f"{name}_{requests}"
    return urlunsplit(parts._replace(path="/" + name)), name


def admin_connect(url):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def database_exists(url, name):
    with admin_connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(url, name, *, recreate):
    from psycopg import sql

    with admin_connect(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            if not (name.startswith(OWN_PREFIX) or recreate):
                raise SystemExit(
                    f"Database {name} exists and is not the benchmark's: pass --recreate or --reuse."
                )
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url, name):
    from psycopg import sql

    with admin_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def vacuum_analyze(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def django_env(url):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONUNBUFFERED="1")
    return env


def manage(env, *argv, prefix="  "):
    """Run manage.py, streaming its output (the seeder's progress) indented."""
    proc = subprocess.Popen(
        [PYTHON, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in proc.stdout:
        say(prefix + line.rstrip())
    if proc.wait() != 0:
        raise SystemExit(f"manage.py {' '.join(argv)} failed with {proc.returncode}")


def git_commit():
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return sha + ("+uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_size(args, requests, several):
    url, name = database_url(args, requests, several)
    env = django_env(url)
    result = {
        "requests": requests,
        "database": name,
        "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "args": {"runs": args.runs, "warmup": args.warmup, "duration": args.duration},
    }
    say(f"== {requests:,} requests: database {name}")
    reuse = args.reuse and database_exists(url, name)
    if not reuse:
        create_database(url, name, recreate=args.recreate)
    try:
        return _seed_and_measure(args, requests, url, env, result, reuse)
    finally:
        if args.drop:
            drop_database(url, name)
            say(f"-- dropped {name}")


def _seed_and_measure(args, requests, url, env, result, reuse):
    say("-- migrate")
    manage(env, "migrate", "--noinput", "-v", "0")
    if reuse:
        say("-- reusing the seeded data (--reuse)")
        result["seed_seconds"] = None
    else:
        days = history_days(requests, args.per_day)
        result["history_days"] = days
        result["backlog"] = args.backlog
        say(f"-- seed_demo --requests {requests} --history-days {days}")
        started = time.monotonic()
        manage(
            env,
            "seed_demo",
            "--requests",
            str(requests),
            "--history-days",
            str(days),
            # Issue #20's city: 300,000 residents in the visit programme at 1,000,000 requests.
            "--visit-plans",
            str(visit_plans(requests)),
            "--backlog",
            str(args.backlog),
            "--password",
            args.password,
        )
        result["seed_seconds"] = round(time.monotonic() - started, 1)
        say(f"   seeded in {result['seed_seconds']:.0f} s")
    say("-- VACUUM ANALYZE")
    vacuum_analyze(url)
    if args.seed_only:
        return result

    say(f"-- measure: {args.runs} runs per page after {args.warmup} warm-up runs")
    load_before = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out_json = tmp.name
    cmd = [PYTHON, "-m", "bench.measure", "--json", out_json, "--runs", str(args.runs)]
    cmd += ["--warmup", str(args.warmup)]
    for key in args.only or ():
        cmd += ["--only", key]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    try:
        result["measure"] = json.loads(Path(out_json).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"bench.measure failed ({proc.returncode}): {exc}") from exc
    finally:
        Path(out_json).unlink(missing_ok=True)
    result["load"] = {"before": load_before, "after": os.getloadavg()[0], "cpus": os.cpu_count()}

    if args.served:
        say(f"-- served: gunicorn -c deploy/gunicorn.conf.py, {args.runs} runs per page after {args.warmup}")
        from bench.served import measure_served

        try:
            result["served"] = measure_served(
                result["measure"], env=env, runs=args.runs, warmup=args.warmup, out=say
            )
        except RuntimeError as exc:  # gunicorn did not start: reported and failed, the rest still measured
            result["served"] = {"error": str(exc)}
            say(f"  ERROR: {exc}")

    if args.throughput:
        say(f"-- throughput: gunicorn {args.workers} workers, wrk {args.duration} s per page")
        from bench.throughput import throughput

        result["throughput"] = throughput(
            result["measure"], env=env, duration=args.duration, workers=args.workers, out=say
        )
    return result


def visit_plans(requests):
    return requests * 3 // 10


def history_days(requests, per_day):
    """The city takes `per_day` requests a day, so N requests are N / per_day days of history: a city ten
    times the size is ten times older, not ten times busier (its month, its backlog and its dashboards'
    periods are the same size). At least a month, so a tiny smoke city still has a last month."""
    return max(30, math.ceil(requests / per_day))


def write_results(results, args):
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    sizes = "-".join(str(r["requests"]) for r in results)
    base = report.RESULTS / f"{stamp}-{sizes}"
    Path(f"{base}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    Path(f"{base}.md").write_text(report.markdown(results), encoding="utf-8")
    for result in results:
        if not args.only:
            (report.RESULTS / f"latest-{result['requests']}.json").write_text(
                json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
            )
    say(f"== report: {base}.md (and .json)")
    if args.update_docs and not args.only:
        for result in results:
            changed = report.update_doc(result)
            say(f"== docs/performance.md: updated {', '.join(changed) or 'nothing'}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="SWS city-scale benchmark (see docs/performance.md)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--requests", type=int, action="append", help="city size in requests (repeat for growth)"
    )
    parser.add_argument(
        "--per-day",
        type=int,
        default=CITY_REQUESTS_PER_DAY,
        help=f"requests the whole city takes a day: sets the history (default {CITY_REQUESTS_PER_DAY})",
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=1,
        help="a city falling behind: seed_demo --backlog (requests stall over F × 60 days; default 1)",
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        help="busy: ten years at 2,740 requests a day, --backlog 10, database sws_bench_<N>_busy",
    )
    parser.add_argument("--runs", type=int, default=40, help="timed runs per page (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up runs per page (default 5)")
    parser.add_argument("--only", action="append", help="measure only this page key (repeatable)")
    parser.add_argument("--database-url", help="exactly this database (default: sws_bench_<N>)")
    parser.add_argument("--db-suffix", default="", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database's data: no seeding")
    parser.add_argument("--recreate", action="store_true", help="drop an existing non-benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument(
        "--seed-only", action="store_true", help="create and seed the database, measure nothing"
    )
    parser.add_argument("--password", default="sws-demo-2026", help="demo accounts' password")
    parser.add_argument(
        "--in-process",
        dest="served",
        action="store_false",
        help="only the in-process pass (query counts, diagnosis): no pages served by gunicorn",
    )
    parser.add_argument(
        "--no-throughput", dest="throughput", action="store_false", help="skip gunicorn + wrk"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--update-docs", action="store_true", help="write the tables into docs/performance.md"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="CI: tiny city, few runs, throwaway database, fail on any error"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests = args.requests or [300]
        args.runs = min(args.runs, 3)
        args.warmup = min(args.warmup, 1)
        args.duration = min(args.duration, 2)
        args.drop = True
        args.db_suffix = f"_smoke_{os.getpid()}"
    if args.scenario:
        for option, value in SCENARIOS[args.scenario].items():
            setattr(args, option, value)
        args.db_suffix = f"{args.db_suffix}_{args.scenario}"
    if not args.requests:
        parser.error("give --requests N (e.g. --requests 100000)")

    several = len(args.requests) > 1
    results = [run_size(args, n, several) for n in args.requests]
    if args.seed_only:
        return 0
    write_results(results, args)
    say()
    say(report.markdown(results))

    failed = [
        f"{r['requests']}: {p['key']}: {p.get('error')}"
        for r in results
        for p in r["measure"]["pages"]
        if p["state"] == "error"
    ]
    failed += [
        f"{r['requests']}: served: {r['served']['error']}" for r in results if "error" in r.get("served", {})
    ]
    failed += [
        f"{r['requests']}: served {p['key']}: {p['error']}"
        for r in results
        for p in r.get("served", {}).get("pages", ())
        if p["state"] == "error"
    ]
    failed += [
        f"{r['requests']}: throughput {key}: {f['error']}"
        for r in results
        for key, f in (r.get("throughput") or {}).items()
        if isinstance(f, dict) and "error" in f
    ]
    failed += [
        f"{r['requests']}: throughput {key}: {f['errors']} failed requests"
        for r in results
        for key, f in (r.get("throughput") or {}).items()
        if isinstance(f, dict) and f.get("errors")
    ]
    if failed:
        say("FAILED pages:\n  " + "\n  ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
