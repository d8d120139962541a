"""The hotline's cast: its categories and deadline classes, keys (city, 北辰区, 南开区), an order's data."""

import datetime

import pytest
from django.utils import timezone

from hotline.models import ApiKey, DeadlineRule, HotlineCategory
from tests import factories as f


@pytest.fixture
def hotline_setup(db):
    category = f.category("照明灯具")
    HotlineCategory.objects.create(code="0301", name="路灯照明", category=category)
    # The seeded defaults (hotline/migrations/0002), set again: a transactional test may have flushed them.
    DeadlineRule.objects.update_or_create(
        deadline_class="normal",
        defaults={
            "name": "一般",
            "sign_within_minutes": 120,
            "reply_within_working_days": 5,
            "urgent": False,
        },
    )
    DeadlineRule.objects.update_or_create(
        deadline_class="urgent",
        defaults={"name": "紧急", "sign_within_minutes": 30, "reply_within_working_days": 1, "urgent": True},
    )
    return category


@pytest.fixture
def city_key(hotline_setup):
    key, plain = ApiKey.issue(name="天津市12345热线", callback_url="http://127.0.0.1:9/callback")
    key.plain = plain
    return key


@pytest.fixture
def beichen_key(hotline_setup, beichen):
    key, plain = ApiKey.issue(name="北辰区热线分中心", district=beichen)
    key.plain = plain
    return key


@pytest.fixture
def nankai_key(hotline_setup, nankai):
    key, plain = ApiKey.issue(name="南开区热线分中心", district=nankai)
    key.plain = plain
    return key


def order_data(ticket_no="GD20261203001", **changes):
    received = timezone.localtime(timezone.now()) - datetime.timedelta(minutes=5)
    data = {
        "ticket_no": ticket_no,
        "received_at": received.isoformat(),
        "caller_name": "张先生",
        "caller_phone": "13812345678",
        "address": "北辰区果园新村街道朝阳里5号楼",
        "community_code": "120113001009",
        "category_code": "0301",
        "content": "5号楼门前路灯不亮已一周。",
        "deadline_class": "normal",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
