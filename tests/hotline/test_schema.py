"""Property-based checks of the API against its own OpenAPI schema (schemathesis, in-process over WSGI):
for requests generated from /api/schema/, valid and malformed, the API never answers 500 and every answer
matches what the schema says (status code, content type, body).

Each operation's strategy is drawn with Hypothesis directly (schemathesis's own pytest plugin does not run
under pytest 9). Deterministic in CI: the Hypothesis profile "ci" (tests/conftest.py,
HYPOTHESIS_PROFILE=ci) draws the same examples on every run. Example counts are modest: four operations.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hotline.conftest import order_data

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("GET", "/api/v1/work-orders/"),
    ("POST", "/api/v1/work-orders/"),
    ("GET", "/api/v1/work-orders/{ticket_no}/"),
    ("POST", "/api/v1/work-orders/{ticket_no}/satisfaction/"),
]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_schema(db, city_key, guoyuan):
    from hotline.services import receive_work_order

    # A placed order, so that a generated ticket number sometimes finds one.
    receive_work_order(api_key_or_user=city_key, data=order_data("GD-SCHEMA"))
    # The WSGI handler closes the database connection after each request (request_finished), which
    # would end the test's transaction on PostgreSQL; Django's test client does the same as here.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_schema_names_every_operation(api_schema):
    found = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("method,path", OPERATIONS)
def test_the_api_keeps_to_its_schema(api_schema, city_key, method, path, mode):
    operation = api_schema[path][method]
    # Uncompressed: schemathesis's WSGI transport asks for gzip (as requests does) and does not decode it.
    headers = {"Authorization": f"Api-Key {city_key.plain}", "Accept-Encoding": "identity"}

    @SETTINGS
    @given(st.data())
    def check(data):
        case = data.draw(operation.as_strategy(generation_mode=mode))
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_without_a_key_every_operation_is_a_documented_401(api_schema, method, path):
    operation = api_schema[path][method]

    @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        case = data.draw(operation.as_strategy())
        response = case.call()
        assert response.status_code == 401
        case.validate_response(response, checks=CHECKS)

    check()


def test_the_docs_page_needs_no_inline_style_the_csp_would_block(client, settings):
    """drf-spectacular's page carries an inline <style>, refused by style-src 'self' (a console error in
    the browser); ours takes the same rules from a static file."""
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and "<style" not in html
    assert "css/swagger.css" in html and 'id="swagger-ui"' in html
    assert "'unsafe-inline'" not in page.get("Content-Security-Policy", "")
