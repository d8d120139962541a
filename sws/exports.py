"""CSV and XLSX writers for every export of SWS (dashboard tables, lists, monthly reports).

- CSV is UTF-8 with a byte-order mark, so Excel on Chinese Windows opens 中文 headers correctly, and it is
  streamed row by row (`StreamingHttpResponse` over a queryset iterator): a city-wide list of a million
  requests never sits in memory.
- XLSX uses openpyxl's write-only mode (rows go straight to a temporary file), with Chinese headers in
  bold, a frozen header row, column widths and number formats (yuan with two decimals, shares as %).
  Excel cannot hold more than ~1 million rows and a workbook is built before it is sent, so XLSX is
  refused above `XLSX_MAX_ROWS` with a message pointing to the CSV.

Callers pass plain headers and rows of values; they decide which rows (always a `visible_to(user)`
queryset) and how each value reads.

Formula injection: text typed by anyone (a resident's name on the public QR form, a project title) must
never reach a spreadsheet as a formula. Every text cell both writers emit goes through `safe_text`: text
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or a full-width or other compatibility
form of those, such as `＝`, which spreadsheet programs normalise into `=`) gets a leading apostrophe, and
XLSX text cells are written with the string type, never as formulas. Headers and title lines too.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from stations.spreadsheets import PLAIN_NUMBER, safe_text  # noqa: F401  (the formula rule, shared)

BOM = "\ufeff"
XLSX_MAX_ROWS = 100_000
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer inside a generator."""

    def write(self, value):
        return value


def csv_text(value) -> str:
    """How a value reads in a CSV cell: local times, plain numbers, empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, even a negative one, is no formula
    return safe_text(str(value))


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM). `rows` may be a lazy generator over a queryset."""
    writer = csv.writer(_Echo())

    def lines():
        yield BOM + writer.writerow([csv_text(header) for header in headers])
        for row in rows:
            yield writer.writerow([csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@dataclass
class Sheet:
    """One worksheet: optional title lines above a table with a bold header row."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()
    formats: Sequence[str | None] = ()  # number format per column, e.g. "#,##0.00"
    preamble: Sequence[str] = field(default_factory=list)  # lines above the table (report title, period)
    row_formats: Sequence[str | None] = ()  # number format per row, for label/value sheets


def xlsx_cell_value(value):
    """openpyxl takes numbers, Decimal, text and naive datetimes; aware times become local wall time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 3600, 1)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Promise):  # lazy translations, e.g. choice labels
        value = str(value)
    if isinstance(value, str):
        return safe_text(value)
    return value


def _text_cell(ws, value: str, font=None) -> WriteOnlyCell:
    """A cell holding `value` (already passed through `safe_text`) as a string, never a formula."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def build_workbook(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31])  # Excel's limit for sheet names
        for index, width in enumerate(sheet.widths):
            ws.column_dimensions[_column_letter(index)].width = width
        ws.freeze_panes = f"A{len(sheet.preamble) + 2}"
        for line in sheet.preamble:
            ws.append([_text_cell(ws, xlsx_cell_value(line), bold)])
        header_cells = []
        for header in sheet.headers:
            cell = _text_cell(ws, xlsx_cell_value(header), bold)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header_cells.append(cell)
        ws.append(header_cells)
        formats, row_formats = list(sheet.formats), list(sheet.row_formats)
        for row_index, row in enumerate(sheet.rows):
            cells = []
            for index, value in enumerate(row):
                value = xlsx_cell_value(value)
                fmt = formats[index] if index < len(formats) else None
                if fmt is None and row_index < len(row_formats) and isinstance(value, int | float | Decimal):
                    fmt = row_formats[row_index]
                if fmt is None and isinstance(value, datetime.datetime):
                    fmt = "yyyy-mm-dd hh:mm"
                elif fmt is None and isinstance(value, datetime.date):
                    fmt = "yyyy-mm-dd"
                elif fmt is None and isinstance(value, Decimal):
                    fmt = "#,##0.00"
                if isinstance(value, str):
                    cells.append(_text_cell(ws, value))
                elif fmt is None:
                    cells.append(value)
                else:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    cells.append(cell)
            ws.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(build_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def too_large_response(request, count: int) -> HttpResponse:
    """XLSX refused for a list larger than Excel handles comfortably: say so and point to the CSV."""
    csv_url = request.path.rsplit(".", 1)[0] + ".csv"
    if request.GET:
        csv_url += "?" + request.GET.urlencode()
    return render(
        request,
        "sws/export_too_large.html",
        {"count": count, "limit": XLSX_MAX_ROWS, "csv_url": csv_url},
        status=413,
    )


def table_sheet(title: str, table, preamble=()) -> Sheet:
    """A dashboard `Table` (see `sws.dashboards.tables`) as a worksheet, totals last."""
    rows = [[column.raw(row.value(column.key)) for column in table.columns] for row in table.rows]
    if table.totals is not None:
        rows.append([column.raw(table.totals.value(column.key)) for column in table.columns])
    return Sheet(
        title=title,
        headers=[column.label for column in table.columns],
        rows=rows,
        widths=[column.width for column in table.columns],
        formats=[column.number_format for column in table.columns],
        preamble=list(preamble),
    )


def table_csv_rows(table) -> list[list]:
    rows = [[column.plain(row.value(column.key)) for column in table.columns] for row in table.rows]
    if table.totals is not None:
        rows.append([column.plain(table.totals.value(column.key)) for column in table.columns])
    return rows
