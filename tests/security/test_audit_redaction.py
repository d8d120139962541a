"""The change log records which fields of residents, requests and referrals changed, who did it, when and
from where; never the values of personal and case fields (names, addresses, notes, tags, request texts),
never a value derived from the ID number, and no birth date, which would complete a masked ID number.
Entries recorded before this rule are cleaned by `manage.py redact_audit_history` (audited), and pages
never show their values meanwhile."""

import datetime
import io
import json

import pytest
from auditlog.context import set_actor
from django.core.management import call_command
from django.db import models, transaction

from residents import services
from residents.models import Referral, Resident, VulnerabilityTag
from stations.audit import REDACTED, AuditLogEntry, append_only_guard_off
from tests.factories import make_request
from tests.security.conftest import id_number

ID = id_number(seq=48, region="120104", born="19591102")  # 120104 19591102 048 + check digit
SECRETS = ["王秀英", "朝阳里3号楼", "独居需每周探访", "1959-11-02", "19591102", ID, ID[-4:]]
SECRETS += ["13812345678", "5678"]
TAG = "独居老人"


def resident_entries(resident_id):
    return AuditLogEntry.objects.filter(content_type__model="resident", object_id=resident_id).order_by("pk")


def stored_text(entries) -> str:
    return " ".join(
        json.dumps(e.changes, ensure_ascii=False) + e.object_repr + (e.changes_text or "") for e in entries
    )


@pytest.fixture
def history(worker, chaoyangli):
    """A resident registered and edited through the services (ID number, birth date, notes, tags), and a
    request with a referral: what the change log holds about them."""
    tag = VulnerabilityTag.objects.get_or_create(name=TAG)[0]
    with set_actor(worker, remote_addr="10.7.7.7"):
        resident = services.register_resident(
            acting_user=worker,
            name="王秀英",
            id_number=ID,
            birth_date=datetime.date(1959, 11, 2),
            phone="13812345678",
            community=chaoyangli,
            address="朝阳里3号楼",
            notes="独居需每周探访",
            tags=[tag],
        )
        resident = services.update_resident(
            acting_user=worker,
            resident=resident,
            version=resident.version,
            name="王秀英",
            address="朝阳里3号楼2门",
            notes="独居需每周探访，子女在外地",
            tags=[],
        )
        request = make_request(worker.station, chaoyangli, user=worker, resident=resident)
        Referral.objects.create(
            request=request, organisation="北辰区司法所", reason="王秀英的赡养纠纷", referred_by=worker
        )
    return resident, request


def test_the_stored_entries_say_which_fields_changed_and_hold_no_values(history):
    resident, request = history
    entries = list(resident_entries(resident.pk))
    assert entries, "the resident's registration and edit are recorded"
    text = stored_text(entries)
    for secret in SECRETS + [TAG, "朝阳里3号楼2门", "子女在外地"]:
        assert secret not in text, secret
    created = entries[0].changes
    assert created["id_number_encrypted"][1] == REDACTED  # the ID number was recorded, as changed only
    assert created["birth_date"][1] == REDACTED
    assert created["name"] == ["None", REDACTED] or created["name"][1] == REDACTED
    edited = [e.changes for e in entries[1:] if "address" in (e.changes or {})]
    assert edited and edited[0]["address"] == [REDACTED, REDACTED]
    assert all(e.object_repr == f"#{resident.pk}" for e in entries)  # not the name
    others = AuditLogEntry.objects.filter(content_type__model__in=["request", "referral"])
    other_text = stored_text(others)
    assert "楼道灯坏了" not in other_text and "赡养纠纷" not in other_text
    assert others.filter(content_type__model="request").exists()


def test_the_auditors_resident_history_shows_no_name_address_note_or_number(client, auditor, history):
    resident, _ = history
    client.force_login(auditor)
    page = client.get(f"/audit/residents/{resident.pk}/").content.decode()
    assert "10.7.7.7" in page and "住址" in page and "备注" in page  # who, from where, which fields
    for secret in SECRETS + [TAG, "子女在外地", "楼道灯坏了", "赡养纠纷", "120104********"]:
        assert secret not in page, secret
    changes = client.get("/audit/").content.decode()
    for secret in SECRETS + [TAG, "楼道灯坏了", "赡养纠纷"]:
        assert secret not in changes, secret


