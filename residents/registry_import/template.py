"""The template workbook stations download: Chinese headers, a filled example, a sheet of notes."""

import io

import openpyxl

from residents.models import SupportStatusType
from residents.registry_import.read import COLUMNS


def template_workbook() -> bytes:
    """The template: Chinese headers, a filled example row, and a sheet explaining each column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "居民台账"
    sheet.append([header for _k, header, _e, _h in COLUMNS])
    sheet.append([example for _k, _h, example, _x in COLUMNS])
    sheet.append(
        [
            "王建华",
            "",
            "男",
            "1950-03-08",
            "022-26391234",
            "朝阳里社区",
            "3号楼2门301",
            "A001",
            "配偶",
            "",
            "",
            "",
            "",
        ]
    )
    for index, (_k, header, _e, _h) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for _k, header, _e, help_text in COLUMNS:
        notes.append([header, help_text + ("（必填）" if header.endswith("*") else "")])
    notes.append([])
    notes.append(
        [
            "保障状态可选值",
            "、".join(SupportStatusType.objects.filter(is_active=True).values_list("name", flat=True)),
        ]
    )
    notes.append(["说明", "示例行（第2、3行）请删除后再填写；导入前可先“试导入”查看将新增、更新和拒绝的行。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
