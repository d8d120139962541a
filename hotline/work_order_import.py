"""The fallback import: a district that receives 12345 work orders as a spreadsheet uploads it here.

`read_rows` turns the workbook into rows keyed as the API's fields; `import_work_orders` takes every row
in through `receive_work_order` (the same checks, placing and idempotency as the API) inside one
transaction, and keeps it only when it is not a dry run and no row was refused (all or nothing). A ticket
number already in the system is "already present", not an error; one in the file twice is refused.

Scope: `receive_work_order` lets a district centre take in only its own district's orders (and admins
any); a district user's rows without a district code are located within their district.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from hotline.models import DeadlineRule, HotlineCategory, WorkOrderImport
from hotline.services import OrderError, receive_work_order
from residents import auditing
from stations import access
from stations.audit import AuditLogEntry

# (key, header, example, help): the template's columns; headers ending in * are required.
COLUMNS = [
    ("ticket_no", "工单编号*", "GD20261203001", "热线系统的工单编号（字母、数字、-、_），同一编号只导入一次"),
    ("received_at", "受理时间*", "2026-12-03 09:30", "热线受理的日期和时间"),
    ("caller_name", "来电人", "张先生", ""),
    ("caller_phone", "来电号码", "13812345678", "手机或座机号码"),
    ("address", "地址", "北辰区果园新村街道朝阳里5号楼", "无社区代码时按地址中的社区或街道名称定位"),
    ("community_code", "社区代码", "120113001009", "12位统计用区划代码，可不填"),
    ("category_code", "热线分类代码*", "0301", "热线系统的分类代码（见“填写说明”）"),
    ("content", "工单内容*", "5号楼门前路灯不亮已一周。", ""),
    ("deadline_class", "时限类别*", "normal", "时限类别代码或名称（见“填写说明”）"),
]
HEADERS = {header.rstrip("*"): key for key, header, _e, _h in COLUMNS}
LABELS = {key: header.rstrip("*") for key, header, _e, _h in COLUMNS}
REQUIRED = [key for key, header, _e, _h in COLUMNS if header.endswith("*")]
MAX_ROWS = 2000  # a day's orders of a district are tens to hundreds


class ImportFileError(ValidationError):
    """The file itself cannot be read (not XLSX, no header, too many rows)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return (
            f"第{self.row}行「{self.column}」：{self.message}"
            if self.column
            else f"第{self.row}行：{self.message}"
        )


@dataclass
class ImportResult:
    file_name: str
    total: int = 0
    created: list = field(default_factory=list)  # (row, ticket_no, placed?)
    present: list = field(default_factory=list)  # (row, ticket_no)
    errors: list = field(default_factory=list)
    committed: bool = False
    record: "WorkOrderImport | None" = None  # the committed import, with its one audit entry

    @property
    def refused_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def unplaced(self) -> int:
        return sum(1 for _row, _ticket, placed in self.created if not placed)


class _Rollback(Exception):
    pass


# --- reading ------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


MOMENT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]*(\d{1,2})[:：时](\d{1,2})分?(?:[:：](\d{1,2}))?"
)


def _moment(value) -> str:
    """The received time as the API takes it (ISO 8601), from a date-time cell or text such as
    2026/12/3 9:30; anything else as it is, for `receive_work_order` to refuse in its words."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = _text(value)
    match = MOMENT.fullmatch(text)
    if not match:
        return text
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def read_rows(data: bytes):
    """(row number, {key: text}) for the data rows of the first sheet."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, ())
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError("无法读取文件：请上传 Excel（.xlsx）格式的工单表，可先下载模板。") from None
    columns = {}
    for index, title in enumerate(header or ()):
        key = HEADERS.get(_text(title).rstrip("*"))
        if key:
            columns[index] = key
    missing = [LABELS[k] for k in REQUIRED if k not in columns.values()]
    if missing:
        raise ImportFileError(f"表头缺少必填列：{'、'.join(missing)}。请使用模板的表头（第一行）。")
    result = []
    for number, values in enumerate(rows, start=2):
        record = {key: values[index] if index < len(values) else None for index, key in columns.items()}
        if all(value in (None, "") for value in record.values()):
            continue
        if len(result) >= MAX_ROWS:
            raise ImportFileError(f"一次最多导入{MAX_ROWS}行，请分批导入。")
        cleaned = {key: _text(value) for key, value in record.items()}
        cleaned["received_at"] = _moment(record.get("received_at"))
        result.append((number, cleaned))
    return result