def _forge_legacy_entry(resident):
    """An entry as the trail recorded them before this release: values in clear, the name as repr."""
    entry = resident_entries(resident.pk).first()
    legacy = {
        "name": ["None", "王秀英"],
        "birth_date": ["None", "1959-11-02"],
        "id_number_encrypted": ["None", "120104********0485"],
        "address": ["None", "朝阳里3号楼"],
        "notes": ["None", "独居需每周探访"],
        "community": ["None", str(resident.community_id)],
    }
    with transaction.atomic(), append_only_guard_off():
        models.QuerySet.update(
            AuditLogEntry.objects.filter(pk=entry.pk), changes=legacy, object_repr="王秀英"
        )
    return entry.pk


def test_entries_recorded_before_are_not_shown_and_the_one_off_command_cleans_them(
    client, auditor, admin_user, history
):
    resident, _ = history
    pk = _forge_legacy_entry(resident)
    client.force_login(auditor)
    page = client.get(f"/audit/residents/{resident.pk}/").content.decode()
    for secret in ["王秀英", "1959-11-02", "0485", "朝阳里3号楼", "独居需每周探访"]:
        assert secret not in page, secret
    client.force_login(admin_user)
    admin_page = client.get(f"/admin/stations/auditlogentry/{pk}/change/").content.decode()
    admin_list = client.get("/admin/stations/auditlogentry/").content.decode()
    for secret in ["王秀英", "1959-11-02", "0485", "朝阳里3号楼"]:
        assert secret not in admin_page and secret not in admin_list, secret

    out = io.StringIO()
    call_command("redact_audit_history", "--dry-run", stdout=out)
    assert "1 change-log entries would be redacted" in out.getvalue()
    assert AuditLogEntry.objects.get(pk=pk).object_repr == "王秀英"  # a dry run changes nothing

    call_command("redact_audit_history", stdout=io.StringIO())
    entry = AuditLogEntry.objects.get(pk=pk)
    assert entry.object_repr == f"#{resident.pk}"
    assert entry.changes["address"] == ["None", REDACTED]
    assert entry.changes["community"] == ["None", str(resident.community_id)]  # not personal: kept
    assert "王秀英" not in stored_text(AuditLogEntry.objects.all())
    run = AuditLogEntry.objects.filter(content_type__model="auditlogentry").get()
    assert run.object_pk == "redact_audit_history" and run.changes == {"脱敏数据变更记录": ["", "1"]}

    out = io.StringIO()
    call_command("redact_audit_history", stdout=out)  # idempotent
    assert "0 change-log entries redacted" in out.getvalue()


def test_the_auditor_sees_the_cleanup_run(client, auditor, history):
    resident, _ = history
    _forge_legacy_entry(resident)
    call_command("redact_audit_history", stdout=io.StringIO())
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "审计记录维护：redact_audit_history" in page and "脱敏数据变更记录" in page


def test_the_records_of_a_minor_hold_nothing_the_sensitive_rule_hides(client, auditor, worker, chaoyangli):
    """A minor's record: a worker without the sensitive permission gets 403 on the resident; the auditor,
    who has no such permission either, reads no more of it in the trail than of anyone else's."""
    minor_id = id_number(seq=21, born="20150601")
    with set_actor(worker):
        child = services.register_resident(
            acting_user=worker,
            name="李小明",
            id_number=minor_id,
            birth_date=datetime.date(2015, 6, 1),
            community=chaoyangli,
            address="朝阳里9号",
            notes="留守，祖母照看",
        )
    client.force_login(auditor)
    page = client.get(f"/audit/residents/{child.pk}/").content.decode()
    for secret in ["李小明", "朝阳里9号", "留守，祖母照看", "2015-06-01", minor_id[-4:]]:
        assert secret not in page, secret
    assert Resident.objects.filter(pk=child.pk).exists()


def test_entries_written_in_bulk_are_redacted_too(chaoyangli):
    from django.contrib.contenttypes.models import ContentType

    resident = Resident.objects.create(community=chaoyangli, name="孙丽华", address="朝阳里7号")
    AuditLogEntry.objects.bulk_create(
        [
            AuditLogEntry(
                content_type=ContentType.objects.get_for_model(Resident),
                object_pk=str(resident.pk),
                object_id=resident.pk,
                object_repr="孙丽华",
                action=AuditLogEntry.Action.UPDATE,
                changes={"address": ["朝阳里7号", "朝阳里8号"]},
            )
        ]
    )
    entry = AuditLogEntry.objects.filter(object_id=resident.pk).latest("pk")
    assert entry.object_repr == f"#{resident.pk}" and entry.changes == {"address": [REDACTED, REDACTED]}
