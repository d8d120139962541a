"""The fallback XLSX import of work orders: the template, a dry run that writes nothing, all or nothing,
idempotent by ticket number, row-level Chinese errors naming row and column, a district's users only their
district."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hotline import work_order_import
from hotline.models import WorkOrder, WorkOrderImport
from hotline.services import receive_work_order
from residents.models import Request
from stations.audit import AuditLogEntry
from tests.hotline.conftest import order_data

URL = reverse("hotline:import")
TEMPLATE_URL = reverse("hotline:import-template")
HEADER = [header for _k, header, _e, _h in work_order_import.COLUMNS]


def row(ticket, *, received=None, community="120113001009", category="0301", content="路灯不亮。", **changes):
    received = received or (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    values = {
        "ticket_no": ticket,
        "received_at": received,
        "caller_name": "李女士",
        "caller_phone": "13912345678",
        "address": "",
        "community_code": community,
        "category_code": category,
        "content": content,
        "deadline_class": "一般",
    } | changes
    return [values[key] for key, *_ in work_order_import.COLUMNS]


def workbook(*rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, action="dry_run", name="工单.xlsx"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "action": action})


@pytest.fixture
def centre(client, district_user, hotline_setup, guoyuan):
    client.force_login(district_user)
    return client


def test_the_template_has_chinese_headers_and_an_example_that_imports(centre):
    response = centre.get(TEMPLATE_URL)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == "GD20261203001"
    notes = [[c.value for c in r] for r in book["填写说明"].iter_rows()]
    assert ["0301", "路灯照明"] in notes and ["normal", "一般"] in notes
    result = upload(centre, response.content)
    assert result.status_code == 200
    assert result.context["result"].total == 1
    assert len(result.context["result"].created) == 1
    assert not WorkOrder.objects.exists()  # a dry run


def test_a_dry_run_says_created_present_refused_and_writes_nothing(centre, district_user, city_key):
    receive_work_order(api_key_or_user=city_key, data=order_data("GD-OLD"))
    before = (WorkOrder.objects.count(), Request.objects.count())
    data = workbook(row("GD-NEW-1"), row("GD-OLD"), row("GD-BAD", category="9999"), row("GD-NEW-2"))
    response = upload(centre, data)
    result = response.context["result"]
    assert [t for _r, t, _p in result.created] == ["GD-NEW-1", "GD-NEW-2"]
    assert result.present == [(3, "GD-OLD")]
    assert [str(e) for e in result.errors] == ["第4行「热线分类代码」：未知的热线分类代码。"]
    assert not result.committed
    page = response.content.decode()
    assert "试导入结果（未保存）" in page and "第4行「热线分类代码」" in page
    assert (WorkOrder.objects.count(), Request.objects.count()) == before


def test_an_import_with_a_refused_row_saves_nothing(centre):
    data = workbook(row("GD-1"), row("GD-2", content=""), row("GD-3", received="明天"))
    response = upload(centre, data, action="commit")
    result = response.context["result"]
    assert not result.committed
    assert {(e.row, e.column) for e in result.errors} == {(3, "工单内容"), (4, "受理时间")}
    assert "未导入" in response.content.decode()
    assert not WorkOrder.objects.exists()
    assert not Request.objects.filter(channel=Request.Channel.HOTLINE).exists()


def test_an_import_commits_every_row_and_again_is_all_present(centre, guoyuan):
    data = workbook(
        row("GD-A", received=datetime.datetime(2026, 12, 1, 9, 30)),  # a date-time cell
        row("GD-B", received="2026/12/1 14:05"),
        row("GD-C", community="", address="北辰区果园新村街道旭日里8号"),  # placed by its address
        row("GD-D", community="", address="北辰区某某路100号"),  # 未能定位: the district's queue
    )
    result = upload(centre, data, action="commit").context["result"]
    assert result.committed and not result.errors
    assert len(result.created) == 4 and result.unplaced == 1
    orders = {o.ticket_no: o for o in WorkOrder.objects.all()}
    assert timezone.localtime(orders["GD-A"].received_at) == timezone.make_aware(
        datetime.datetime(2026, 12, 1, 9, 30)
    )
    assert timezone.localtime(orders["GD-B"].received_at).hour == 14
    assert orders["GD-C"].station == guoyuan  # located by the street named in its address
    assert orders["GD-D"].state == WorkOrder.State.UNPLACED
    assert Request.objects.filter(channel=Request.Channel.HOTLINE, station=guoyuan).count() == 3
    again = upload(centre, data, action="commit").context["result"]
    assert not again.created and [t for _r, t in again.present] == ["GD-A", "GD-B", "GD-C", "GD-D"]
    assert WorkOrder.objects.count() == 4


def test_a_committed_import_is_one_audit_entry_with_its_row_count(centre, district_user):
    data = workbook(row("GD-A"), row("GD-B"), row("GD-C", community="", address="北辰区某某路100号"))
    last = AuditLogEntry.objects.order_by("pk").last()
    before = last.pk if last else 0
    upload(centre, data)  # a dry run records nothing
    assert not AuditLogEntry.objects.filter(pk__gt=before).exists() and not WorkOrderImport.objects.exists()
    result = upload(centre, data, action="commit").context["result"]
    assert result.committed and WorkOrder.objects.count() == 3
    # One entry for the import, none per work order or request.
    [entry] = AuditLogEntry.objects.filter(pk__gt=before)
    record = WorkOrderImport.objects.get()
    assert entry.object_pk == str(record.pk) and entry.actor == district_user
    assert entry.additional_data == {"rows": 3, "created": 3, "present": 0}
    assert "3行" in entry.changes_dict["12345工单导入"][1]
    assert (record.rows, record.created, record.present, record.unplaced) == (3, 3, 0, 1)
    assert record.district == district_user.district and record.file_name == "工单.xlsx"
    assert not AuditLogEntry.objects.get_for_model(WorkOrder).exists()
    assert not AuditLogEntry.objects.get_for_model(Request).exists()


def test_a_refused_import_records_nothing(centre):
    before = AuditLogEntry.objects.count()
    upload(centre, workbook(row("GD-A"), row("GD-B", category="9999")), action="commit")
    assert AuditLogEntry.objects.count() == before and not WorkOrderImport.objects.exists()


def test_a_ticket_twice_in_the_file_is_refused(centre):
    result = upload(centre, workbook(row("GD-X"), row("GD-X"))).context["result"]
    assert [str(e) for e in result.errors] == ["第3行「工单编号」：与第2行的工单编号重复。"]


def test_a_district_imports_only_its_own_district(centre, hualinyuan, nankai_key):
    receive_work_order(api_key_or_user=nankai_key, data=order_data("GD-NK", community_code="120104004002"))
    data = workbook(row("GD-OTHER", community="120104004002"), row("GD-NK"), row("GD-MINE"))
    result = upload(centre, data, action="commit").context["result"]
    assert {(e.row, e.column, e.message) for e in result.errors} == {
        (2, "社区代码", "该工单不在您的辖区内，不能导入。"),
        (3, "工单编号", "该工单编号已被使用。"),  # another district's ticket: nothing of it shown
    }
    assert not result.committed
    assert set(WorkOrder.objects.values_list("ticket_no", flat=True)) == {"GD-NK"}


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_a_clear_error(centre):
    response = upload(centre, b"not a spreadsheet", name="x.xlsx")
    assert response.status_code == 400
    assert "无法读取文件" in response.content.decode()
    response = upload(centre, workbook(header=["工单编号", "内容"]))
    assert response.status_code == 400
    assert "表头缺少必填列：受理时间、热线分类代码、工单内容、时限类别" in response.content.decode()


@pytest.mark.parametrize("who", ["worker", "city_user"])
def test_station_staff_and_the_city_centre_may_not_import(client, request, who, hotline_setup):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert client.post(URL, {"file": SimpleUploadedFile("a.xlsx", workbook(row("GD-Z")))}).status_code == 403
    assert not WorkOrder.objects.exists()


def test_an_admin_may_import_for_any_district(client, admin_user, hotline_setup, guoyuan, hualinyuan):
    client.force_login(admin_user)
    data = workbook(row("GD-BC"), row("GD-NKA", community="120104004002"))
    result = upload(client, data, action="commit").context["result"]
    assert result.committed and len(result.created) == 2


def test_the_page_costs_a_bounded_number_of_queries(centre, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert centre.get(URL).status_code == 200


def _staged_token(response):
    import re

    found = re.search(r'name="staged" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else None


def test_a_passed_dry_run_is_imported_without_choosing_the_file_again(centre):
    dry = upload(centre, workbook(row("GD-S1"), row("GD-S2")))
    token = _staged_token(dry)
    assert token and "确认导入这份文件（2行）" in dry.content.decode() and not WorkOrder.objects.exists()
    done = centre.post(URL, {"staged": token, "action": "commit"})
    result = done.context["result"]
    assert done.status_code == 200 and result.committed and result.file_name == "工单.xlsx"
    assert sorted(WorkOrder.objects.values_list("ticket_no", flat=True)) == ["GD-S1", "GD-S2"]
    # Used once: the same token again is refused, and nothing is imported twice.
    again = centre.post(URL, {"staged": token, "action": "commit"})
    assert again.status_code == 400 and "已过期" in again.content.decode()
    assert WorkOrderImport.objects.count() == 1


def test_a_staged_file_is_the_uploaders_only(centre, admin_user):
    token = _staged_token(upload(centre, workbook(row("GD-S3"))))
    other = Client()
    other.force_login(admin_user)  # may import, but did not stage this file
    refused = other.post(URL, {"staged": token, "action": "commit"})
    assert refused.status_code == 400 and not WorkOrder.objects.exists()


def test_a_refused_dry_run_offers_no_confirmation(centre):
    dry = upload(centre, workbook(row("GD-S4"), row("GD-S5", category="9999")))
    assert _staged_token(dry) is None and "确认导入" not in dry.content.decode()
