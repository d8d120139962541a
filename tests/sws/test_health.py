"""/healthz, /readyz and /metrics (sws/health.py): what they answer, to whom, and at what cost."""

import datetime
import json
import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from notifications.models import OutboxMessage
from residents.models import Request
from sws import health
from tests import factories as f

pytestmark = pytest.mark.django_db


def outbox_message(key, age_seconds=0, status="pending"):
    now = timezone.now()
    OutboxMessage.objects.create(
        key=key, channel="sms", address="13820135678", body="…", status=status, next_attempt_at=now
    )
    OutboxMessage.objects.filter(key=key).update(created_at=now - datetime.timedelta(seconds=age_seconds))


def test_healthz_answers_without_the_database(client):
    # Liveness must not depend on the database: a database outage is no reason to restart the app.
    with (
        mock.patch.object(health, "_check_database", side_effect=AssertionError("not called")),
        mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError),
    ):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_ok_when_every_dependency_answers(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "jobs"}
    assert body["checks"]["jobs"] == {"ok": True, "backlog": 0, "oldest_undelivered_age_seconds": 0}


def test_readyz_names_a_database_outage(client):
    with mock.patch.object(health, "_check_database", side_effect=OperationalError("host=db password=x")):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database", "jobs"]
    # The exception's class, never its text (a DSN may carry a password).
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "password" not in response.content.decode()


def test_readyz_names_a_cache_outage(client):
    from redis.exceptions import ConnectionError as RedisConnectionError

    with mock.patch("django.core.cache.backends.locmem.LocMemCache.set", side_effect=RedisConnectionError):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"]["error"] == "ConnectionError"


def test_readyz_names_a_late_outbox(client, settings):
    settings.READY_OUTBOX_MAX_AGE_SECONDS = 600
    outbox_message("late", age_seconds=601)
    outbox_message("sent-long-ago", age_seconds=99999, status="sent")  # delivered: no part of the backlog
    response = client.get("/readyz")
    assert response.status_code == 503
    jobs = response.json()["checks"]["jobs"]
    assert response.json()["failed"] == ["jobs"]
    assert jobs["ok"] is False and jobs["backlog"] == 1 and jobs["oldest_undelivered_age_seconds"] >= 601
    assert "600s" in jobs["error"]


def test_readyz_names_a_long_outbox(client, settings):
    settings.READY_OUTBOX_MAX_BACKLOG = 2
    for key in "abc":
        outbox_message(key)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["jobs"]["backlog"] == 3
    assert "more than 2" in response.json()["checks"]["jobs"]["error"]
    settings.READY_OUTBOX_MAX_BACKLOG = 3
    assert client.get("/readyz").status_code == 200


def test_probes_bypass_the_https_redirect_the_session_and_login(settings, worker):
    # Production settings redirect plain HTTP; a probe on the app's own port is plain HTTP, with no cookie.
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/residents/requests/").status_code == 301  # everything else is redirected
    assert "Set-Cookie" not in client.get("/readyz").headers
    assert client.post("/healthz").status_code == 405  # read only, and no CSRF token asked for


def test_the_auditor_is_not_confined_out_of_the_probes(client, db):
    auditor = f.make_user("auditor_probe", role="auditor")
    client.force_login(auditor)
    assert client.get("/healthz").status_code == 200


def test_readyz_costs_the_same_with_many_rows(client, django_assert_max_num_queries):
    for index in range(30):
        outbox_message(f"m{index}", age_seconds=index)
    with django_assert_max_num_queries(2):
        assert client.get("/readyz").status_code == 200


# --- /metrics ----------------------------------------------------------------------------------------


def test_metrics_are_404_without_token_or_allowed_address(client, settings, admin_user):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.force_login(admin_user)  # being an admin is not enough: the scraper is a machine
    assert client.get("/metrics").status_code == 404


def test_metrics_with_the_token(client, settings, guoyuan):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    f.make_request(guoyuan)
    f.make_request(guoyuan, status=Request.Status.CLOSED)
    outbox_message("waiting", age_seconds=42)
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus")
    assert response.status_code == 200
    text = response.content.decode()
    assert "sws_open_requests 1.0" in text
    assert "sws_outbox_undelivered 1.0" in text
    assert "sws_outbox_oldest_undelivered_age_seconds 4" in text  # 42 s (or 43 by the time it is read)
    # django-prometheus: latency by view, and the database's queries.
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "django_db_execute_total" in text


def test_metrics_from_an_allowed_address_only_when_connecting_directly(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/24"]
    assert Client(REMOTE_ADDR="10.0.0.7").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.0.1.7").get("/metrics").status_code == 404
    # Through the proxy everyone comes from its address: the header says so, and the token is needed.
    proxied = Client(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.get("/metrics").status_code == 404


def test_metrics_query_count_does_not_grow(client, settings, guoyuan, django_assert_max_num_queries):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    for _ in range(5):
        f.make_request(guoyuan)
    with django_assert_max_num_queries(2):
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus")


def test_the_backlog_gauges_appear_once_under_several_workers(
    client, settings, guoyuan, tmp_path, monkeypatch
):
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn), every scrape reads the workers' files: the backlog is
    computed at scrape time and must not be left in a file to be reported again by the next scrape."""
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    import prometheus_client.values

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    # As in a worker started with the variable set: metric values are kept in files.
    monkeypatch.setattr(prometheus_client.values, "ValueClass", prometheus_client.values.MultiProcessValue())
    f.make_request(guoyuan)
    for _ in range(2):
        text = client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus"
        ).content.decode()
    series = [line for line in text.splitlines() if line.startswith("sws_open_requests")]
    assert series == ["sws_open_requests 1.0"]
    # No gauge file for the next scrape to repeat (the request counters' files are django-prometheus's own).
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith("gauge")]


# --- The request id ------------------------------------------------------------------------------------


def test_a_request_id_is_returned_and_logged(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    assert any(getattr(record, "request_id", None) == request_id for record in caplog.records)


def test_nginx_request_id_is_kept_and_a_malformed_one_replaced(client):
    given = "0123456789abcdef0123456789abcdef"  # nginx's $request_id: 32 hex digits
    assert client.get("/login/", HTTP_X_REQUEST_ID=given).headers["X-Request-ID"] == given
    forged = client.get("/login/", HTTP_X_REQUEST_ID='x"} injected').headers["X-Request-ID"]
    assert forged != 'x"} injected' and len(forged) == 32


def test_json_log_lines_carry_the_request_id_and_no_personal_data(client):
    from django.conf import settings

    stream_handler = logging.getLogger().handlers[0]
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"  # production's default
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.filters = stream_handler.filters
    logging.getLogger().addHandler(handler)
    try:
        response = client.get("/no-such-page/?phone=13820135678")
    finally:
        logging.getLogger().removeHandler(handler)
    line = json.loads(stream_handler.formatter.format(records[-1]))
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert "13820135678" not in json.dumps(line, ensure_ascii=False)


def test_a_json_traceback_is_masked_too():
    """The JSON formatter renders a traceback from exc_info, not from the text the filter masked."""
    stream_handler = logging.getLogger().handlers[0]
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.filters = stream_handler.filters
    logging.getLogger().addHandler(handler)
    try:
        try:
            raise ValueError("duplicate key (id_number)=(120113198001011234) phone 13820135678")
        except ValueError:
            logging.getLogger("sws.test").exception("insert failed")
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream_handler.formatter.format(records[-1])
    assert "ValueError" in line and "insert failed" in line
    assert "120113198001011234" not in line and "13820135678" not in line
