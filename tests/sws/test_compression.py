"""Pages go out gzipped to browsers that take it (a phone on a slow link: docs/performance.md, Lighthouse)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_browser_that_takes_it(client):
    response = client.get("/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "登录" in gzip.decompress(response.content).decode()


def test_a_page_is_plain_for_a_client_that_does_not(client):
    response = client.get("/login/")
    assert not response.has_header("Content-Encoding")
    assert "登录" in response.content.decode()
