"""15.1 in a real browser: the resident edit form's <input type="date"> shows the stored birth date, so
saving without touching it keeps it (a zh-hans 1948/05/01 was rejected by Chromium and sent back empty)."""

import datetime

from django.urls import reverse

from residents.models import Resident
from tests.e2e.browser import log_in_quickly
from tests.residents.factories import make_resident


def test_saving_a_resident_without_touching_the_birth_date_keeps_it(desktop, client, worker, chaoyangli):
    elder = make_resident(
        chaoyangli, name="赵玉兰", birth_date=datetime.date(1948, 5, 1), gender="F", address="朝阳里1号楼"
    )
    log_in_quickly(desktop, client, worker)
    edit = reverse("residents:resident-edit", args=[elder.pk])

    desktop.goto(edit)
    assert desktop.locator("input[name=birth_date]").input_value() == "1948-05-01"
    desktop.locator("input[name=address]").fill("朝阳里2号楼")
    desktop.get_by_role("button", name="保存").click()
    desktop.wait_for_load_state()
    assert "居民信息已保存" in desktop.locator(".messages").inner_text()

    elder = Resident.objects.get(pk=elder.pk)
    assert elder.birth_date == datetime.date(1948, 5, 1) and elder.address == "朝阳里2号楼"
    assert "出生日期" not in elder.events.get(kind="updated").text

    desktop.goto(edit)  # reopened: still there
    assert desktop.locator("input[name=birth_date]").input_value() == "1948-05-01"
