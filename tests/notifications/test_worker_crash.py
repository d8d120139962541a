"""THE test of issue #18: real Celery workers against Redis and PostgreSQL, one killed with SIGKILL in the
middle of delivering, and every message still arrives exactly once.

200 SMS are enqueued (through `enqueue`, whose commit sends the delivery task to Redis); a worker process
delivers them to the fake provider (a gateway that records every request and keeps one delivery per
Idempotency-Key, as a provider with idempotency does); celery beat sweeps every second. When the provider
has seen 70 requests the worker's whole process group is killed (kill -9), a new worker starts, and the
test waits until every row is sent. Then: every key reached the provider, none was delivered twice, the
only repeats are messages of the batch the dead worker was sending, and every row is marked sent once.

Needs PostgreSQL (the workers read the committed test database) and Redis: marked `broker`, deselected by
default (pyproject addopts), run by `make broker-test` and by .ci/run, which has both. It fails, never
skips, where they are missing.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection, transaction

from notifications import tasks
from notifications.models import OutboxMessage
from notifications.outbox import enqueue
from tests.factories import installed_app_names
from tests.notifications.fake_gateway import FakeGateway

# available_apps: the teardown empties the tables with TRUNCATE … CASCADE, which PostgreSQL needs here.
pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, available_apps=installed_app_names()),
]

BROKER_URL = os.environ.get("SWS_TEST_BROKER_URL", "redis://127.0.0.1:6379/5")
MESSAGES = 200
KILL_AFTER = 70  # mid-batch (batches of 20): some sent and not yet marked
BATCH = 20
ROOT = Path(__file__).resolve().parents[2]


def database_url():
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail(
            "the broker test needs PostgreSQL: run it with DATABASE_URL=postgres://… (make broker-test)"
        )
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(gateway, queue):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sws.test_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": queue,
        "SMS_BACKEND": "http",
        "SMS_HTTP_URL": f"{gateway.url}/sms",
        "SMS_HTTP_KEY": "key-1",
        "SMS_HTTP_SECRET": "secret-1",
        "SMS_DAILY_LIMIT_PER_NUMBER": str(MESSAGES),
        "OUTBOX_LEASE_SECONDS": "5",
        "OUTBOX_BATCH_SIZE": str(BATCH),
        "OUTBOX_SWEEP_SECONDS": "1",
    }


def start(kind, env, tmp_path, name):
    args = [sys.executable, "-m", "celery", "-A", "sws", kind, "--loglevel", "INFO"]
    if kind == "worker":
        args += ["--concurrency", "1", "--pool", "prefork", "--without-gossip", "--without-mingle"]
        args += ["--hostname", f"{name}@%h"]
    else:
        args += ["--schedule", str(tmp_path / "beat-schedule"), "--max-interval", "1"]
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    return process


def kill(process, sig=signal.SIGKILL):
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, sig)
    process.wait(timeout=30)
    process.log.close()


def wait_for(condition, timeout, what, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    details = "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in logs)
    pytest.fail(f"timed out waiting for {what}\n{details}")


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(tmp_path, monkeypatch):
    queue = f"sws-test-{uuid.uuid4().hex[:8]}"
    client = Celery(broker=BROKER_URL)
    try:
        client.connection_for_write().ensure_connection(max_retries=1)
    except Exception as exc:
        pytest.fail(f"no broker at {BROKER_URL}: {exc}")
    # enqueue's commit sends the delivery task to Redis, as with CELERY_BROKER_URL set.
    monkeypatch.setattr(
        tasks.deliver_due, "delay", lambda: client.send_task("notifications.tasks.deliver_due", queue=queue)
    )
    processes = []
    with FakeGateway() as gateway:
        gateway.delay = 0.02  # a provider answering in 20 ms: the kill lands mid-batch
        env = environment(gateway, queue)
        logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log", tmp_path / "beat.log"]
        try:
            first = start("worker", env, tmp_path, "worker-1")
            processes.append(first)
            with transaction.atomic():
                for n in range(MESSAGES):
                    enqueue(
                        key=f"crash-test:{n}",
                        channel="sms",
                        address=f"138{n:08d}",
                        body=f"您的诉求已登记，编号 BC-2026-{n:04d}。",
                        template_code="request_registered",
                    )
            wait_for(lambda: len(gateway.received) >= KILL_AFTER, 120, "the first deliveries", logs)
            kill(first)  # kill -9, the whole process group: no goodbye, no acknowledgement
            at_kill = len(gateway.received)
            assert at_kill < MESSAGES, "the worker finished before it could be killed: raise the delay"

            processes.append(start("worker", env, tmp_path, "worker-2"))
            processes.append(start("beat", env, tmp_path, "beat"))  # sweeps the leases the dead worker left
            wait_for(
                lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists(),
                120,
                "every message sent",
                logs,
            )
        finally:
            for process in processes:
                if process.poll() is None:
                    kill(process)
            client.connection_for_write().default_channel.queue_delete(queue)

        keys = {f"crash-test:{n}" for n in range(MESSAGES)}
        assert set(gateway.delivered) == keys  # nothing lost
        assert len(gateway.delivered) == MESSAGES  # nothing twice
        for key, payload in gateway.delivered.items():
            n = int(key.split(":")[1])
            assert payload["content"] == f"您的诉求已登记，编号 BC-2026-{n:04d}。"
        # Sent again only what the dead worker had sent and not yet marked: at most its batch.
        resent = sum(gateway.repeats.values())
        assert resent <= BATCH and max(gateway.repeats.values(), default=0) <= 1
        assert len(gateway.sms_requests()) == MESSAGES + resent
        rows = OutboxMessage.objects.all()
        assert rows.count() == MESSAGES
        assert not rows.exclude(status=OutboxMessage.Status.SENT).exists()
        assert not rows.filter(claim__isnull=False).exists()
        print(f"killed after {at_kill} requests; {resent} sent again with their key, delivered once")
