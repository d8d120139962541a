"""The production stack for a load run, on this machine, under one scratch folder (load/run.py).

What `make prod-smoke` starts, driven through the same scripts: a PostgreSQL primary and its streaming
replica on free high ports (deploy/smoke/pg-replica), nginx with deploy/nginx/sws.conf on TLS
(deploy/smoke/nginx-conf), gunicorn with deploy/gunicorn.conf.py (here two app processes behind nginx's
upstream, as two app servers would be), a Celery worker and beat as deploy/systemd's units start them, and
a Redis of its own on a free high port (never the machine's 6379, never the machine's PostgreSQL). SMS go
to a fake provider on 127.0.0.1 (tests/notifications/fake_gateway.py: it records every request and keeps
one delivery per Idempotency-Key, as a provider with idempotency does).

The faults act on these processes only: `restart_primary`, `stop_replica` / `start_replica`,
`restart_redis` (as `systemctl restart redis-server` does with Debian's configuration: a shutdown that
saves the snapshot, or with crash=True a kill -9 that loses what was not saved), `kill_worker` (kill -9 of
the Celery worker's process group) / `start_worker`.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_REPLICA = ROOT / "deploy" / "smoke" / "pg-replica"
NGINX_CONF = ROOT / "deploy" / "smoke" / "nginx-conf"
NGINX_BIN = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")
# Debian's redis.conf (what deploy/ installs): snapshots at these points, and one at shutdown.
REDIS_SAVE = "3600 1 300 100 60 10000"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(check, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.time()
        time.sleep(interval)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def _secret(prefix):
    return f"{prefix}-{secrets.token_urlsafe(48)}"


def read_proc_stats(proc=Path("/proc")):
    """pid → (ppid, pgrp, own CPU seconds, reaped children's CPU seconds), from /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for path in proc.glob("[0-9]*/stat"):
        try:
            text = path.read_text()
        except OSError:  # ended meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()
        ppid, pgrp = int(fields[1]), int(fields[2])
        own = (int(fields[11]) + int(fields[12])) / tick
        children = (int(fields[13]) + int(fields[14])) / tick
        stats[int(path.parent.name)] = (ppid, pgrp, own, children)
    return stats


def cpu_by_group(stats, groups):
    """groups: name → ("pgrp" | "ppid", leader pid). A group's CPU: its leader's own and reaped children's,
    and every other live process in its process group (pgrp) or whose parent is the leader (ppid)."""
    totals = {}
    for name, (how, leader) in groups.items():
        if leader not in stats:
            continue
        total = stats[leader][2] + stats[leader][3]
        for pid, (ppid, pgrp, own, _children) in stats.items():
            if pid != leader and (pgrp == leader if how == "pgrp" else ppid == leader):
                total += own
        totals[name] = round(total, 1)
    return totals


class Stack:
    def __init__(self, work: Path, *, app_processes=2, workers=3, threads=1, lease_seconds=30):
        self.work = work
        self.app_processes = app_processes
        self.workers = workers
        self.threads = threads
        self.lease_seconds = lease_seconds
        self.cluster = work / "pg"
        self.procs = {}  # name → Popen (app-a, app-b, worker-1, worker-2, beat)
        self.redis_port = free_port()
        self.https_port = free_port()
        self.http_port = free_port()
        self.app_ports = [free_port() for _ in range(app_processes)]
        self.base = f"https://localhost:{self.https_port}"
        self.worker_starts = 0
        self.gateway = None
        self.env = None

    # --- Services -------------------------------------------------------------------------------------------
    def start_services(self, db_name, gateway_url):
        self.work.mkdir(parents=True, exist_ok=True)
        self.work.chmod(0o755)  # nginx's worker and the postgres user read below it
        out = subprocess.run(
            [str(PG_REPLICA), "start", str(self.cluster)], check=True, capture_output=True, text=True
        ).stdout
        ports = dict(line.split("=", 1) for line in out.split() if "=" in line)
        self.primary_port, self.replica_port = int(ports["PRIMARY_PORT"]), int(ports["REPLICA_PORT"])
        self.start_redis()
        self.database_url = f"postgres://postgres@{HOST}:{self.primary_port}/{db_name}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sws.settings",
            "DEBUG": "false",
            "SECRET_KEY": _secret("load"),
            "PERSONAL_DATA_KEY": _secret("load"),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.base,
            "DATABASE_URL": self.database_url,
            "REPLICA_DATABASE_URL": f"postgres://postgres@{HOST}:{self.replica_port}/{db_name}",
            "CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://{HOST}:{self.redis_port}/1",
            "CELERY_QUEUE": "sws-load",
            "STATIC_ROOT": str(self.work / "static"),
            "ATTACHMENTS_ROOT": str(self.work / "attachments"),
            "TRUSTED_PROXY_COUNT": "1",
            "SECURE_HSTS_SECONDS": "0",
            "TWO_FACTOR_OPTIONAL": "true",  # the demo accounts log in with a password
            "LOG_LEVEL": "WARNING",
            "SMS_BACKEND": "http",
            "SMS_HTTP_URL": f"{gateway_url}/sms",
            "SMS_HTTP_KEY": "load-key",
            "SMS_HTTP_SECRET": "load-secret",
            # Every user's texts reach the provider (the demo's numbers would hit the daily limit of 5).
            "SMS_DAILY_LIMIT_PER_NUMBER": "100000",
            # A killed worker's claimed messages go out again after the lease: 30 s, not production's 300,
            # so the outbox drains within a run; the sweep that finds them every 10 s (production: 30).
            "OUTBOX_LEASE_SECONDS": str(self.lease_seconds),
            "OUTBOX_SWEEP_SECONDS": "10",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)

    def start_redis(self):
        subprocess.run(
            [
                "redis-server", "--daemonize", "yes", "--bind", HOST, "--port", str(self.redis_port),
                "--save", REDIS_SAVE, "--appendonly", "no", "--dir", str(self.work),
                "--dbfilename", "redis.rdb", "--logfile", str(self.work / "redis.log"),
                "--pidfile", str(self.work / "redis.pid"),
            ],
            check=True,
        )  # fmt: skip
        wait_until(self.redis_up, 30, "Redis")

    def redis_cli(self, *args):
        return subprocess.run(
            ["redis-cli", "-h", HOST, "-p", str(self.redis_port), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    def redis_up(self):
        return self.redis_cli("ping").stdout.strip() == "PONG"

    def pg_up(self, port):
        return subprocess.run(["pg_isready", "-h", HOST, "-p", str(port), "-q"], check=False).returncode == 0

    def primary_up(self):
        return self.pg_up(self.primary_port)

    def replica_up(self):
        return self.pg_up(self.replica_port)

    def manage(self, *args, **kwargs):
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args], env=self.env, cwd=ROOT, **kwargs
        )

    # --- App, worker, beat, nginx ---------------------------------------------------------------------------
    def _spawn(self, name, command, env=None):
        log = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            env=env or self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill -9 reaches its children too
        )
        log.close()
        self.procs[name] = process
        return process

    def start_app(self):
        subprocess.run(
            [str(NGINX_CONF), str(self.work), str(self.http_port), str(self.https_port),
             str(self.work / "static"), *map(str, self.app_ports)],
            check=True, env={**os.environ, "NGINX_BIN": NGINX_BIN},
        )  # fmt: skip
        for label, port in zip("abcdefgh", self.app_ports, strict=False):
            env = {
                **self.env,
                "GUNICORN_BIND": f"{HOST}:{port}",
                "GUNICORN_WORKERS": str(self.workers),
                "GUNICORN_THREADS": str(self.threads),
                "GUNICORN_ACCESSLOG": str(self.work / f"access-{label}.txt"),  # as production logs
                "PROMETHEUS_MULTIPROC_DIR": str(self.work / f"prometheus-{label}"),
            }
            self._spawn(
                f"app-{label}", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "sws.wsgi"], env
            )
        self.start_worker()
        self._spawn(
            "beat",
            [str(BIN / "celery"), "-A", "sws", "beat", "--loglevel", "INFO",
             "--schedule", str(self.work / "celerybeat-schedule")],
        )  # fmt: skip
        subprocess.run(
            [NGINX_BIN, "-c", str(self.work / "nginx.conf"), "-e", str(self.work / "nginx-main.log")]
        )
        for port in self.app_ports:
            wait_until(lambda p=port: self._answers(f"http://{HOST}:{p}/healthz"), 90, f"gunicorn on {port}")
        wait_until(lambda: self._answers(f"{self.base}/healthz"), 30, "nginx")
        self.wait_worker_ready()

    def _answers(self, url):
        import ssl

        context = ssl._create_unverified_context()  # the run's self-signed certificate
        for name, process in self.procs.items():
            if name.startswith("app-") and process.poll() is not None:
                raise RuntimeError(f"{name} exited: see {self.work / (name + '.log')}")
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:
                return response.status == 200
        except OSError:
            return False

    def start_worker(self):
        """A Celery worker as sws-worker.service starts it (2 processes)."""
        self.worker_starts += 1
        name = f"worker-{self.worker_starts}"
        self._spawn(
            name,
            [str(BIN / "celery"), "-A", "sws", "worker", "--concurrency", "2", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--hostname", f"{name}@%h"],
        )  # fmt: skip
        return name

    def wait_worker_ready(self, timeout=90):
        log = self.work / f"worker-{self.worker_starts}.log"
        return wait_until(
            lambda: log.exists() and " ready." in log.read_text(errors="replace"), timeout, "worker"
        )

    def kill_worker(self):
        process = self.procs[f"worker-{self.worker_starts}"]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    # --- Faults ---------------------------------------------------------------------------------------------
    def restart_primary(self):
        subprocess.run([str(PG_REPLICA), "restart-primary", str(self.cluster)], check=True)

    def stop_replica(self):
        subprocess.run([str(PG_REPLICA), "stop-replica", str(self.cluster)], check=True)

    def start_replica(self):
        subprocess.run([str(PG_REPLICA), "start-replica", str(self.cluster)], check=True)

    def restart_redis(self, crash=False):
        if crash:
            pid = int((self.work / "redis.pid").read_text())
            os.kill(pid, signal.SIGKILL)
            wait_until(lambda: not self.redis_up(), 10, "Redis's end")
            (self.work / "redis.pid").unlink(missing_ok=True)
        else:
            self.redis_cli("shutdown")  # saves the snapshot first (the save points above)
        self.start_redis()

    # --- Logs and the end -----------------------------------------------------------------------------------
    def log_text(self, name):
        path = self.work / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def app_logs(self):
        return {name: self.log_text(name) for name in self.procs if name.startswith("app-")}

    def leaders(self):
        """The processes whose CPU time is counted, each with its own children: the app processes, the
        worker and beat (their process groups), nginx (its master's group), PostgreSQL (each postmaster and
        its backends)."""
        groups = {name: ("pgrp", p.pid) for name, p in self.procs.items() if p.poll() is None}
        with contextlib.suppress(OSError, ValueError):
            groups["nginx"] = ("pgrp", int((self.work / "nginx.pid").read_text()))
        for node in ("primary", "replica"):
            with contextlib.suppress(OSError, ValueError):
                pid = int((self.cluster / node / "postmaster.pid").read_text().split()[0])
                groups[f"postgres-{node}"] = ("ppid", pid)
        with contextlib.suppress(OSError, ValueError):
            groups["redis"] = ("pgrp", int((self.work / "redis.pid").read_text()))
        return groups

    def cpu_seconds(self):
        """CPU seconds (user + system) used so far by each of `leaders()`: its live processes, and the
        children its leader has reaped (a replaced worker, a finished backend)."""
        return cpu_by_group(read_proc_stats(), self.leaders())

    def requests_per_app(self):
        """Requests each app process answered (lines of its access log): nginx spreads them over both."""
        return {
            path.stem.removeprefix("access-"): sum(1 for _ in path.open("rb"))
            for path in sorted(self.work.glob("access-*.txt"))
        }

    def keep_logs(self, folder: Path):
        for path in self.work.glob("*.log"):
            shutil.copy(path, folder / path.name)

    def stop(self):
        with contextlib.suppress(Exception):
            pid = (self.work / "nginx.pid").read_text().strip()
            os.kill(int(pid), signal.SIGTERM)
        for process in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.procs.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.redis_cli("shutdown", "nosave")
        subprocess.run([str(PG_REPLICA), "stop", str(self.cluster)], check=False, capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)
