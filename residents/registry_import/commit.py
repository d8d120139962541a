"""Writing a checked plan: one transaction, bulk inserts, only when no row was refused (all or nothing),
and the import recorded once in the audit trail with its row count."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from residents import auditing
from residents.models import (
    Household,
    HouseholdMembership,
    RegistryImport,
    Resident,
    ResidentEvent,
    SupportStatus,
)
from residents.registry_import.check import BATCH, ImportPlan
from residents.validators import id_birth_date, id_gender, phone_tail
from stations.audit import AuditLogEntry


def commit_import(*, acting_user, plan: ImportPlan) -> RegistryImport:
    """Write the plan (one transaction), or refuse it whole when a row was refused."""
    if not plan.ok:
        raise ValidationError(
            f"有{plan.refused_rows}行未通过检查，本次导入未保存任何数据；请修改后重新导入。"
            if plan.errors
            else "文件中没有数据行。"
        )
    now = timezone.now()
    creates, updates = plan.creates, plan.updates  # before the new rows get their residents
    with transaction.atomic(), auditing.signals_off():
        created = _create_residents(acting_user, creates, now)
        _update_residents(updates, now)
        statuses = _create_statuses(acting_user, plan.rows, now)
        households = _create_households(acting_user, plan.rows, now)
        record = RegistryImport.objects.create(
            station_id=getattr(acting_user, "station_id", None),
            file_name=plan.file_name[:200],
            rows=plan.total,
            created=created,
            updated=len(updates),
            statuses=statuses,
            households=households,
            imported_by=acting_user,
            imported_at=now,
        )
        AuditLogEntry.objects.log_create(
            record,
            action=AuditLogEntry.Action.CREATE,
            changes={"台账导入": ["", f"{plan.total}行：新登记{created}人，更新{len(updates)}人"]},
            actor=acting_user,
            additional_data={"rows": plan.total, "created": created, "updated": len(updates)},
            force_log=True,
        )
    return record


def _create_residents(user, rows, now) -> int:
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        residents = []
        for row in batch:
            fields = dict(row.fields)
            id_number = fields.pop("id_number")
            resident = Resident(created_by=user, **fields, **Resident.id_number_columns(id_number))
            resident.phone_tail = phone_tail(resident.phone)
            if id_number and not resident.birth_date:
                resident.birth_date = id_birth_date(id_number)
            if id_number and not resident.gender:
                resident.gender = id_gender(id_number)
            residents.append(resident)
        Resident.objects.bulk_create(residents)
        for row, resident in zip(batch, residents, strict=True):
            row.resident = resident
        ResidentEvent.objects.bulk_create(
            ResidentEvent(resident=r, kind=ResidentEvent.Kind.CREATED, actor=user, at=now, text="表格导入")
            for r in residents
        )
    return len(rows)


def _update_residents(rows, now):
    """Fill in what the registry lacks (phone, address, birth date, gender); never blank a field."""
    changed = []
    for row in rows:
        resident = row.resident
        before = (resident.phone, resident.address, resident.birth_date, resident.gender)
        for name in ("phone", "address", "birth_date", "gender"):
            if row.fields.get(name):
                setattr(resident, name, row.fields[name])
        if (resident.phone, resident.address, resident.birth_date, resident.gender) != before:
            resident.phone_tail = phone_tail(resident.phone)
            resident.version += 1  # a form opened before the import is refused (stations.locking)
            resident.updated_at = now
            changed.append(resident)
    fields = ["phone", "phone_tail", "address", "birth_date", "gender", "version", "updated_at"]
    Resident.objects.bulk_update(changed, fields, batch_size=BATCH)


def _create_statuses(user, rows, now) -> int:
    residents = [r.resident.pk for r in rows if r.statuses]
    existing = set()
    for start in range(0, len(residents), BATCH):
        existing |= set(
            SupportStatus.objects.filter(
                resident_id__in=residents[start : start + BATCH], end_date__isnull=True
            ).values_list("resident_id", "kind_id")
        )
    statuses = [
        SupportStatus(
            resident=row.resident,
            kind=kind,
            start_date=start,
            category=category,
            grade=grade,
            source=SupportStatus.Source.IMPORT,
            recorded_by=user,
            recorded_at=now,
        )
        for row in rows
        for kind, start, category, grade in row.statuses
        if (row.resident.pk, kind.pk) not in existing  # already recorded and in force: kept as it is
    ]
    SupportStatus.objects.bulk_create(statuses, batch_size=BATCH)
    return len(statuses)


def _create_households(user, rows, now) -> int:
    groups = {}
    for row in rows:
        if row.household:
            groups.setdefault(row.household, []).append(row)
    if not groups:
        return 0
    in_one = set()
    members = [row.resident.pk for group in groups.values() for row in group]
    for start in range(0, len(members), BATCH):
        in_one |= set(
            HouseholdMembership.objects.filter(
                resident_id__in=members[start : start + BATCH], end_date__isnull=True
            ).values_list("resident_id", flat=True)
        )
    households = []
    for group in groups.values():
        head = next((r for r in group if r.relation == HouseholdMembership.Relation.HEAD), group[0])
        households.append(
            Household(
                community=head.fields["community"],
                address=head.fields["address"] or "（未填住址）",
                created_by=user,
                created_at=now,
            )
        )
    Household.objects.bulk_create(households, batch_size=BATCH)
    today = timezone.localdate(now)
    memberships = [
        HouseholdMembership(
            household=household, resident=row.resident, relation=row.relation, start_date=today
        )
        for household, group in zip(households, groups.values(), strict=True)
        for row in group
        if row.resident.pk not in in_one  # already in a household: a move is made on the care page
    ]
    HouseholdMembership.objects.bulk_create(memberships, batch_size=BATCH)
    return len(households)
