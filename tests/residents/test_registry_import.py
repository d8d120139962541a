"""Importing the 台账 from XLSX: dry run writes nothing, one bad row commits nothing and names the row and
column, duplicates within the file and across scopes, households and statuses, the audit entry."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from residents import registry_import as ri
from residents.models import Household, HouseholdMembership, RegistryImport, Resident, SupportStatus
from stations.audit import AuditLogEntry
from tests.residents.care_factories import ensure_care_defaults
from tests.residents.factories import id_number, make_resident

pytestmark = pytest.mark.django_db
HEADER = [header for _k, header, _e, _h in ri.COLUMNS]


def book(*rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(
    name="张桂兰", id_no="", community="朝阳里社区", household="", relation="", statuses="", start="", **extra
):
    values = {
        "name": name,
        "id_number": id_no,
        "community": community,
        "household": household,
        "relation": relation,
        "statuses": statuses,
        "status_start": start,
        "address": "3号楼2门301",
        **extra,
    }
    return [values.get(key, "") for key, _h, _e, _x in ri.COLUMNS]


def plan(user, data, name="台账.xlsx"):
    ensure_care_defaults()
    return ri.plan_import(acting_user=user, rows=ri.read_rows(data), file_name=name)


def test_dry_run_says_what_would_happen_and_writes_nothing(worker, chaoyangli):
    existing = make_resident(chaoyangli, name="王建华", id_number=id_number(seq=1))
    data = book(
        row(
            "张桂兰",
            id_number(seq=2),
            household="A1",
            relation="户主",
            statuses="独居、低保",
            start="2024-01-01",
        ),
        row("王建华", id_number(seq=1), phone="13900002222"),
    )
    result = plan(worker, data)
    assert result.ok and result.total == 2
    assert [r.fields["name"] for r in result.creates] == ["张桂兰"]
    assert [r.resident for r in result.updates] == [existing]
    assert (result.statuses, result.households) == (2, 1)
    assert Resident.objects.count() == 1 and not SupportStatus.objects.exists()


def test_commit_writes_residents_households_statuses_and_one_audit_entry(worker, chaoyangli):
    existing = make_resident(chaoyangli, name="王建华", id_number=id_number(seq=1))
    data = book(
        row(
            "张桂兰",
            id_number(born=datetime.date(1944, 5, 2), seq=2),
            household="A1",
            relation="户主",
            statuses="独居、低保",
            start="2024-01-01",
        ),
        row("王建华", id_number(seq=1), household="A1", relation="配偶", phone="13900002222"),
    )
    record = ri.commit_import(acting_user=worker, plan=plan(worker, data))
    assert (record.rows, record.created, record.updated, record.statuses, record.households) == (
        2,
        1,
        1,
        2,
        1,
    )
    new = Resident.objects.get(name="张桂兰")
    assert new.birth_date == datetime.date(1944, 5, 2) and new.gender == "F" and new.created_by == worker
    existing.refresh_from_db()
    assert existing.phone == "13900002222" and existing.version == 2
    assert set(SupportStatus.objects.values_list("kind__name", flat=True)) == {"独居", "低保"}
    household = Household.objects.get()
    assert set(household.memberships.values_list("resident__name", "relation")) == {
        ("张桂兰", "head"),
        ("王建华", "spouse"),
    }
    entries = AuditLogEntry.objects.get_for_object(record)
    assert entries.count() == 1 and entries.get().actor == worker and "2行" in str(entries.get().changes)


def test_one_bad_row_commits_nothing_and_names_row_and_column(worker, chaoyangli):
    bad_id = id_number(seq=3)[:-1] + ("0" if id_number(seq=3)[-1] != "0" else "1")
    data = book(
        row("张桂兰", id_number(seq=2)),
        row("李四", bad_id),
        row("王五", community="不存在社区"),
        row("赵六", statuses="低保", start=(datetime.date.today() + datetime.timedelta(days=3)).isoformat()),
    )
    result = plan(worker, data)
    assert [str(e) for e in result.errors] == [
        "第3行「身份证号」：身份证号校验位不正确，请核对后重新输入。",
        "第4行「社区」：社区“不存在社区”不存在或不在您的服务范围内。",
        "第5行「保障起始日期」：保障起始日期不能晚于今天。",
    ]
    with pytest.raises(Exception, match="有3行未通过检查，本次导入未保存任何数据"):
        ri.commit_import(acting_user=worker, plan=result)
    assert not Resident.objects.exists() and not RegistryImport.objects.exists()


def test_duplicates_within_the_file_and_in_another_scope(worker, chaoyangli, tailaixili):
    theirs = make_resident(tailaixili, name="王秀英", id_number=id_number(seq=9), phone="13900009999")
    data = book(
        row("甲", id_number(seq=5)),
        row("乙", id_number(seq=5)),
        row("丙", id_number(seq=9)),
    )
    result = plan(worker, data)
    messages = [str(e) for e in result.errors]
    assert messages == [
        "第3行「身份证号」：与文件第2行的身份证号重复。",
        f"第4行「身份证号」：{ri.OUT_OF_SCOPE_DUPLICATE}",
    ]
    assert "王秀英" not in "".join(messages) and "集贤里" not in "".join(messages)  # nothing of theirs shown
    theirs.refresh_from_db()
    assert theirs.name == "王秀英"


def test_the_community_of_another_station_is_unknown_here(worker, tailaixili):
    result = plan(worker, book(row("甲", community="泰来西里社区")))
    assert "不在您的服务范围内" in str(result.errors[0])


def test_a_file_without_the_headers_is_refused(worker):
    with pytest.raises(ri.ImportFileError, match="表头缺少必填列：姓名、社区"):
        plan(worker, book(["a", "b"], header=["甲", "乙"]))
    with pytest.raises(ri.ImportFileError, match="无法读取文件"):
        plan(worker, b"not a workbook")


def test_the_template_imports_cleanly(worker, chaoyangli):
    ensure_care_defaults()
    result = plan(worker, ri.template_workbook())
    assert result.ok and result.total == 2, [str(e) for e in result.errors]
    workbook = openpyxl.load_workbook(io.BytesIO(ri.template_workbook()))
    assert [c.value for c in workbook["居民台账"][1]][:2] == ["姓名*", "身份证号"]
    assert "填写说明" in workbook.sheetnames


def test_the_page_dry_runs_then_imports(client, worker, chaoyangli, django_capture_on_commit_callbacks):
    """The upload becomes a background job (run at once here: no broker); its page shows the result."""
    ensure_care_defaults()
    client.force_login(worker)
    url = reverse("residents:registry-import")
    data = book(row("张桂兰", id_number(seq=2)))

    def upload(action):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": _named(data), "action": action})
        assert response.status_code == 302
        return client.get(response["Location"])

    response = upload("dry_run")
    assert response.status_code == 200 and "试导入结果（未保存）" in response.content.decode()
    assert not Resident.objects.exists()
    response = upload("commit")
    assert response.status_code == 200 and "导入完成" in response.content.decode()
    assert Resident.objects.get().name == "张桂兰"
    template = client.get(reverse("residents:registry-import-template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def _named(data):
    upload = io.BytesIO(data)
    upload.name = "台账.xlsx"
    return upload


def test_the_command_dry_runs_by_default_and_commits(tmp_path, worker, chaoyangli):
    ensure_care_defaults()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(book(row("张桂兰", id_number(seq=2)), row("王建华", id_number(seq=3))))
    out = io.StringIO()
    call_command("import_registry", str(path), user=worker.username, stdout=out)
    assert "新登记 2" in out.getvalue() and not Resident.objects.exists()
    call_command("import_registry", str(path), user=worker.username, commit=True, stdout=out)
    assert Resident.objects.count() == 2 and HouseholdMembership.objects.count() == 0
