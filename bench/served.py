"""Time pages as production serves them: gunicorn started with deploy/gunicorn.conf.py, timed by a client.

`bench.run` calls `measure_served` after the in-process pass (`bench.measure`), which supplies each page's
URL, its SQL query count and the session cookies of the users it logged in. Here nothing runs in the
benchmark's own process but the client: the server is `gunicorn -c deploy/gunicorn.conf.py sws.wsgi` as
deploy/systemd/sws-web.service starts it (preload, its worker count, its access log, and its gc.freeze()
after the preload in the master, GUNICORN_GC_FREEZE), with DEBUG off and the production middleware
(django-prometheus included); the benchmark never calls gc.freeze() in this mode. Differences from a real
server, all on purpose: bench.settings (plain HTTP on 127.0.0.1 and the baseline URL), local-memory caches
and database sessions instead of Redis (the machine's Redis is shared; clearing it would log everybody out),
no nginx in front.

Each page is requested in turn (round-robin: one request of each page a round, so load from other work on
the machine hits every page alike), a few warm-up rounds then the timed ones, one request at a time, timed
from before the connection is opened until the last byte of the body is read, on loopback. Caches are kept
as production keeps them (a served page cannot be told to forget them): the in-process figures remain the
cost of computing a page; these are what a user waits for.
"""

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.measure import summarize
from bench.throughput import free_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"


def rounds(keys, warmup, runs):
    """The request order: every key once a round, `warmup` untimed rounds then `runs` timed ones.
    Yields (key, timed)."""
    for i in range(warmup + runs):
        for key in keys:
            yield key, i >= warmup


def time_rounds(targets, fetch, *, warmup, runs, clock=time.perf_counter):
    """Request `targets` ({key: anything fetch takes}) round-robin; {key: [ms, …]} of the timed runs.

    `fetch(target)` does one request and returns an error string or None; a target that errs once is
    dropped from the rest of the run and its error returned in the second value."""
    durations = {key: [] for key in targets}
    errors = {}
    for key, timed in rounds(list(targets), warmup, runs):
        if key in errors:
            continue
        started = clock()
        error = fetch(targets[key])
        elapsed = (clock() - started) * 1000
        if error:
            errors[key] = error
        elif timed:
            durations[key].append(elapsed)
    return durations, errors


def http_get(port, path, cookie, timeout=60):
    """One GET on a new connection (gunicorn's sync workers close it after each response); None if 200.
    A page slower than `timeout` seconds is an error too (time_rounds then drops it), not the run's end."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "identity"})
        try:
            response = conn.getresponse()
            response.read()
        except TimeoutError:
            return f"no answer within {timeout} s"
        if response.status != 200:
            where = response.getheader("Location") or ""
            return f"GET answered {response.status}{' → ' + where if where else ''}"
        return None
    finally:
        conn.close()


@contextmanager
def gunicorn(env, *, app="sws.wsgi", python=sys.executable, cwd=ROOT, health="/healthz"):
    """gunicorn -c deploy/gunicorn.conf.py <app> on a free loopback port; yields the port.

    Only the bind address and the metrics folder are the benchmark's own: the folder because the config
    empties it at start and another process of the same user may be using the default one."""
    port = free_port()
    metrics = tempfile.mkdtemp(prefix="bench-prometheus-")
    exe = Path(python).with_name("gunicorn")
    cmd = [str(exe)] if exe.exists() else [python, "-m", "gunicorn"]
    proc_env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "PROMETHEUS_MULTIPROC_DIR": metrics}
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below, after the server stops)
    proc = subprocess.Popen(
        [*cmd, "-c", str(CONFIG), app],
        cwd=cwd,
        env=proc_env,
        stdout=subprocess.DEVNULL,  # the access log, written as production writes it, then dropped
        stderr=log,
        start_new_session=True,
    )
    try:
        try:
            _wait(port, proc, health)
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}: {log.read()[-2000:].decode('utf-8', 'replace')}") from exc
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.rmtree(metrics, ignore_errors=True)


def _wait(port, proc, path, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def served_env(env):
    """The environment of a production web process (deploy/env.example) on the benchmark's database."""
    out = {k: v for k, v in env.items() if not k.startswith("GUNICORN_")}
    # deploy/env.example's values that bench.settings does not already fix.
    out.setdefault("CONN_MAX_AGE", "60")
    out["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    return out


def servable(measured_pages):
    """(pages to serve, keys left to the in-process pass) of a `bench.measure` result's pages."""
    ok = [p for p in measured_pages if p.get("state") == "ok" and p.get("url")]
    # A POST's writes are undone in-process; a served page's caches cannot be emptied before it (`cold`).
    pages = [p for p in ok if p.get("method") == "GET" and not p.get("cold")]
    return pages, [p["key"] for p in ok if p not in pages]


def measure_served(measured, *, env, runs, warmup, out=print):
    """Every GET page of a `bench.measure` result, served by gunicorn; {"pages": [...], "setup": {...}}.

    Each page entry keeps the in-process pass's key, label, user and query count."""
    pages, skipped = servable(measured["pages"])
    sessions = measured["sessions"]
    with gunicorn(served_env(env)) as port:
        targets = {p["key"]: (p["url"], sessions[p["role"]]) for p in pages}
        durations, errors = time_rounds(targets, lambda t: http_get(port, *t), warmup=warmup, runs=runs)
    results = []
    for p in pages:
        entry = {k: p.get(k) for k in ("key", "label", "role", "user", "baseline", "queries", "bytes")}
        if p["key"] in errors:
            entry.update(state="error", error=errors[p["key"]])
        else:
            entry.update(state="ok", **summarize(durations[p["key"]]))
        results.append(entry)
    add_ratios(results)
    for e in results:
        if e["state"] == "ok":
            out(
                f"  {e['key']:26} p50 {e['median_ms']:8.1f} ms  p95 {e['p95_ms']:8.1f} ms  "
                f"×baseline {e.get('ratio_p95', '-')}"
            )
        else:
            out(f"  {e['key']:26} ERROR: {e['error']}")
    return {
        "pages": results,
        "skipped": skipped,
        "setup": {"config": "deploy/gunicorn.conf.py", "workers": _workers(), "runs": runs, "warmup": warmup},
    }


def add_ratios(entries):
    """p95 and median as multiples of the baseline page's (measured the same way), in place."""
    base = next((e for e in entries if e.get("baseline") and e.get("state") == "ok"), None)
    if base is None:
        return
    for e in entries:
        if e.get("state") == "ok":
            e["ratio_median"] = round(e["median_ms"] / base["median_ms"], 2)
            e["ratio_p95"] = round(e["p95_ms"] / base["p95_ms"], 2)


def _workers():
    # What deploy/gunicorn.conf.py computes with GUNICORN_WORKERS unset (served_env unsets it), as
    # deploy/env.example's 5 does on these 2 cores.
    import multiprocessing

    return multiprocessing.cpu_count() * 2 + 1
