"""Outbox throughput with one Celery worker: a city's daily volume of messages through the file channel.

    .venv/bin/python -m bench.outbox --messages 20000        # make bench-outbox

Creates (again) the database `sws_bench_outbox` on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/) and migrates it; starts one worker (`celery -A sws worker
--concurrency 1`) on Redis (--broker, default redis://127.0.0.1:6379/6) with the SMS file backend writing
to a temporary folder; then enqueues N SMS to N numbers in one transaction, whose commit sends the
delivery task, and waits until every row is sent. Prints the enqueue rate and the delivery rate (messages
per second from the commit to the last row marked sent); docs/jobs.md has the figures.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.run import DEFAULT_SERVER, ROOT, create_database, django_env, manage, say

NAME = "sws_bench_outbox"


def start_worker(env, log_path):
    args = [sys.executable, "-m", "celery", "-A", "sws", "worker", "--concurrency", "1", "--pool", "prefork"]
    args += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    log = open(log_path, "w")  # noqa: SIM115 (the worker writes it until it is stopped)
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {what}")
        time.sleep(0.25)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args(argv)

    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    url = server.rsplit("/", 1)[0] + "/" + NAME
    say(f"database {NAME}: created and migrated")
    create_database(url, NAME, recreate=False)
    env = django_env(url)
    manage(env, "migrate", "--noinput", "-v", "0")

    folder = tempfile.mkdtemp(prefix="sws-outbox-bench-")
    env.update(
        CELERY_BROKER_URL=args.broker,
        CELERY_QUEUE=f"sws-bench-{uuid.uuid4().hex[:8]}",
        SMS_BACKEND="file",
        SMS_FILE_DIR=folder,
        SMS_DAILY_LIMIT_PER_NUMBER=str(args.messages),
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import transaction

    from notifications.models import OutboxMessage
    from notifications.outbox import enqueue

    worker = start_worker(env, Path(folder) / "worker.log")
    try:
        wait_until(lambda: "ready." in (Path(folder) / "worker.log").read_text(), 120, "the worker to start")
        say(f"worker ready; enqueuing {args.messages} messages in one transaction")
        started = time.monotonic()
        with transaction.atomic():
            for n in range(args.messages):
                enqueue(
                    key=f"bench:{n}",
                    channel="sms",
                    address=f"138{n:08d}",
                    body=f"您的诉求已登记，编号 BC-2026-{n:06d}，可凭编号查询办理进度。",
                    template_code="request_registered",
                )
        committed = time.monotonic()
        enqueue_rate = args.messages / (committed - started)
        say(f"enqueued in {committed - started:.1f} s ({enqueue_rate:.0f}/s); delivering …")
        last = -1
        while True:
            sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
            if sent != last:
                say(f"  {sent} sent after {time.monotonic() - committed:.1f} s")
                last = sent
            if sent == args.messages:
                break
            if worker.poll() is not None:
                raise SystemExit("the worker stopped: see " + str(Path(folder) / "worker.log"))
            time.sleep(1)
        elapsed = time.monotonic() - committed
        files = sum(1 for _ in Path(folder).glob("*.json"))
        rate = args.messages / elapsed
        say(f"delivered {args.messages} in {elapsed:.1f} s: {rate:.0f} messages/s (one worker)")
        say(f"files written: {files}")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


if __name__ == "__main__":
    main()
