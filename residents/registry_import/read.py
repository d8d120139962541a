"""Reading a 台账 workbook: the template's columns, and the rows of an XLSX file as plain values."""

import datetime
import io
import re
import zipfile
from xml.etree import ElementTree

from django.core.exceptions import ValidationError

from residents.validators import id_check_char

EXAMPLE_ID = "12011319440502002" + id_check_char("12011319440502002")
# (key, header, example, help) — the template's columns; headers ending in * are required.
COLUMNS = [
    ("name", "姓名*", "张桂兰", ""),
    ("id_number", "身份证号", EXAMPLE_ID, "18位，校验位须正确"),
    ("gender", "性别", "女", "男/女（有身份证号时可不填）"),
    ("birth_date", "出生日期", "1944-05-02", "有身份证号时可不填"),
    ("phone", "联系电话", "13820135678", ""),
    ("community", "社区*", "朝阳里社区", "社区名称或12位区划代码"),
    ("address", "住址", "3号楼2门301", ""),
    ("household", "户号", "A001", "同一户的成员填相同户号"),
    ("relation", "与户主关系", "户主", "户主/配偶/子女/父母/孙子女/兄弟姐妹/其他"),
    ("statuses", "保障状态", "独居、低保", "多个用顿号分隔"),
    ("status_start", "保障起始日期", "2024-01-01", "填写保障状态时必填"),
    ("disability_category", "残疾类别", "", "保障状态含残疾时填写"),
    ("disability_grade", "残疾等级", "", "保障状态含残疾时必填"),
]
HEADERS = {header.rstrip("*"): key for key, header, _e, _h in COLUMNS}
LABELS = {key: header.rstrip("*") for key, header, _e, _h in COLUMNS}
MAX_ROWS = 100_000


class ImportFileError(ValidationError):
    """The file itself cannot be read (not XLSX, no header, too many rows)."""


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (with its leap-year quirk)
DATE_KEYS = ("birth_date", "status_start")


def read_rows(data: bytes):
    """(row number, {key: value}) for the data rows of the first sheet of an XLSX file.

    Streams the sheet's XML with the standard library's C parser instead of openpyxl's reader, which
    builds a cell object per value: 50,000 rows read in a fraction of the time (bench/registry_import.py).
    Values come as text or numbers; a date typed as a date is an Excel day number, turned into a date."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        strings = _shared_strings(archive)
        sheet = archive.open(_first_sheet(archive))
        rows = _sheet_rows(sheet, strings)
        header = next(rows, (1, {}))[1]
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, StopIteration):
        raise ImportFileError("无法读取文件：请上传 Excel（.xlsx）格式的台账，可先下载模板。") from None
    columns = {}
    for index, title in header.items():
        key = HEADERS.get(str(title or "").strip().rstrip("*"))
        if key:
            columns[index] = key
    missing = [LABELS[k] for k in ("name", "community") if k not in columns.values()]
    if missing:
        raise ImportFileError(f"表头缺少必填列：{'、'.join(missing)}。请使用模板的表头（第一行）。")

    def generate():
        try:
            for number, values in rows:
                record = {key: values.get(index) for index, key in columns.items()}
                if all(value in (None, "") for value in record.values()):
                    continue
                for key in DATE_KEYS:
                    if isinstance(record.get(key), (int, float)):
                        record[key] = EXCEL_EPOCH + datetime.timedelta(days=int(record[key]))
                yield number, record
        except ElementTree.ParseError:
            raise ImportFileError("文件内容损坏，无法读取，请重新保存为 .xlsx 后再导入。") from None

    return generate()


def _shared_strings(archive) -> list[str]:
    try:
        stream = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    for _event, element in ElementTree.iterparse(stream):
        if element.tag == f"{NS}si":
            strings.append("".join(t.text or "" for t in element.iter(f"{NS}t")))
            element.clear()
    return strings


def _first_sheet(archive) -> str:
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    first = book.find(f"{NS}sheets/{NS}sheet")
    rel_id = first.get(f"{REL_NS}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    raise KeyError(rel_id)


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if char.isdigit():
            break
        index = index * 26 + ord(char) - 64
    return index - 1


def _sheet_rows(stream, strings):
    row_tag, cell_tag, value_tag, text_tag = f"{NS}row", f"{NS}c", f"{NS}v", f"{NS}t"
    number = 0
    for _event, element in ElementTree.iterparse(stream):
        if element.tag != row_tag:
            continue
        number = int(element.get("r") or number + 1)
        values = {}
        for position, cell in enumerate(element.iter(cell_tag)):
            kind = cell.get("t", "n")
            reference = cell.get("r")
            index = _column_index(reference) if reference else position
            if kind == "inlineStr":
                values[index] = "".join(t.text or "" for t in cell.iter(text_tag))
                continue
            raw = cell.findtext(value_tag)
            if raw is None:
                continue
            if kind == "s":
                values[index] = strings[int(raw)]
            elif kind in ("str", "e"):
                values[index] = raw
            elif kind == "b":
                values[index] = raw == "1"
            else:
                number_value = float(raw)
                values[index] = int(number_value) if number_value.is_integer() else number_value
        element.clear()
        yield number, values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", _text(value))
    if not match:
        raise ValueError
    return datetime.date(*map(int, match.groups()))
