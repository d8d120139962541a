"""The HTTP channels against a fake provider on 127.0.0.1: what they send, how failures are sorted, logs."""

import hashlib
import hmac
import json
import logging

import pytest

from notifications.channels import Outgoing, PermanentError, RetryableError, get_channel
from notifications.channels.sms import ConsoleSmsBackend, FileSmsBackend, HttpSmsBackend
from notifications.channels.wecom import WeComBackend

BODY = "您的诉求已登记，编号 BC-2026-0001。"
MESSAGE = Outgoing(key="evt-9:r1", address="13820135678", body=BODY, template_code="request_registered")


def test_sms_backend_setting_picks_the_backend(settings):
    for name, backend in [("file", FileSmsBackend), ("console", ConsoleSmsBackend), ("http", HttpSmsBackend)]:
        settings.SMS_BACKEND = name
        assert type(get_channel("sms")) is backend
    settings.SMS_BACKEND = "notifications.channels.sms.ConsoleSmsBackend"
    assert type(get_channel("sms")) is ConsoleSmsBackend
    assert type(get_channel("wecom")) is WeComBackend


def test_the_http_adapter_posts_signed_json_with_the_key_as_idempotency_key(gateway):
    assert HttpSmsBackend().send(MESSAGE) == "m-evt-9:r1"
    [(path, headers, payload, _query)] = gateway.received
    assert path == "/sms"
    assert payload == {
        "phone": "13820135678",
        "sign_name": "社工站",
        "template": "request_registered",
        "content": BODY,
        "out_id": "evt-9:r1",
    }
    assert headers["Idempotency-Key"] == "evt-9:r1"
    assert headers["X-Api-Key"] == "key-1"
    sent = json.dumps(payload, ensure_ascii=False).encode()
    expected = hmac.new(b"secret-1", headers["X-Timestamp"].encode() + b"\n" + sent, hashlib.sha256)
    assert headers["X-Signature"] == expected.hexdigest()


def test_a_repeat_of_a_key_reaches_the_provider_once(gateway):
    HttpSmsBackend().send(MESSAGE)
    HttpSmsBackend().send(MESSAGE)
    assert list(gateway.delivered) == ["evt-9:r1"]
    assert gateway.repeats["evt-9:r1"] == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_server_errors_and_rate_limits_are_retryable(gateway, status):
    gateway.fail_with = [status]
    with pytest.raises(RetryableError, match=f"HTTP {status}"):
        HttpSmsBackend().send(MESSAGE)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_other_client_errors_are_permanent(gateway, status):
    gateway.fail_with = [status]
    with pytest.raises(PermanentError, match=f"HTTP {status}"):
        HttpSmsBackend().send(MESSAGE)


def test_a_slow_provider_is_a_retryable_timeout(gateway, settings):
    settings.SMS_HTTP_TIMEOUT = 0.2
    gateway.delay = 1.0
    with pytest.raises(RetryableError, match="超时"):
        HttpSmsBackend().send(MESSAGE)


def test_no_provider_listening_is_retryable(settings):
    settings.SMS_HTTP_URL, settings.SMS_HTTP_KEY, settings.SMS_HTTP_SECRET = (
        "http://127.0.0.1:9/sms",
        "k",
        "s",
    )
    with pytest.raises(RetryableError, match="无法连接"):
        HttpSmsBackend().send(MESSAGE)


def test_an_unconfigured_gateway_is_permanent(settings):
    settings.SMS_HTTP_URL = ""
    with pytest.raises(PermanentError, match="短信网关未配置"):
        HttpSmsBackend().send(MESSAGE)


def test_logs_carry_the_masked_number_and_never_the_text(gateway, caplog, tmp_path, settings):
    settings.SMS_FILE_DIR = str(tmp_path)
    with caplog.at_level(logging.INFO):
        HttpSmsBackend().send(MESSAGE)
        FileSmsBackend().send(MESSAGE)
        ConsoleSmsBackend().send(MESSAGE)
    assert caplog.text.count("138****5678") == 3
    assert "13820135678" not in caplog.text
    assert "BC-2026-0001" not in caplog.text and "诉求" not in caplog.text


def test_wecom_fetches_a_token_once_and_sends_a_text_message(gateway, locmem_cache):
    message = Outgoing(key="evt-9:u7", address="XuPengZe", body="新的扫码诉求：BC-2026-0001")
    assert WeComBackend().send(message).startswith("wx")
    WeComBackend().send(message)
    paths = [r[0] for r in gateway.received]
    assert paths == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]
    assert gateway.received[0][3] == {"corpid": ["corp"], "corpsecret": ["corp-secret"]}
    _path, _headers, payload, query = gateway.received[1]
    assert query == {"access_token": ["T1"]}
    assert payload == {
        "touser": "XuPengZe",
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "新的扫码诉求：BC-2026-0001"},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 1800,
    }


def test_wecom_drops_an_expired_token_and_retries_later_with_a_new_one(gateway, locmem_cache):
    gateway.wecom_errcodes = [42001]
    message = Outgoing(key="k", address="XuPengZe", body="…")
    with pytest.raises(RetryableError, match="42001"):
        WeComBackend().send(message)
    WeComBackend().send(message)
    assert gateway.tokens_issued == 2
    assert gateway.received[-1][3] == {"access_token": ["T2"]}


def test_wecom_refusing_the_user_is_permanent(gateway, locmem_cache):
    gateway.wecom_errcodes = [81013]  # user invalid
    with pytest.raises(PermanentError, match="81013"):
        WeComBackend().send(Outgoing(key="k", address="nobody", body="…"))


@pytest.fixture
def locmem_cache():
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()
