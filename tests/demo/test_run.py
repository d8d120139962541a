"""Running the demo: a busy port fails before anything is seeded, the seeder prints the real address,
403s log one quiet line, a 404 with DEBUG on is still the Chinese page, and posters warn when their QR
code would point residents' phones at an address they cannot reach."""

import logging
import re
import socket
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import URLResolver, reverse

from demo import stations as stations_demo

ROOT = Path(__file__).resolve().parents[2]


# --- the port, checked first --------------------------------------------------------------------------
def test_a_busy_port_is_refused_with_a_clear_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError) as refused:
            call_command("check_demo_port", f"127.0.0.1:{port}")
    message = str(refused.value)
    assert f"127.0.0.1:{port}" in message and "已被占用" in message
    assert f"HOST=127.0.0.1:{port + 1} make demo" in message


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = StringIO()
    call_command("check_demo_port", str(port), stdout=out)  # a bare port means 127.0.0.1, as runserver
    assert f"http://127.0.0.1:{port}/" in out.getvalue()


def test_make_demo_checks_the_port_before_it_migrates_or_seeds():
    """`make -n` prints the recipe without running it: the check comes first, the seeder is told the
    address, and runserver uses the same HOST."""
    recipe = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "demo", "HOST=127.0.0.1:8123", "VENV=/nonexistent"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in recipe.splitlines() if "manage.py" in line]
    assert "check_demo_port 127.0.0.1:8123" in lines[0]
    assert "migrate" in lines[1]
    assert "seed_demo" in lines[2] and "--address 127.0.0.1:8123" in lines[2]
    assert "runserver 127.0.0.1:8123" in lines[3]


def test_the_readme_documents_host():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"HOST=[\d.]+:\d+ make demo", readme)


@pytest.mark.parametrize(
    "host, address",
    [
        ("127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("8002", "http://127.0.0.1:8002"),
        ("0.0.0.0:8003", "http://127.0.0.1:8003"),
    ],
)
def test_the_seeder_prints_the_address_it_will_serve(db, host, address):
    out = StringIO()
    stations_demo.print_accounts(options={"password": "x", "address": host}, out=out)
    text = out.getvalue()
    assert f"{address}/login/" in text and f"{address}/admin/" in text
    if not host.endswith("8000"):
        assert ":8000" not in text


# --- 403: one line, no traceback ------------------------------------------------------------------------
def test_a_403_is_logged_as_one_line_without_a_traceback(client, worker, beichen, caplog):
    client.force_login(worker)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("dashboards:district", args=[beichen.pk]))
    assert response.status_code == 403
    records = [
        r for r in caplog.records if r.name == "django.request" and getattr(r, "status_code", 0) == 403
    ]
    assert len(records) == 1
    assert records[0].exc_info is None and not records[0].exc_text
    assert "\n" not in logging.Formatter().format(records[0])


def test_a_500_still_logs_its_traceback(caplog):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            logging.getLogger("django.request").exception(
                "Internal Server Error: /", extra={"status_code": 500}
            )
    assert caplog.records[-1].exc_info is not None


# --- 404 with DEBUG on: the project's page ----------------------------------------------------------
def test_with_debug_on_a_missing_page_is_the_chinese_404(client, settings, worker):
    settings.DEBUG = True
    client.force_login(worker)
    for url in ("/no-such-page/", "/stations/999999999/"):  # no URL matches; a view's Http404
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "未找到该页面" in html and "Page not found" not in html


def test_with_debug_on_a_found_page_is_resolved_once(client, settings, worker, monkeypatch):
    """The 404 page costs nothing on the pages that are found: the URL is resolved by Django alone."""
    settings.DEBUG = True
    client.force_login(worker)
    resolved = []
    resolve = URLResolver.resolve

    def counting(self, path):
        if path.startswith("/"):  # the root resolver; included ones see the rest of the path
            resolved.append(path)
        return resolve(self, path)

    monkeypatch.setattr(URLResolver, "resolve", counting)
    assert client.get(reverse("residents:request-queue")).status_code == 200
    assert resolved == [reverse("residents:request-queue")]


def test_with_debug_on_a_missing_slash_still_redirects(client, settings, worker):
    settings.DEBUG = True
    client.force_login(worker)
    assert client.get("/login").status_code == 301


def test_developers_may_ask_for_the_technical_404(client, settings, worker):
    settings.DEBUG = True
    settings.TECHNICAL_404 = True
    client.force_login(worker)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- posters: an address residents' phones cannot reach ---------------------------------------------
UNREACHABLE = "二维码指向的地址居民手机无法访问"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "192.168.1.20", "10.2.3.4:8080"])
def test_posters_warn_about_a_loopback_or_intranet_host(client, settings, worker, chaoyangli, host):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = ""
    client.force_login(worker)
    for url in (reverse("public:poster-list"), reverse("public:poster", args=[chaoyangli.code])):
        html = client.get(url, HTTP_HOST=host).content.decode()
        assert UNREACHABLE in html and "PUBLIC_BASE_URL" in html, (url, host)


def test_posters_do_not_warn_with_a_public_base_url_or_a_public_host(client, settings, worker, chaoyangli):
    settings.ALLOWED_HOSTS = ["*"]
    client.force_login(worker)
    url = reverse("public:poster", args=[chaoyangli.code])
    settings.PUBLIC_BASE_URL = "https://sws.tj.example.cn/"
    assert UNREACHABLE not in client.get(url, HTTP_HOST="127.0.0.1:8000").content.decode()
    settings.PUBLIC_BASE_URL = ""
    assert UNREACHABLE not in client.get(url, HTTP_HOST="sws.tj.example.cn").content.decode()
