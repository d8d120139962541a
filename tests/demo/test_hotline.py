"""The demo's 12345 work orders: in each district one rated, one returned, one extended, one overdue and
one in the district centre's 未能定位 queue; the report's stations every other state too; the requests are
the real ones (channel 12345, both limits); the demo key is printed once and only on a real run; a second
run adds nothing."""

import io
import random

import pytest

from demo import hotline as hotline_demo
from hotline.models import ApiKey, ExtensionRequest, HotlineCategory, WorkOrder
from hotline.services.receive import unplaced_for
from residents.models import Request
from tests.demo.test_residents import city  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
State = WorkOrder.State


def seed(**options):
    out = io.StringIO()
    hotline_demo.seed(options=options, rng=random.Random(7), out=out)
    return out.getvalue()


def test_every_district_has_its_orders_in_every_answer(city, district_user, other_district_user):  # noqa: F811
    output = seed()
    assert HotlineCategory.objects.filter(code="0301", category__name="照明灯具").exists()
    beichen = WorkOrder.objects.filter(district=district_user.district)
    states = sorted(beichen.values_list("state", flat=True))
    assert states == sorted(
        [
            State.CLOSED,  # signed, replied, rated
            State.RETURNED,
            State.SIGNED,  # extended, the district centre approved
            State.RECEIVED,  # overdue
            State.UNPLACED,
            State.RECEIVED,  # 果园新村: waiting to be signed
            State.SIGNED,  # being handled
            State.REPLIED,  # awaiting the hotline's call
            State.EXTENSION_REQUESTED,  # awaiting the district's decision
        ]
    )
    rated = beichen.get(state=State.CLOSED)
    assert rated.satisfaction and rated.request.status == Request.Status.CLOSED
    assert beichen.get(state=State.RETURNED).return_reason
    approved = ExtensionRequest.objects.get(work_order__district=district_user.district, state="approved")
    assert approved.decided_by == district_user
    assert ExtensionRequest.objects.filter(
        work_order__district=district_user.district, state="pending"
    ).exists()
    assert any(o.is_reply_overdue and o.is_sign_overdue for o in beichen.filter(state=State.RECEIVED))
    assert list(unplaced_for(district_user)) == [beichen.get(state=State.UNPLACED)]
    placed = beichen.exclude(state=State.UNPLACED)
    assert all(o.request.channel == Request.Channel.HOTLINE for o in placed.exclude(state=State.RETURNED))
    assert all(o.request.due_at == o.reply_due_at for o in placed.filter(state=State.RECEIVED))
    # 南开区 (广开街道, a report's station): the same, without the pending extension.
    assert WorkOrder.objects.filter(district=other_district_user.district).count() == 8
    assert "12345工单：17 张" in output


def test_the_key_is_printed_once_on_a_real_run_and_a_second_run_adds_nothing(city):  # noqa: F811
    output = seed()
    key = ApiKey.objects.get(name=hotline_demo.KEY_NAME)
    [plain] = [line.split("：", 1)[1] for line in output.splitlines() if line.startswith("演示接口密钥")]
    assert ApiKey.authenticate(plain) == key and key.district is None and not key.callback_url
    before = WorkOrder.objects.count()
    again = seed()
    assert WorkOrder.objects.count() == before and ApiKey.objects.count() == 1
    assert "演示接口密钥" not in again and "不再新增" in again


def test_a_dry_run_prints_no_key(city):  # noqa: F811
    assert "演示接口密钥" not in seed(dry_run=True)
