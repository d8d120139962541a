"""The API over HTTP: keys (hashed, scoped, expired, revoked), every call logged, work orders in and out,
errors in both languages, no session path in."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from hotline.models import ApiCall, ApiKey, WorkOrder
from residents.models import Request
from tests.hotline.conftest import order_data

URL = "/api/v1/work-orders/"


def api(key):
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key.plain}")


def test_a_key_is_stored_only_as_a_digest(city_key):
    stored = ApiKey.objects.get(pk=city_key.pk)
    secret = city_key.plain.split("_", 2)[2]
    assert secret not in (stored.secret_digest, stored.key_id, stored.callback_secret)
    assert ApiKey.authenticate(city_key.plain) == stored
    assert ApiKey.authenticate(city_key.plain + "x") is None


def test_posting_an_order_creates_it_and_logs_the_call_with_the_keys_name(city_key, guoyuan):
    response = api(city_key).post(URL, order_data(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ticket_no"] == "GD20261203001" and body["state"] == "received"
    assert body["reference"] == WorkOrder.objects.get().request.reference
    call = ApiCall.objects.get()
    assert (call.key_name, call.method, call.path, call.status) == ("天津市12345热线", "POST", URL, 201)


def test_the_same_ticket_posted_again_answers_200_with_the_first_order(city_key, guoyuan):
    client = api(city_key)
    first = client.post(URL, order_data(), content_type="application/json")
    again = client.post(URL, order_data(content="又一次"), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Request.objects.count() == 1


def test_a_malformed_order_is_a_400_with_field_errors_in_chinese_and_english(city_key, guoyuan):
    response = api(city_key).post(
        URL, order_data(category_code="nope", received_at="x"), content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]["en"] == "The order is invalid."
    assert body["errors"]["category_code"] == [
        {"zh": "未知的热线分类代码。", "en": "Unknown hotline category code."}
    ]
    assert "received_at" in body["errors"]
    assert not WorkOrder.objects.exists() and not Request.objects.exists()


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null", '{"ticket_no": 5}'])
def test_bodies_that_are_not_an_order_are_400s(city_key, guoyuan, payload):
    response = api(city_key).post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_no_key_a_wrong_key_an_expired_key_and_a_revoked_key_are_401(city_key, guoyuan, admin_user):
    cases = [Client(), Client(HTTP_AUTHORIZATION="Api-Key sws_nope_nope")]
    expired, expired_plain = ApiKey.issue(name="过期", expires_at=timezone.now() - datetime.timedelta(days=1))
    revoked, revoked_plain = ApiKey.issue(name="吊销")
    ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    cases += [Client(HTTP_AUTHORIZATION=f"Api-Key {p}") for p in (expired_plain, revoked_plain)]
    logged_in = Client()
    logged_in.force_login(admin_user)  # a session opens nothing here
    cases.append(logged_in)
    for client in cases:
        response = client.post(URL, order_data(), content_type="application/json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Api-Key"
        assert response.json()["detail"]["en"] == "Missing or invalid API key."
    assert not WorkOrder.objects.exists()
    assert ApiCall.objects.filter(status=401).count() == len(cases)


def test_the_x_api_key_header_works_too(city_key, guoyuan):
    response = Client(HTTP_X_API_KEY=city_key.plain).get(URL)
    assert response.status_code == 200


def test_a_district_key_reads_and_writes_only_its_districts_orders(
    city_key, beichen_key, nankai_key, guoyuan, guangkai
):
    api(city_key).post(URL, order_data(), content_type="application/json")
    nankai_order = order_data("GD-NK-1", community_code="120104004002", address="南开区广开街道")
    assert api(city_key).post(URL, nankai_order, content_type="application/json").status_code == 201

    beichen_list = api(beichen_key).get(URL).json()
    assert [o["ticket_no"] for o in beichen_list["results"]] == ["GD20261203001"]
    assert api(beichen_key).get(f"{URL}GD-NK-1/").status_code == 404
    assert api(nankai_key).get(f"{URL}GD20261203001/").status_code == 404
    assert api(nankai_key).get(f"{URL}GD-NK-1/").status_code == 200
    # Writing: an order of the other district, and a satisfaction on another district's order.
    response = api(nankai_key).post(
        URL, order_data("GD-X", community_code="120113001009"), content_type="application/json"
    )
    assert response.status_code == 400
    response = api(nankai_key).post(
        f"{URL}GD20261203001/satisfaction/", {"satisfaction": "satisfied"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not WorkOrder.objects.filter(ticket_no="GD-X").exists()
    assert api(city_key).get(URL).json()["count"] == 2


def test_the_list_filters_by_state_and_refuses_an_unknown_one(city_key, guoyuan):
    api(city_key).post(URL, order_data(), content_type="application/json")
    assert api(city_key).get(URL, {"state": "received"}).json()["count"] == 1
    assert api(city_key).get(URL, {"state": "signed"}).json()["count"] == 0
    assert api(city_key).get(URL, {"state": "bogus"}).status_code == 400


def test_the_list_costs_the_same_queries_for_many_orders(city_key, guoyuan, django_assert_max_num_queries):
    client = api(city_key)
    for n in range(12):
        client.post(URL, order_data(f"GD-{n}"), content_type="application/json")
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 12


def test_the_schema_and_its_docs_page_are_served_without_a_cdn(db):
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/work-orders/" in schema.json()["paths"]
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower() and "//unpkg" not in page and "jsdelivr" not in page


def test_a_nul_character_is_a_field_error_not_a_server_error(city_key, guoyuan):
    """PostgreSQL cannot store NUL (found by the schema checks): refused as bad input on every backend."""
    response = api(city_key).post(URL, order_data(content="路灯\x00不亮"), content_type="application/json")
    assert response.status_code == 400 and "content" in response.json()["errors"]
    assert api(city_key).get(f"{URL}GD%00X/").status_code == 404
