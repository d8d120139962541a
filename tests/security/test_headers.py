"""Response headers: a strict Content-Security-Policy everywhere, no framing, and Cache-Control:
no-store on everything a logged-in user gets and on the personal-data prefixes."""

import pytest


def csp(response):
    return response["Content-Security-Policy"]


def directives(response):
    return dict(part.strip().split(" ", 1) for part in csp(response).split(";") if part.strip())


@pytest.mark.django_db
def test_the_login_page_has_a_strict_csp(client):
    response = client.get("/login/")
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp(response) and "'unsafe-eval'" not in csp(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_logged_in_pages_have_the_csp_and_no_store(client, worker):
    client.force_login(worker)
    response = client.get("/account/two-factor/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in csp(response)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_auditors_pages_are_not_stored(client, auditor):
    client.force_login(auditor)
    assert "no-store" in client.get("/audit/access/")["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/residents/", "/residents/1/", "/r/"])
def test_personal_data_prefixes_are_never_stored_even_anonymous(client, url):
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]


def test_a_residents_page_for_its_worker_is_not_stored(client, worker, chaoyangli):
    from tests.security.conftest import make_resident

    resident = make_resident(chaoyangli)
    client.force_login(worker)
    response = client.get(f"/residents/{resident.pk}/")
    assert response.status_code in (200, 404)  # the residents views are another engineer's
    assert "no-store" in response["Cache-Control"]
