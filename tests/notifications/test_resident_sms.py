"""Residents hear back by SMS when they gave a mobile number and agreed (item 7): the reference when the
request is registered, the lookup address when it is resolved; nothing else of the request."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from notifications.models import OutboxMessage
from residents import services
from residents.models import Request
from tests.factories import category
from tests.residents.public_fixtures import intake_payload, make_category

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
DESCRIPTION = "楼道灯坏了一个星期，晚上上下楼看不见。"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def submit(community, **overrides):
    care = make_category("生活照料")
    response = Client().post(
        reverse("public:intake", args=[community.code]), intake_payload(care, **overrides)
    )
    assert response.status_code == 302
    return Request.objects.latest("pk")


def resident_texts():
    return list(
        OutboxMessage.objects.filter(recipient_user=None).values_list("template_code", "address", "body")
    )


def test_the_qr_form_offers_the_sms_consent(chaoyangli):
    make_category("生活照料")
    html = Client().get(reverse("public:intake", args=[chaoyangli.code])).content.decode()
    assert 'name="sms_updates"' in html and "同意通过短信接收受理编号和办结通知" in html


@override_settings(PUBLIC_BASE_URL="https://sws.example.gov.cn")
def test_registered_with_consent_texts_the_reference_and_nothing_personal(chaoyangli):
    request = submit(chaoyangli, sms_updates="on")

    [(code, address, body)] = resident_texts()
    assert (code, address) == ("resident_registered", MOBILE)
    assert request.reference in body and "https://sws.example.gov.cn/r/status/" in body
    assert request.lookup_code in body
    for personal in ("张阿姨", DESCRIPTION, "生活照料", "朝阳里"):
        assert personal not in body
    assert request.sms_updates


def test_no_consent_no_text(chaoyangli):
    submit(chaoyangli)

    assert resident_texts() == []


def test_a_landline_gets_no_text(chaoyangli):
    submit(chaoyangli, sms_updates="on", reporter_phone="022-26391234")

    assert resident_texts() == []


def test_resolved_texts_the_lookup_address_once(chaoyangli, worker):
    request = submit(chaoyangli, sms_updates="on")
    services.start_request(acting_user=worker, request=request)
    services.resolve_request(acting_user=worker, request=request, note="已更换灯泡。")
    services.reopen_request(acting_user=worker, request=request, reason="又坏了。")
    services.resolve_request(acting_user=worker, request=request, note="已更换线路。")

    codes = [code for code, *_ in resident_texts()]
    assert codes == ["resident_registered", "resident_resolved"]
    body = resident_texts()[1][2]
    assert request.reference in body and "已更换" not in body


def test_a_hotline_request_taken_by_a_worker_texts_the_reporter_with_consent(chaoyangli, worker, guoyuan):
    lighting = category("照明灯具")
    client = Client()
    client.force_login(worker)
    response = client.post(
        reverse("residents:intake"),
        {
            "submission_token": "hotline12345",
            "mode": "reporter",
            "reporter_name": "王先生",
            "reporter_phone": "13900001234",
            "community": chaoyangli.pk,
            "channel": "hotline",
            "category": lighting.pk,
            "description": "12345转来：小区路灯不亮。",
            "severity": "mild",
            "urgency": "urgent",
            "sms_updates": "on",
        },
    )
    assert response.status_code == 302
    request = Request.objects.get()

    [(code, address, body)] = resident_texts()
    assert (code, address) == ("resident_registered", "13900001234")
    assert request.lookup_code in body  # a worker's request is looked up with its code


def test_a_registered_residents_mobile_is_used(guoyuan, chaoyangli, worker):
    resident = services.register_resident(
        acting_user=worker, name="张桂兰", phone="13700007777", community=chaoyangli
    )
    lighting = category("照明灯具")
    services.create_request(
        acting_user=worker,
        station=guoyuan,
        community=chaoyangli,
        category=lighting,
        description="灯坏了",
        severity="mild",
        urgency="urgent",
        channel=Request.Channel.PHONE,
        resident=resident,
        sms_updates=True,
    )

    assert [address for _, address, _ in resident_texts()] == ["13700007777"]
