"""The visit log and the registry exported: the page's filters, masking, the access record, scope."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from residents import care
from stations.audit import PersonalDataAccess
from tests.residents.care_factories import enrol
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] in ("探访日期", "姓名")))
    return [dict(zip(rows[header], r, strict=False)) for r in rows[header + 1 :]]


@pytest.fixture
def visits(chaoyangli, worker, worker2):
    mine = make_resident(chaoyangli, name="孙桂兰")
    theirs = make_resident(chaoyangli, name="王秀英")
    minor = make_resident(
        chaoyangli, name="李小明", birth_date=timezone.localdate() - datetime.timedelta(days=3650)
    )
    for resident, user in ((mine, worker), (theirs, worker2), (minor, worker)):
        enrol(resident, user)
        care.log_visit(acting_user=user, resident=resident, health="血压偏高")
    return mine, theirs, minor


def test_the_visit_log_export_follows_the_page_and_masks(client, worker2, worker, visits):
    client.force_login(worker2)  # a worker without the sensitive permission
    url = reverse("exports:list", args=["visits", "xlsx"])
    mine_only = sheet_rows(client.get(url, {"who": "mine"}))
    assert [r["居民"] for r in mine_only] == ["王秀英"]  # the page's 我负责的
    rows = sheet_rows(client.get(url))
    by_name = {r["居民"]: r for r in rows}
    assert set(by_name) == {"孙桂兰", "王秀英", "李**"}
    assert not by_name["李**"]["身体状况"] and by_name["孙桂兰"]["身体状况"] == "血压偏高"
    assert by_name["孙桂兰"]["风险等级"] == "一级"
    assert PersonalDataAccess.objects.filter(user=worker2, action="export").exists()


def test_the_visit_log_export_is_scoped(client, other_worker, visits):
    client.force_login(other_worker)
    assert sheet_rows(client.get(reverse("exports:list", args=["visits", "xlsx"]), {"who": "station"})) == []


def test_a_bad_date_filter_exports_nothing(client, worker, visits):
    client.force_login(worker)
    response = client.get(reverse("exports:list", args=["visits", "csv"]), {"visited_from": "not-a-date"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("residents:visit-due"))


def test_the_registry_export_carries_the_tier(client, worker, visits):
    client.force_login(worker)
    rows = sheet_rows(client.get(reverse("exports:list", args=["residents", "xlsx"])))
    assert {r["姓名"]: r["风险等级"] for r in rows}["孙桂兰"] == "一级"
