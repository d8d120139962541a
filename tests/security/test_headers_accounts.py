"""Headers and cookies of issue 14: Permissions-Policy, the language cookie, X-Forwarded-For only from
our own proxies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from residents.views_public import client_address
from stations.audit import client_ip

DENIED = (
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "display-capture",
    "serial",
    "bluetooth",
    "accelerometer",
    "gyroscope",
    "magnetometer",
)


def test_every_page_denies_the_powerful_browser_features(client, worker):
    for response in (client.get("/login/"), client.get("/r/status/")):
        policy = response.headers["Permissions-Policy"]
        features = dict(item.strip().split("=", 1) for item in policy.split(","))
        for feature in DENIED:
            assert features[feature] == "()", feature
    client.force_login(worker)
    assert "camera=()" in client.get("/").headers["Permissions-Policy"]


@pytest.mark.django_db
def test_the_language_cookie_is_http_only_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    cookie = response.cookies["django_language"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_in_production_the_language_cookie_is_secure():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "LANGUAGE_COOKIE_SECURE")
    } | {"DEBUG": "false", "SECRET_KEY": "x" * 50, "PERSONAL_DATA_KEY": "k" * 40}
    code = "import sws.settings as s; print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_a_client_reaching_the_app_port_directly_cannot_forge_its_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    direct = rf.get("/", REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(direct) == "198.51.100.20"
    assert client_address(direct) == "198.51.100.20"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(proxied) == "203.0.113.9"
    assert client_address(proxied) == "203.0.113.9"
    local = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert client_ip(local) == "203.0.113.10"


def test_a_forged_address_does_not_reach_the_login_records(client, settings, worker):
    from axes.models import AccessFailureLog

    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/login/",
        {"username": worker.username, "password": "wrong-Password-1"},
        REMOTE_ADDR="198.51.100.20",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert AccessFailureLog.objects.get(username=worker.username).ip_address == "198.51.100.20"
