"""SWS and django-helpdesk side by side: one run, one machine, both served the same way, requests alternating.

    make bench-helpdesk HELPDESK_N=1000000 HELPDESK_ARGS=--update-docs
    .venv/bin/python -m bench.compare --requests 2000          # a small check, nothing written to docs

SWS: the benchmark city `sws_bench_<N>` (seeded by bench.run if missing, else reused). django-helpdesk: its
own virtualenv (.venv-helpdesk, bench/helpdesk/requirements.txt), project (bench/helpdesk/) and database
`sws_bench_helpdesk_<N>`, seeded with N tickets over one queue per SWS station and as many open tickets as
the SWS city has open requests (seed_helpdesk). Both are served by `gunicorn -c deploy/gunicorn.conf.py`
(bench.served: same workers, preload and gc.freeze), both logged in through a session cookie. Each round
requests every pair once, SWS's page then helpdesk's, so the two servers alternate request by request and
a burst of load on the machine hits both alike. Timed on the client, on loopback, one request at a time.
"""

import argparse
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import report, run, served
from bench.measure import summarize

ROOT = Path(__file__).resolve().parent.parent
HELPDESK_PYTHON = ROOT / ".venv-helpdesk" / "bin" / "python"
CITY_SIZE = 1_000_000  # only a run at this size may write docs/performance.md

# helpdesk's open statuses (Ticket.OPEN_STATUS, REOPENED_STATUS): what its ticket list shows by default.
OPEN = [1, 2]


def datatables_query(queue=None):
    """The base64 query helpdesk's ticket list page (2.6.1, views/staff.ticket_list) hands its DataTables
    to fetch rows with: its default (open tickets, by creation) or the same for one queue."""
    filtering = {"status__in": OPEN}
    if queue is not None:
        filtering["queue__id__in"] = [queue]
    query = {"filtering": filtering, "sorting": "created", "search_string": "", "sortreverse": False}
    if queue is not None:
        query["filtering_null"] = {}
    return base64.b64encode(json.dumps(query).encode("utf-8")).decode("ascii")


# The first page's rows, as DataTables asks for them (its page length is 25 by default, like SWS's queue).
DATATABLES_PAGE = "?draw=1&start=0&length=25"


def helpdesk_paths(queue):
    return {
        "list-all": "/tickets/",
        "json-all": f"/datatables_ticket_list/{datatables_query()}{DATATABLES_PAGE}",
        "list-queue": f"/tickets/?queue={queue}&status=1&status=2",
        "json-queue": f"/datatables_ticket_list/{datatables_query(queue)}{DATATABLES_PAGE}",
        "dashboard": "/dashboard/",
    }


# (SWS page key in bench/pages.py, helpdesk page key above, what helpdesk's page is)
PAIRS = [
    ("queue", "json-all", "ticket list rows (DataTables JSON), all queues, 25"),
    ("queue", "json-queue", "ticket list rows (DataTables JSON), one queue, 25"),
    ("queue", "list-all", "ticket list page, all queues"),
    ("queue", "list-queue", "ticket list page, one queue"),
    ("station-dashboard", "dashboard", "staff dashboard"),
]


def pair_targets(sws_urls, sws_cookies, hd_paths, hd_cookie, pairs=PAIRS):
    """{target key: (server, path, cookie)} in request order: each pair's SWS page, then helpdesk's."""
    targets = {}
    for mine, theirs, _ in pairs:
        targets[f"{mine}|{theirs}|sws"] = ("sws", sws_urls[mine], sws_cookies[mine])
        targets[f"{mine}|{theirs}|helpdesk"] = ("helpdesk", hd_paths[theirs], hd_cookie)
    return targets


def pair_results(durations, errors, pairs=PAIRS):
    """One row per pair: each side's summary (or its error) and helpdesk's time ÷ SWS's."""
    rows = []
    for mine, theirs, label in pairs:
        row = {"sws": mine, "helpdesk": theirs, "helpdesk_label": label}
        for side in ("sws", "helpdesk"):
            key = f"{mine}|{theirs}|{side}"
            if key in errors:
                row[side + "_error"] = errors[key]
            elif durations.get(key):
                row[side + "_ms"] = summarize(durations[key])
        if "sws_ms" in row and "helpdesk_ms" in row:
            row["ratio_p50"] = round(row["helpdesk_ms"]["median_ms"] / row["sws_ms"]["median_ms"], 1)
            row["ratio_p95"] = round(row["helpdesk_ms"]["p95_ms"] / row["sws_ms"]["p95_ms"], 1)
        rows.append(row)
    return rows


def say(msg=""):
    print(msg, flush=True)


def helpdesk_manage(env, *argv, capture=False):
    cmd = [env["HELPDESK_PYTHON"], "-m", "django", *argv]
    if capture:
        return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    for line in proc.stdout:
        say("  " + line.rstrip())
    if proc.wait() != 0:
        raise SystemExit(f"helpdesk: {' '.join(argv)} failed with {proc.returncode}")
    return None


