"""Dashboard tables as CSV (UTF-8 with BOM) and XLSX: the same rows and figures as the page."""

import csv
import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from tests.sws.conftest import MARCH


def _csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_district_export_matches_the_page(client, dataset, district_user, beichen):
    client.force_login(district_user)
    page = client.get(reverse("dashboards:district", args=[beichen.pk]), {**MARCH, "sort": "-received"})
    table = page.context["table"]

    rows = _csv(
        client.get(
            reverse("dashboards:district-export", args=[beichen.pk, "csv"]), {**MARCH, "sort": "-received"}
        )
    )
    header, *body = rows
    assert header[:4] == ["社工站", "受理诉求", "办结诉求", "超期未办"]
    assert [r[0] for r in body] == [row.name for row in table.rows] + ["合计"]
    guoyuan = body[0]
    assert guoyuan[header.index("受理诉求")] == "5"
    assert guoyuan[header.index("办结时长中位数（小时）")] == "24.0"
    assert guoyuan[header.index("满意率")] == "50.0%"
    assert guoyuan[header.index("链接资源（元）")] == "1500.35"
    assert guoyuan[header.index("方案完成度")] == "75.0%"  # as it stood on 31 March
    assert body[-1][header.index("受理诉求")] == "7"
    assert "广开" not in "".join(",".join(r) for r in rows)

    response = client.get(
        reverse("dashboards:district-export", args=[beichen.pk, "xlsx"]), {**MARCH, "sort": "-received"}
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = _xlsx(response).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "北辰区社工站对比 2026年3月"
    header = list(values[1])
    assert header == [c.label for c in table.columns]
    first = dict(zip(header, values[2], strict=True))
    assert first["社工站"] == table.rows[0].name
    assert first["受理诉求"] == 5
    assert first["办结时长中位数（小时）"] == 24.0
    assert first["满意率"] == 0.5
    assert Decimal(str(first["链接资源（元）"])) == Decimal("1500.35")
    assert values[-1][0] == "合计"
    assert sheet.column_dimensions["A"].width == 30


def test_city_export(client, dataset, city_user):
    client.force_login(city_user)
    header, *body = _csv(client.get(reverse("dashboards:city-export", args=["csv"]), MARCH))
    assert header[0] == "区" and "街道覆盖率" in header
    by_name = {row[0]: row for row in body}
    assert by_name["南开区"][header.index("受理诉求")] == "3"
    assert by_name["全市"][header.index("受理诉求")] == "10"
    book = _xlsx(client.get(reverse("dashboards:city-export", args=["xlsx"]), MARCH))
    names = [row[0] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert names == ["南开区", "北辰区", "全市"]  # by division code


def test_station_export(client, dataset, worker, guoyuan):
    client.force_login(worker)
    rows = dict(_csv(client.get(reverse("dashboards:station-export", args=[guoyuan.pk, "csv"]), MARCH))[1:])
    assert rows["本期受理诉求"] == "5"
    assert rows["本年链接资源（元）"] == "11500.35"
    assert rows["满意率"] == "50.0%"
    sheet = _xlsx(client.get(reverse("dashboards:station-export", args=[guoyuan.pk, "xlsx"]), MARCH)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert cells["本期受理诉求"][1].value == 5
    assert Decimal(str(cells["本年链接资源（元）"][1].value)) == Decimal("11500.35")
    assert cells["本年链接资源（元）"][1].number_format == "#,##0.00"
    assert cells["满意率"][1].number_format == "0.0%"
