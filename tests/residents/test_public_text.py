"""15.5: the public form keeps the resident's text as written (Chinese punctuation, full-width forms);
only the phone number is normalised."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from residents.models import Request, Severity, Urgency
from tests.residents.public_fixtures import intake_payload, make_category


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_chinese_punctuation_is_kept_and_the_phone_is_normalised(chaoyangli):
    care = make_category("生活照料", Severity.MILD, Urgency.NOT_URGENT)
    text = "楼道灯坏了，晚上看不见！能否请物业（或社工）帮忙？谢谢：３号楼２单元"
    response = Client().post(
        reverse("public:intake", args=[chaoyangli.code]),
        intake_payload(
            care,
            description=text,
            reporter_name="张阿姨（３号楼）",
            reporter_phone="１３８ １２３４ ５６７８",
        ),
    )
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.description == text
    assert request.reporter_name == "张阿姨（３号楼）"
    assert request.reporter_phone == "13812345678"


def test_control_characters_are_still_dropped(chaoyangli):
    care = make_category("生活照料", Severity.MILD, Urgency.NOT_URGENT)
    Client().post(
        reverse("public:intake", args=[chaoyangli.code]),
        intake_payload(care, description="  门锁坏了，\x07请帮忙。\u200b  "),
    )
    assert Request.objects.get().description == "门锁坏了，请帮忙。"
