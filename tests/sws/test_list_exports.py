"""List exports: exactly the rows the user may see, the list's filters honoured, personal data masked."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.models import Request
from sws import exports
from tests.sws import factories as sf
from tests.sws.factories import at


def _url(name, fmt="csv"):
    return reverse("exports:list", args=[name, fmt])


def _csv(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response):
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_request_export_follows_the_queue_and_its_filters(client, dataset, worker):
    client.force_login(worker)
    header, *rows = _csv(client.get(_url("requests")))
    assert header[:3] == ["受理编号", "社工站", "社区"]
    # Without a status the queue shows the open requests (r4, r5, r6, r7), as the list page does.
    assert {r[0] for r in rows} == {
        dataset.r4.reference,
        dataset.r5.reference,
        dataset.r6.reference,
        dataset.r7.reference,
    }
    header, *rows = _csv(client.get(_url("requests"), {"status": "closed"}))
    assert {r[0] for r in rows} == {dataset.r1.reference, dataset.r2.reference}
    closed = dict(zip(header, next(r for r in rows if r[0] == dataset.r1.reference), strict=True))
    assert closed["满意度"] == "满意"
    assert closed["受理时间"] == "2026-03-01 00:00"  # local time, not UTC
    header, *rows = _csv(client.get(_url("requests"), {"overdue": "on"}))
    assert {r[0] for r in rows} == {dataset.r6.reference, dataset.r7.reference}
    xlsx = _xlsx(client.get(_url("requests", "xlsx"), {"status": "closed"}))
    assert xlsx[0] == tuple(header)
    assert {row[0] for row in xlsx[1:]} == {dataset.r1.reference, dataset.r2.reference}
    assert xlsx[1][header.index("受理时间")] in (
        datetime.datetime(2026, 3, 1),
        datetime.datetime(2026, 2, 28, 23, 59, 59),
    )


def test_request_export_scope(client, dataset, worker, other_worker, district_user, other_district_user):
    client.force_login(other_worker)
    refs = {r[0] for r in _csv(client.get(_url("requests"), {"status": "closed"}))[1:]}
    assert refs == {dataset.j1.reference, dataset.j2.reference}
    client.force_login(district_user)
    stations = {r[1] for r in _csv(client.get(_url("requests"), {"status": "closed"}))[1:]}
    assert stations == {"北辰区果园新村街道社工站", "北辰区集贤里街道社工站"}
    client.force_login(other_district_user)
    stations = {r[1] for r in _csv(client.get(_url("requests")))[1:]}
    assert stations == {"南开区广开街道社工站"}


def test_resident_export_masks_id_and_phone(client, frozen, worker, other_worker, guoyuan, chaoyangli):
    sf.make_resident(
        chaoyangli,
        "张桂兰",
        id_number="120113194501011234",
        phone="13812345678",
        gender="F",
        birth_date=datetime.date(1945, 1, 1),
    )
    client.force_login(worker)
    response = client.get(_url("residents"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "120113194501011234" not in body and "13812345678" not in body
    header, row = list(csv.reader(io.StringIO(body)))
    record = dict(zip(header, row, strict=True))
    assert record["身份证号"] == "120113********1234"
    assert record["联系电话"] == "138****5678"
    assert record["年龄"] == "81" and "高龄" in record["困难标签"]
    assert "出生日期" not in header and "住址" not in header
    xlsx = _xlsx(client.get(_url("residents", "xlsx")))
    assert "120113194501011234" not in repr(xlsx)
    assert xlsx[1][header.index("身份证号")] == "120113********1234"
    client.force_login(other_worker)
    assert _csv(client.get(_url("residents")))[1:] == []
    client.force_login(worker)
    assert _csv(client.get(_url("residents"), {"q": "李"}))[1:] == []  # the search filter applies


def test_activity_resource_and_project_exports(client, dataset, district_user, other_district_user, guoyuan):
    client.force_login(district_user)
    header, *rows = _csv(client.get(_url("activities"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}))
    assert sorted(int(r[header.index("场次")]) for r in rows) == [2, 3]  # 广开's 7 is another district
    header, *rows = _csv(client.get(_url("resources")))
    assert sorted(r[header.index("金额或估值（元）")] for r in rows) == [
        "1000.10",
        "10000.00",
        "500.25",
        "7.00",
    ]
    xlsx = _xlsx(client.get(_url("resources", "xlsx"), {"kind": "in_kind"}))
    assert len(xlsx) == 2 and str(xlsx[1][xlsx[0].index("金额或估值（元）")]) == "500.25"
    header, *rows = _csv(client.get(_url("projects"), {"status": "active"}))
    assert [r[0] for r in rows] == ["老年智慧出行志愿服务行动"]
    client.force_login(other_district_user)
    assert [r[1] for r in _csv(client.get(_url("resources")))[1:]] == ["南开区广开街道社工站"]


def test_unknown_list_and_anonymous(client, frozen, worker):
    assert client.get(_url("requests")).status_code == 302
    client.force_login(worker)
    assert client.get(_url("passwords")).status_code == 404


def test_xlsx_refused_above_the_limit_with_a_csv_link(client, dataset, worker, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    client.force_login(worker)
    response = client.get(_url("requests", "xlsx"), {"status": "in_progress"})
    assert response.status_code == 200  # two rows: within the limit
    response = client.get(_url("requests", "xlsx"))
    assert response.status_code == 413
    assert _url("requests", "csv") in response.content.decode()


@pytest.mark.parametrize("name", ["requests", "residents", "activities", "resources", "projects"])
def test_export_query_count_does_not_grow(client, dataset, worker, guoyuan, chaoyangli, name):
    client.force_login(worker)
    sf.make_resident(chaoyangli, "王秀英")  # at least one row of each list, so its prefetches run

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(name, "xlsx"))
            assert response.status_code == 200
        return len(queries)

    small = count()
    for n in range(30):
        sf.store_request(guoyuan, received_at=at(2026, 3, 1 + n % 28), due_at=at(2026, 5, 1))
        sf.make_resident(chaoyangli, f"居民{n}", phone=f"1381234{n:04d}")
        sf.make_activity(guoyuan, datetime.date(2026, 3, 1 + n % 28), sessions=1, person_times=5)
        sf.make_resource(guoyuan, datetime.date(2026, 3, 1 + n % 28), "10.00")
        sf.make_project(guoyuan)
    assert count() == small


def test_request_export_is_one_query_past_a_chunk(client, dataset, worker, guoyuan, chaoyangli, monkeypatch):
    """Streamed in chunks, yet no query per chunk: the sensitive flag is annotated, not prefetched."""
    from sws import list_exports

    monkeypatch.setattr(list_exports, "CHUNK", 5)
    client.force_login(worker)

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = _csv(client.get(_url("requests", "csv")))
        return len(queries), len(rows)

    small, rows_before = count()
    for n in range(12):
        resident = sf.make_resident(chaoyangli, f"居民{n}")
        req = sf.store_request(guoyuan, chaoyangli, received_at=at(2026, 3, 1 + n), due_at=at(2026, 5, 1))
        Request.objects.filter(pk=req.pk).update(resident=resident)
    large, rows_after = count()
    assert rows_after == rows_before + 12 and rows_after > 3 * list_exports.CHUNK
    assert large == small


def test_resident_export_is_recorded_as_personal_data_access(client, frozen, worker, chaoyangli):
    from stations.audit import PersonalDataAccess

    sf.make_resident(chaoyangli, "张桂兰")
    sf.make_resident(chaoyangli, "王秀英")
    client.force_login(worker)
    _csv(client.get(_url("residents")))
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.action, access.resident_count) == (worker, "export", 2)
