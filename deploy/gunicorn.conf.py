"""gunicorn for SWS: `gunicorn -c deploy/gunicorn.conf.py sws.wsgi` (deploy/systemd/sws-web.service).

Every figure comes from the environment (/etc/sws/env, deploy/env.example) so one file serves a district's
small server and the city's.

preload_app = True: the master imports Django and the app once and forks the workers from it. The
workers share those pages copy-on-write (less memory per worker), start in a fraction of the time, and a
broken configuration stops the master at once instead of every worker failing in a loop. The price: new
code needs a restart of the service (not a HUP), which is what docs/deploy.md's upgrade does anyway.
Nothing opens a database connection at import time (PROMETHEUS_EXPORT_MIGRATIONS is off), so no
connection is shared across the fork.

gc.freeze() (GUNICORN_GC_FREEZE, on by default): after the preload the master moves every object it
holds into the collector's permanent generation before forking. Without it, the workers' first
collections write to the reference counts' neighbours (the GC headers) of those objects and copy the
pages they live on; with it, they stay shared. Measured in docs/deploy.md.
"""

import gc
import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2 per core plus one is gunicorn's rule for sync workers; a station office's server has 2 cores.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The slowest legitimate request is an XLSX export or a 10 MB upload over a slow link (nginx buffers
# the upload first): 60 s, then the master kills the worker and logs it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # behind nginx's keepalive upstream pool
# A worker is replaced after this many requests (jitter: not all at once): bounds a slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
preload_app = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stderr (journald under systemd). The access log carries the request id the app returns
# (X-Request-ID, the one nginx logged), so one id finds a request in nginx's, gunicorn's and the app's logs.
# The query string is left out (%(U)s, not %(r)s): a search may carry a name or a phone number.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = (
    '{"time":"%(t)s","request_id":"%({x-request-id}o)s","remote":"%({x-forwarded-for}i)s",'
    '"method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":%(B)s,"duration_ms":%(M)s}'
)

# Prometheus across workers: each worker writes its figures to files in this folder, /metrics reads
# them all (prometheus_client's multiprocess mode). Emptied at start, a dead worker's files marked.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"sws-prometheus-{os.getuid()}")
)

# Here, not in on_starting: the preloaded app (django-prometheus's metrics) opens its files before that.
shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, exist_ok=True)


def when_ready(server):
    if os.environ.get("GUNICORN_GC_FREEZE", "true").lower() in ("1", "true", "yes"):
        gc.collect()
        gc.freeze()
        server.log.info("gc.freeze(): %d objects kept out of the workers' collections", gc.get_freeze_count())


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