# --- importing ----------------------------------------------------------------------------------------


def may_import(user) -> bool:
    return access.is_admin(user) or (access.is_district_user(user) and user.district_id is not None)


def _deadline_classes() -> dict:
    """A rule's code or its Chinese name (一般, 紧急) → its code."""
    found = {}
    for code, name in DeadlineRule.objects.values_list("deadline_class", "name"):
        found[name] = code
        found[code] = code
    return found


def import_work_orders(*, acting_user, rows, file_name="", dry_run=True) -> ImportResult:
    """Take every row in through `receive_work_order`, in one transaction kept only when it is not a dry
    run and no row was refused."""
    if not may_import(acting_user):
        raise PermissionDenied
    result = ImportResult(file_name=file_name)
    classes = _deadline_classes()
    district_code = acting_user.district.code if access.is_district_user(acting_user) else ""
    seen = {}
    try:
        # The rows' work orders and requests write no audit entries of their own: the import is one entry.
        with transaction.atomic(), auditing.signals_off():
            for number, record in rows:
                result.total += 1
                _import_row(acting_user, number, record, result, classes, district_code, seen)
            if dry_run or result.errors:
                raise _Rollback
            result.record = _record(acting_user, result)
            result.committed = True
    except _Rollback:
        pass
    return result


def _record(user, result) -> WorkOrderImport:
    record = WorkOrderImport.objects.create(
        district=user.district if access.is_district_user(user) else None,
        file_name=result.file_name[:200],
        rows=result.total,
        created=len(result.created),
        present=len(result.present),
        unplaced=result.unplaced,
        imported_by=user,
    )
    created, present = len(result.created), len(result.present)
    summary = f"{result.total}行：新增{created}单（未能定位{result.unplaced}单），已存在{present}单"
    AuditLogEntry.objects.log_create(
        record,
        action=AuditLogEntry.Action.CREATE,
        changes={"12345工单导入": ["", summary]},
        actor=user,
        additional_data={
            "rows": result.total,
            "created": len(result.created),
            "present": len(result.present),
        },
        force_log=True,
    )
    return record


def _import_row(user, number, record, result, classes, district_code, seen):
    ticket_no = record.get("ticket_no", "")
    if ticket_no and ticket_no in seen:
        result.errors.append(
            RowError(number, LABELS["ticket_no"], f"与第{seen[ticket_no]}行的工单编号重复。")
        )
        return
    seen[ticket_no] = number
    data = dict(record)
    data["deadline_class"] = classes.get(record.get("deadline_class", ""), record.get("deadline_class", ""))
    if district_code and not data.get("community_code"):
        data["district_code"] = district_code  # an address is looked for within the user's district
    try:
        with transaction.atomic():
            order, created = receive_work_order(api_key_or_user=user, data=data)
    except OrderError as error:
        for key, messages in error.message_dict.items():
            for message in messages:
                result.errors.append(RowError(number, LABELS.get(key, ""), message))
        return
    except PermissionDenied:
        column = LABELS["community_code"] if data.get("community_code") else LABELS["address"]
        result.errors.append(RowError(number, column, "该工单不在您的辖区内，不能导入。"))
        return
    if created:
        result.created.append((number, order.ticket_no, order.request_id is not None))
    else:
        result.present.append((number, order.ticket_no))


# --- the template -------------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The template: Chinese headers, a filled example row, and a sheet explaining each column with the
    hotline categories and deadline classes in use."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "12345工单"
    sheet.append([header for _k, header, _e, _h in COLUMNS])
    sheet.append([example for _k, _h, example, _x in COLUMNS])
    for index, (_k, header, _e, _h) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(14, len(header) * 2 + 6)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for _k, header, _e, help_text in COLUMNS:
        notes.append([header, help_text + ("（必填）" if header.endswith("*") else "")])
    notes.append([])
    notes.append(["热线分类代码", "热线分类名称"])
    for code, name in HotlineCategory.objects.filter(is_active=True).values_list("code", "name"):
        notes.append([code, name])
    notes.append([])
    notes.append(["时限类别", "名称"])
    for code, name in DeadlineRule.objects.values_list("deadline_class", "name"):
        notes.append([code, name])
    notes.append([])
    notes.append(
        ["说明", "示例行（第2行）请删除后再填写；导入前可先“试导入”查看将新增、已存在和被拒绝的行。"]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
