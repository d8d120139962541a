"""Import the city's hierarchy (市—区—街—社区) from the statistical division file.

The file (see stations/data/README.md) has one row per division with its 12-digit code, name, level and
parent code. Import is all-or-nothing: every row is checked first and problems are reported by line;
then each level is synchronised with a few bulk queries (never one query per row). Rows are matched by
code, so a second run changes nothing and a renamed division is updated in place. Divisions missing
from the file are reported, never deleted: stations, residents and requests hang off them.
"""

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from stations import reference
from stations.models import Community, District, Municipality, Street

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "tianjin_divisions.csv.gz"
COLUMNS = ["code", "name", "level", "parent_code", "street_kind", "community_kind"]
LEVELS = ["municipality", "district", "street", "community"]
# How many leading digits a level's code uses (the rest are zeros): 省2 + 市2 + 县2 + 乡3 + 村3.
SIGNIFICANT_DIGITS = {"municipality": 2, "district": 6, "street": 9, "community": 12}
CODE_RE = re.compile(r"^12\d{10}$")
BATCH = 500


class DivisionFileError(Exception):
    """The file cannot be imported; `errors` lists the problems as "第N行：…" strings."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"区划文件有 {len(errors)} 处错误")


def community_kind(code: str) -> str:
    """The committee kind from the NBS village code range, which is authoritative (name suffixes vary).

    001–199 residents' committee (社区), 200–399 villagers' committee (村), 400+ quasi-committees in
    development zones and farms, and placeholders (other). Gives 5,476 committees for Tianjin.
    """
    village = int(code[9:])
    if village < 200:
        return Community.Kind.SHEQU
    if village < 400:
        return Community.Kind.CUN
    return Community.Kind.OTHER


@dataclass
class Row:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    street_kind: str


@dataclass
class LevelResult:
    label: str
    total: int = 0
    created: int = 0
    updated: int = 0
    not_in_file: int = 0
    renamed: list = field(default_factory=list)

    @property
    def changed(self):
        return self.created + self.updated


def open_text(path):
    path = Path(path)
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_rows(path) -> list[Row]:
    """Parse and check the whole file; raise DivisionFileError listing every bad row."""
    errors, rows, seen = [], [], {}
    street_kinds = set(Street.Kind.values)
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS[:5] if c not in (reader.fieldnames or [])]
        if missing:
            raise DivisionFileError([f"缺少列：{', '.join(missing)}"])
        for line, raw in enumerate(reader, start=2):
            code = (raw.get("code") or "").strip()
            name = (raw.get("name") or "").strip()
            level = (raw.get("level") or "").strip()
            parent = (raw.get("parent_code") or "").strip()
            kind = (raw.get("street_kind") or "").strip()
            problems = []
            if not CODE_RE.match(code):
                problems.append(f"区划代码“{code}”应为以12开头的12位数字")
            elif code in seen:
                problems.append(f"区划代码 {code} 与第{seen[code]}行重复")
            if not name:
                problems.append("名称为空")
            elif len(name) > 100:
                problems.append("名称超过100字")
            if level not in LEVELS:
                problems.append(f"层级“{level}”无效")
            elif level == "street" and kind not in street_kinds:
                problems.append(f"街道类型“{kind}”无效")
            elif CODE_RE.match(code) and code[SIGNIFICANT_DIGITS[level] :].strip("0"):
                problems.append(f"区划代码 {code} 与层级 {level} 不符")
            if problems:
                errors.append(f"第{line}行：{'；'.join(problems)}")
                continue
            seen[code] = line
            rows.append(Row(line, code, name, level, parent, kind))

    by_code = {row.code: row for row in rows}
    for row in rows:
        depth = LEVELS.index(row.level)
        if depth == 0:
            if row.parent_code:
                errors.append(f"第{row.line}行：市级区划不应有上级代码")
            continue
        parent = by_code.get(row.parent_code)
        if parent is None:
            errors.append(f"第{row.line}行：上级代码 {row.parent_code or '（空）'} 不在文件中")
        elif parent.level != LEVELS[depth - 1]:
            errors.append(f"第{row.line}行：上级 {parent.code} 是 {parent.level}，应为 {LEVELS[depth - 1]}")
        elif not row.code.startswith(parent.code[: SIGNIFICANT_DIGITS[parent.level]]):
            errors.append(f"第{row.line}行：区划代码 {row.code} 不以上级代码 {parent.code} 开头")
    if not any(row.level == "municipality" for row in rows) and not errors:
        errors.append("文件中没有市级区划")
    if errors:
        raise DivisionFileError(errors)
    return rows


def _sync(model, label, rows, values_for, out):
    """Create missing and update changed rows of one level; returns (LevelResult, {code: pk})."""
    result = LevelResult(label, total=len(rows))
    fields = list(values_for(rows[0]).keys()) if rows else []
    existing = {obj.code: obj for obj in model.objects.only("code", *fields)}
    to_create, to_update = [], []
    for row in rows:
        values = values_for(row)
        obj = existing.get(row.code)
        if obj is None:
            to_create.append(model(code=row.code, **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            if "name" in changed:
                result.renamed.append((row.code, obj.name, row.name))
            for name in changed:
                setattr(obj, name, values[name])
            to_update.append(obj)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH)
    result.created, result.updated = len(to_create), len(to_update)
    file_codes = {row.code for row in rows}
    result.not_in_file = sum(1 for code in existing if code not in file_codes)
    if out is not None:
        line = f"  {label}：{result.total:,} 条，新增 {result.created:,}，更新 {result.updated:,}"
        if result.not_in_file:
            line += f"，数据库中另有 {result.not_in_file:,} 条不在文件中（保留未删）"
        out.write(line)
        for code, old, new in result.renamed[:20]:
            out.write(f"    更名 {code}：{old} → {new}")
        if len(result.renamed) > 20:
            out.write(f"    …… 另有 {len(result.renamed) - 20} 处更名")
    return result, dict(model.objects.values_list("code", "pk"))


@transaction.atomic
def import_divisions(path=DEFAULT_FILE, *, dry_run=False, out=None) -> list[LevelResult]:
    """Synchronise the hierarchy with the file, in one transaction (rolled back when `dry_run`)."""
    rows = read_rows(path)
    if out is not None:
        out.write(f"读取 {path}：{len(rows):,} 行，校验通过。")
    by_level = {level: [r for r in rows if r.level == level] for level in LEVELS}

    results = []
    result, municipalities = _sync(
        Municipality, "市", by_level["municipality"], lambda r: {"name": r.name}, out
    )
    results.append(result)
    result, districts = _sync(
        District,
        "区",
        by_level["district"],
        lambda r: {"name": r.name, "municipality_id": municipalities[r.parent_code]},
        out,
    )
    results.append(result)
    result, streets = _sync(
        Street,
        "街道（乡镇）",
        by_level["street"],
        lambda r: {"name": r.name, "district_id": districts[r.parent_code], "kind": r.street_kind},
        out,
    )
    results.append(result)
    result, _ = _sync(
        Community,
        "社区（村）",
        by_level["community"],
        lambda r: {"name": r.name, "street_id": streets[r.parent_code], "kind": community_kind(r.code)},
        out,
    )
    results.append(result)
    if dry_run:
        transaction.set_rollback(True)
    else:
        reference.changed()  # bulk writes send no signals: the communities lists must be built again
    return results
