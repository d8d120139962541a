"""Importing the 台账 in a browser: upload, the job's page with its result, then 确认导入 of the checked file;
on a 375 px phone (no sideways scroll, no accessibility faults) and on a 1440 px desktop without
JavaScript (the form and the job's page work as plain pages)."""

import pytest

from residents.models import RegistryImportJob, Resident
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.residents.care_factories import ensure_care_defaults
from tests.residents.factories import id_number
from tests.residents.test_registry_import import book, row

IMPORT = "/residents/import/"


@pytest.fixture
def upload(tmp_path):
    ensure_care_defaults()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        book(row("张桂兰", id_number(seq=2)), row("王建华", id_number(seq=3), community="不存在社区"))
    )
    good = tmp_path / "台账-改.xlsx"
    good.write_bytes(book(row("张桂兰", id_number(seq=2)), row("王建华", id_number(seq=3))))
    return path, good


def _import(page, client, worker, files, width):
    bad, good = files
    log_in_quickly(page, client, worker)
    page.goto(IMPORT)
    page.get_by_label("台账文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="试导入（不保存）").click()
    page.get_by_text("第3行「社区」").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.get_by_role("button", name="确认导入（按本次试导入的文件）").count() == 0
    page.goto(IMPORT)
    page.get_by_label("台账文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="试导入（不保存）").click()
    page.get_by_text("试导入结果（未保存）").wait_for()
    assert not Resident.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    return page


def test_importing_on_a_phone(phone, worker, chaoyangli, client, upload):
    page = _import(phone, client, worker, upload, 375)
    check_a11y(page)
    shoot(page, "registry-import-dry-run")
    page.get_by_role("button", name="确认导入（按本次试导入的文件）").click()
    page.get_by_text("导入完成").wait_for()
    assert Resident.objects.count() == 2
    page.goto(IMPORT)
    page.get_by_text("我最近的导入").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(page)


def test_importing_on_a_desktop_without_javascript(desktop_nojs, worker, chaoyangli, client, upload):
    page = _import(desktop_nojs, client, worker, upload, 1440)
    page.get_by_role("button", name="确认导入（按本次试导入的文件）").click()
    page.get_by_text("导入完成").wait_for()
    assert Resident.objects.count() == 2
    assert RegistryImportJob.objects.filter(status="done", mode="commit").count() == 1
