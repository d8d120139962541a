"""Throughput: the app under gunicorn (2 workers) on 127.0.0.1, driven by wrk, as the logged-in user.

wrk sends the session cookie that `bench.measure` created through Django's session engine (force_login),
so every request is a real, authenticated page view. Only loopback targets: the URL is always
http://127.0.0.1:<free port>/…, and each wrk run is bounded in time.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_command(port, workers):
    exe = Path(sys.executable).with_name("gunicorn")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]
    return base + [
        "sws.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]


def _get(url, cookie, timeout=30):
    req = urllib.request.Request(url, headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_ready(base_url, cookie, path, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            return _get(base_url + path, cookie, timeout=10)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def run_wrk(url, cookie, *, duration, connections, threads):
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / "wrk_report.lua"),
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(line[len("WRKJSON ") :])
    seconds = data["duration_us"] / 1e6
    errors = sum(data["errors"].values())
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds, 1) if seconds else None,
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 1),
        "p95_ms": round(data["latency_us"]["p95"] / 1000, 1),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 1),
        "errors": errors,
        "error_detail": data["errors"],
    }


def throughput(measured, *, env, duration=10, connections=4, threads=2, workers=2, out=print):
    """Drive each `throughput` page of a `bench.measure` result; returns {key: figures}."""
    if shutil.which("wrk") is None:
        out("  wrk is not installed (apt-get install wrk): throughput skipped")
        return {"_skipped": "wrk not installed"}
    targets = [
        p for p in measured["pages"] if p.get("throughput") and p.get("state") == "ok" and p.get("url")
    ]
    baseline = next((p for p in measured["pages"] if p.get("baseline") and p.get("state") == "ok"), None)
    if baseline:
        targets.insert(0, baseline)
    if not targets:
        return {"_skipped": "no page to drive"}
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    # Persistent database connections, as production would run them behind gunicorn.
    proc_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CONN_MAX_AGE": env.get("CONN_MAX_AGE", "600"),
    }
    proc = subprocess.Popen(gunicorn_command(port, workers), cwd=ROOT, env=proc_env, start_new_session=True)
    results = {"_setup": {"workers": workers, "connections": connections, "threads": threads}}
    try:
        first = targets[0]
        cookie = measured["sessions"][first["role"]]
        wait_ready(base_url, cookie, first["url"], proc)
        for page in targets:
            cookie = measured["sessions"][page["role"]]
            url = base_url + page["url"]
            status = _get(url, cookie)
            if status != 200:
                results[page["key"]] = {"error": f"GET answered {status} under gunicorn"}
                out(f"  {page['key']:26} ERROR: GET answered {status} under gunicorn")
                continue
            # A short unmeasured burst first, so both workers have warm caches and connections.
            run_wrk(url, cookie, duration=1, connections=connections, threads=threads)
            figures = run_wrk(url, cookie, duration=duration, connections=connections, threads=threads)
            results[page["key"]] = figures
            out(
                f"  {page['key']:26} {figures['rps']:7.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
                f"p95 {figures['p95_ms']:7.1f} ms  errors {figures['errors']}"
            )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return results
