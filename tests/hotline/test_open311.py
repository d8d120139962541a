"""Open311 GeoReport v2: what a standard client expects (the standard's field names, JSON lists, its
error format), and no more than the public status page shows."""

import pytest
from django.core.cache import cache
from django.test import Client

from residents.models import Category, Request
from tests.factories import make_request


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()  # the public lookup's per-client limit, counted in the cache
    yield
    cache.clear()


@pytest.fixture
def request_of_guoyuan(guoyuan, chaoyangli, worker):
    return make_request(guoyuan, chaoyangli, description="楼道灯坏了", reporter_name="张桂兰")


def public_id(request):
    return f"{request.reference}-{request.lookup_code}"


def test_services_lists_our_categories_in_the_standards_fields(db, hotline_setup):
    response = Client().get("/open311/v2/services.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    services = response.json()
    assert services, "the default categories"
    for service in services:
        assert set(service) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert service["metadata"] is False and service["type"] == "realtime"
    assert "照明灯具" in {s["service_name"] for s in services}


def test_a_request_is_read_by_its_public_id_with_the_public_facts_only(request_of_guoyuan):
    response = Client().get(f"/open311/v2/requests/{public_id(request_of_guoyuan)}.json")
    assert response.status_code == 200
    [found] = response.json()
    assert found["service_request_id"] == public_id(request_of_guoyuan)
    assert found["status"] == "open" and found["status_notes"] == "已收到，等待社工研判。"
    assert found["requested_datetime"].startswith(str(request_of_guoyuan.received_at.year))
    # Never who, what or where: the standard's other fields are there, empty.
    for withheld in ("description", "address", "lat", "long", "service_name", "agency_responsible"):
        assert found[withheld] is None
    assert "张桂兰" not in response.content.decode() and "楼道灯" not in response.content.decode()


def test_a_reference_without_its_lookup_code_is_a_404_like_a_missing_one(request_of_guoyuan):
    client = Client()
    for wrong in (request_of_guoyuan.reference, f"{request_of_guoyuan.reference}-AAAAAA", "nothing"):
        response = client.get(f"/open311/v2/requests/{wrong}.json")
        assert response.status_code == 404
        assert response.json() == [{"code": 404, "description": "未找到该诉求。Not found."}]


def test_requests_json_answers_the_ids_asked_for_and_lists_nothing_publicly(request_of_guoyuan):
    client = Client()
    assert client.get("/open311/v2/requests.json").json() == []
    ids = f"{public_id(request_of_guoyuan)},{request_of_guoyuan.reference}-ZZZZZZ"
    answered = client.get("/open311/v2/requests.json", {"service_request_id": ids}).json()
    assert [r["service_request_id"] for r in answered] == [public_id(request_of_guoyuan)]


def test_guessing_ids_is_rate_limited(request_of_guoyuan, settings):
    settings.PUBLIC_RATE_LIMITS = {"status": (3, 600)}
    client = Client()
    answers = [
        client.get(f"/open311/v2/requests/{request_of_guoyuan.reference}-{n:06d}.json").status_code
        for n in range(5)
    ]
    assert answers[:3] == [404, 404, 404] and answers[3:] == [429, 429]


def test_posting_a_request_needs_an_api_key_and_answers_its_public_id(city_key, guoyuan, chaoyangli):
    category = Category.objects.get(name="照明灯具")
    form = {
        "service_code": str(category.pk),
        "description": "小区路灯不亮",
        "address_string": "北辰区果园新村街道朝阳里3号楼",
        "first_name": "桂兰",
        "last_name": "张",
        "phone": "13820135678",
    }
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/open311/v2/requests.json", form)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    assert not Request.objects.exists()
    response = client.post("/open311/v2/requests.json", {**form, "api_key": city_key.plain})
    assert response.status_code == 201, response.content
    [answer] = response.json()
    created = Request.objects.get()
    assert answer["service_request_id"] == public_id(created)
    assert (created.community, created.category, created.reporter_name) == (chaoyangli, category, "张桂兰")
    # Recorded as 网上提交 (another system's submission), not 扫码 (our own QR page).
    assert created.channel == Request.Channel.ONLINE
    # The client reads it back by the id it was given.
    assert Client().get(f"/open311/v2/requests/{answer['service_request_id']}.json").status_code == 200


@pytest.mark.parametrize(
    "changes",
    [{"service_code": "999999"}, {"description": ""}, {"address_string": "火星"}, {"phone": "12"}],
)
def test_a_bad_post_is_a_400_in_the_standards_format_and_saves_nothing(city_key, guoyuan, changes):
    form = {
        "api_key": city_key.plain,
        "service_code": str(Category.objects.get(name="照明灯具").pk),
        "description": "路灯不亮",
        "address_string": "北辰区果园新村街道朝阳里",
        **changes,
    }
    response = Client().post("/open311/v2/requests.json", form)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"]
    assert not Request.objects.exists()


def test_only_json_is_served(request_of_guoyuan):
    assert Client().get("/open311/v2/services.xml").status_code == 404