def sws_pass(requests, args):
    """The SWS city (seeded if missing) and an in-process pass: page URLs, sessions, query counts."""
    run.main(["--requests", str(requests), "--seed-only", "--reuse", "--password", args.password])
    url, _ = run.database_url(argparse.Namespace(database_url=None, db_suffix=""), requests, False)
    env = run.django_env(url)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = tmp.name
    keys = sorted({mine for mine, _, _ in PAIRS})
    cmd = [run.PYTHON, "-m", "bench.measure", "--json", out, "--runs", "1", "--warmup", "1"]
    for key in keys:
        cmd += ["--only", key]
    subprocess.run(cmd, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    try:
        measured = json.loads(Path(out).read_text(encoding="utf-8"))
    finally:
        Path(out).unlink(missing_ok=True)
    pages = {p["key"]: p for p in measured["pages"] if p.get("state") == "ok"}
    missing = [k for k in keys if k not in pages]
    if missing:
        raise SystemExit(f"SWS pages not measurable: {', '.join(missing)}")
    return env, measured, pages


def helpdesk_pass(requests, measured, args):
    """The helpdesk database with N tickets (seeded again when its count differs); (env, session info)."""
    sws_url, _ = run.database_url(argparse.Namespace(database_url=None, db_suffix=""), requests, False)
    name = f"sws_bench_helpdesk_{requests}"
    url = urlunsplit(urlsplit(sws_url)._replace(path="/" + name))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.helpdesk.settings",
        PYTHONUNBUFFERED="1",
        HELPDESK_PYTHON=str(args.helpdesk_python),
    )
    info = None
    if run.database_exists(url, name):
        helpdesk_manage(env, "migrate", "--noinput", "-v", "0")
        info = json.loads(helpdesk_manage(env, "helpdesk_session", capture=True))
    if info is None or info["tickets"] != requests:
        say(f"-- helpdesk: database {name}, {requests:,} tickets")
        run.create_database(url, name, recreate=False)
        helpdesk_manage(env, "migrate", "--noinput", "-v", "0")
        subjects = measured["subjects"]
        helpdesk_manage(
            env,
            "seed_helpdesk",
            "--tickets",
            str(requests),
            "--queues",
            str(args.queues),
            "--open",
            str(subjects["city_open_requests"]),
            "--history-days",
            str(run.history_days(requests, run.CITY_REQUESTS_PER_DAY)),
        )
        run.vacuum_analyze(url)
        info = json.loads(helpdesk_manage(env, "helpdesk_session", capture=True))
    return env, info


def compare(requests, args):
    sws_env, measured, pages = sws_pass(requests, args)
    hd_env, info = helpdesk_pass(requests, measured, args)
    subjects = measured["subjects"]
    say(
        f"-- SWS: {subjects['city_open_requests']:,} open requests in the city, "
        f"{subjects['station_open_requests']:,} at {subjects['station']['name']}; helpdesk: "
        f"{info['tickets']:,} tickets, {info['open']:,} open, {info['queue_open']:,} in its first queue"
    )
    sws_urls = {k: p["url"] for k, p in pages.items()}
    sws_cookies = {k: measured["sessions"][p["role"]] for k, p in pages.items()}
    load_before = os.getloadavg()[0]
    say(f"-- serving both with deploy/gunicorn.conf.py; {args.warmup} warm-up + {args.runs} timed rounds")
    with (
        served.gunicorn(served.served_env(sws_env)) as sws_port,
        served.gunicorn(
            hd_env, app="bench.helpdesk.wsgi", python=str(args.helpdesk_python), health="/login/"
        ) as hd_port,
    ):
        ports = {"sws": sws_port, "helpdesk": hd_port}
        targets = pair_targets(sws_urls, sws_cookies, helpdesk_paths(info["queue"]), info["cookie"])
        durations, errors = served.time_rounds(
            targets,
            lambda t: served.http_get(ports[t[0]], t[1], t[2]),
            warmup=args.warmup,
            runs=args.runs,
        )
    rows = pair_results(durations, errors)
    return {
        "requests": requests,
        "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": run.git_commit(),
        "runs": args.runs,
        "warmup": args.warmup,
        "load": {"before": load_before, "after": os.getloadavg()[0], "cpus": os.cpu_count()},
        "sws": {
            "city_open_requests": subjects["city_open_requests"],
            "station": subjects["station"]["name"],
            "station_open_requests": subjects["station_open_requests"],
            "queries": {k: p["queries"] for k, p in pages.items()},
        },
        "helpdesk": {k: v for k, v in info.items() if k != "cookie"},
        "workers": served._workers(),
        "pairs": rows,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, required=True, help="SWS requests = helpdesk tickets")
    parser.add_argument("--queues", type=int, default=249, help="helpdesk queues (SWS's stations: 249)")
    parser.add_argument("--runs", type=int, default=40, help="timed rounds (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first (default 5)")
    parser.add_argument(
        "--helpdesk-python", type=Path, default=HELPDESK_PYTHON, help="python of django-helpdesk's virtualenv"
    )
    parser.add_argument("--password", default="sws-demo-2026", help="SWS demo accounts' password")
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help=f"write the table into docs/performance.md (N = {CITY_SIZE:,})",
    )
    args = parser.parse_args(argv)
    if args.update_docs and args.requests != CITY_SIZE:
        parser.error(f"--update-docs only with --requests {CITY_SIZE}: the docs give the city-scale figures")
    args.helpdesk_python = args.helpdesk_python.absolute()  # not resolve(): a venv's python is a symlink
    if not args.helpdesk_python.exists():
        parser.error(f"{args.helpdesk_python} missing: run `make bench-helpdesk`, which creates it")
    result = compare(args.requests, args)
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = report.RESULTS / f"{stamp}-helpdesk-{args.requests}"
    Path(f"{base}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    table = report.helpdesk_section(result)
    Path(f"{base}.md").write_text(table + "\n", encoding="utf-8")
    say()
    say(table)
    say(f"\n== report: {base}.md (and .json)")
    if args.update_docs:
        report.update_helpdesk_doc(result)
        say("== docs/performance.md: helpdesk comparison updated")
    failed = [r for r in result["pairs"] if "sws_error" in r or "helpdesk_error" in r]
    for r in failed:
        say(f"FAILED {r['sws']} / {r['helpdesk']}: {r.get('sws_error') or r.get('helpdesk_error')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
