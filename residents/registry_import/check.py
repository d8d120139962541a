"""Checking the rows (the dry run): every row against the file and the registry within the importing
user's scope; what would be created, updated and refused. Nothing is written."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from residents import crypto
from residents.models import HouseholdMembership, Resident, SupportStatusType
from residents.registry_import.read import LABELS, MAX_ROWS, ImportFileError, _date, _text
from residents.validators import validate_id_number, validate_phone
from stations.models import Community

BATCH = 2000
OUT_OF_SCOPE_DUPLICATE = "该身份证号已在其他社工站登记，不能重复登记；如需迁入请联系区指导中心核实。"
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}
RELATIONS = {label: value for value, label in HouseholdMembership.Relation.choices}


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
class PlannedRow:
    row: int
    fields: dict
    resident: Resident | None = None  # an existing resident in scope: an update
    statuses: list = field(default_factory=list)  # [(kind, start, category, grade)]
    household: str = ""
    relation: str = HouseholdMembership.Relation.OTHER


@dataclass
class ImportPlan:
    file_name: str
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    total: int = 0

    @property
    def creates(self):
        return [r for r in self.rows if r.resident is None]

    @property
    def updates(self):
        return [r for r in self.rows if r.resident is not None]

    @property
    def refused_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def households(self) -> int:
        return len({r.household for r in self.rows if r.household})

    @property
    def statuses(self) -> int:
        return sum(len(r.statuses) for r in self.rows)

    @property
    def ok(self) -> bool:
        return self.total > 0 and not self.errors


class _Row:
    """Collects one row's errors with their column."""

    def __init__(self, number, errors):
        self.number, self.errors, self.failed = number, errors, False

    def error(self, key, message):
        self.failed = True
        self.errors.append(RowError(self.number, LABELS.get(key, ""), message))


def _communities(user):
    by_name = {}
    for community in Community.objects.editable_by(user).select_related("street"):
        for name in {community.code, community.name, community.short_name}:
            by_name[name] = community
    return by_name


def plan_import(*, acting_user, rows, file_name="", today=None, progress=None) -> ImportPlan:
    """Check every row; nothing is written. `progress(n)` is called every 1,000 rows."""
    today = today or timezone.localdate()
    plan = ImportPlan(file_name=file_name)
    communities = _communities(acting_user)
    kinds = {kind.name: kind for kind in SupportStatusType.objects.filter(is_active=True)}
    seen_ids, households = {}, {}
    for number, record in rows:
        plan.total += 1
        if plan.total > MAX_ROWS:
            raise ImportFileError(f"一次最多导入{MAX_ROWS:,}行，请分批导入。")
        if progress and plan.total % 1000 == 0:
            progress(plan.total)
        row = _Row(number, plan.errors)
        fields = _check_person(row, record, communities, today, seen_ids)
        statuses = _check_statuses(row, record, kinds, today)
        household, relation = _text(record.get("household")), _text(record.get("relation")) or "其他"
        if relation not in RELATIONS:
            row.error("relation", f"“{relation}”不是可选的关系（{'/'.join(RELATIONS)}）。")
        if household and fields.get("community"):
            first = households.setdefault(household, (number, fields["community"]))
            if first[1] != fields["community"]:
                row.error("household", f"与第{first[0]}行同一户号，但社区不同。")
        if not row.failed:
            plan.rows.append(
                PlannedRow(number, fields, None, statuses, household, RELATIONS.get(relation, "other"))
            )
    _match_registry(acting_user, plan)
    return plan


def _check_person(row, record, communities, today, seen_ids) -> dict:
    fields = {"name": _text(record.get("name"))[:50]}
    if not fields["name"]:
        row.error("name", "姓名不能为空。")
    id_number = _text(record.get("id_number"))
    if id_number:
        try:
            id_number = validate_id_number(id_number, today)
        except ValidationError as error:
            row.error("id_number", error.messages[0])
            id_number = ""
        else:
            if id_number in seen_ids:
                row.error("id_number", f"与文件第{seen_ids[id_number]}行的身份证号重复。")
            else:
                seen_ids[id_number] = row.number
    fields["id_number"] = id_number or None
    gender = _text(record.get("gender"))
    if gender and gender not in GENDERS:
        row.error("gender", "性别请填“男”或“女”。")
    fields["gender"] = GENDERS.get(gender, "")
    try:
        fields["birth_date"] = _date(record.get("birth_date"))
    except ValueError:
        row.error("birth_date", "日期格式不正确，请写成 2024-01-31。")
        fields["birth_date"] = None
    if fields["birth_date"] and fields["birth_date"] > today:
        row.error("birth_date", "出生日期不能晚于今天。")
    phone = _text(record.get("phone"))
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as error:
            row.error("phone", error.messages[0])
    fields["phone"] = phone
    community = _text(record.get("community"))
    fields["community"] = communities.get(community)
    if not community:
        row.error("community", "社区不能为空。")
    elif fields["community"] is None:
        row.error("community", f"社区“{community}”不存在或不在您的服务范围内。")
    fields["address"] = _text(record.get("address"))[:200]
    return fields


def _check_statuses(row, record, kinds, today) -> list:
    names = [n for n in re.split(r"[、,，;；\s]+", _text(record.get("statuses"))) if n]
    if not names:
        return []
    try:
        start = _date(record.get("status_start"))
    except ValueError:
        row.error("status_start", "日期格式不正确，请写成 2024-01-31。")
        return []
    if start is None:
        row.error("status_start", "填写保障状态时，保障起始日期必填。")
    elif start > today:
        row.error("status_start", "保障起始日期不能晚于今天。")
    category = _text(record.get("disability_category"))[:20]
    grade = _text(record.get("disability_grade"))[:10]
    statuses = []
    for name in dict.fromkeys(names):
        kind = kinds.get(name)
        if kind is None:
            row.error("statuses", f"未知的保障状态“{name}”（可选：{'、'.join(kinds)}）。")
            continue
        if kind.has_grade and not grade:
            row.error("disability_grade", f"“{name}”需填写等级。")
        statuses.append((kind, start, category if kind.has_grade else "", grade if kind.has_grade else ""))
    return statuses


def _match_registry(user, plan: ImportPlan):
    """ID numbers already registered: in the user's scope an update, elsewhere a refused row."""
    by_hash = {crypto.lookup_hash(r.fields["id_number"]): r for r in plan.rows if r.fields["id_number"]}
    hashes = list(by_hash)
    editable = set()
    found = {}
    for start in range(0, len(hashes), BATCH):
        chunk = hashes[start : start + BATCH]
        for resident in Resident.objects.filter(id_number_hash__in=chunk):
            found[resident.id_number_hash] = resident
        editable |= set(
            Resident.objects.editable_by(user).filter(id_number_hash__in=chunk).values_list("pk", flat=True)
        )
    refused = set()
    for digest, resident in found.items():
        row = by_hash[digest]
        if resident.pk in editable:
            row.resident = resident
        else:
            plan.errors.append(RowError(row.row, LABELS["id_number"], OUT_OF_SCOPE_DUPLICATE))
            refused.add(row.row)
    plan.rows = [r for r in plan.rows if r.row not in refused]
    plan.errors.sort(key=lambda e: e.row)
