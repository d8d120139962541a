"""The audit trail: creates, changes and deletes of residents, requests, stations (and the rest) are
recorded with who, when, from where and what changed; personal numbers are masked in it; records can
be neither changed nor deleted, not even by a superuser in admin."""

import pytest
from auditlog.context import set_actor
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib import admin
from django.http import HttpResponse
from django.test import RequestFactory

from residents.models import Referral, Request, Resident, VulnerabilityTag
from stations.audit import REDACTED, AccessedResident, AuditLogEntry, AuditRecordImmutable, PersonalDataAccess
from stations.models import Assignment, Certificate, Community, Station, Street, User
from sws.security.middleware import AuditMiddleware
from tests.factories import make_request
from tests.security.conftest import id_number, make_resident

CREATE, UPDATE, DELETE = AuditLogEntry.Action.CREATE, AuditLogEntry.Action.UPDATE, AuditLogEntry.Action.DELETE


def entries_for(obj):
    return list(AuditLogEntry.objects.get_for_object(obj).order_by("timestamp", "pk"))


def test_the_middleware_records_who_and_from_where(worker, guoyuan):
    def view(request):
        guoyuan.address = "北辰区果园新村街道1号"
        guoyuan.save()
        return HttpResponse("ok")

    request = RequestFactory().post("/stations/1/edit/", REMOTE_ADDR="10.20.30.40")
    request.user = worker
    AuditMiddleware(view)(request)
    entry = entries_for(guoyuan)[-1]
    assert entry.action == UPDATE
    assert entry.actor == worker
    assert entry.remote_addr == "10.20.30.40"
    assert entry.changes_dict["address"] == ["", "北辰区果园新村街道1号"]


def test_a_forged_forwarded_for_does_not_reach_the_trail(worker, guoyuan, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    def view(request):
        guoyuan.phone = "022-2"
        guoyuan.save()
        return HttpResponse("ok")

    request = RequestFactory().post("/", REMOTE_ADDR="10.20.30.40", HTTP_X_FORWARDED_FOR="6.6.6.6")
    request.user = worker
    AuditMiddleware(view)(request)
    assert entries_for(guoyuan)[-1].remote_addr == "10.20.30.40"


def test_resident_create_change_delete(worker, chaoyangli):
    with set_actor(worker, remote_addr="10.0.0.1"):
        resident = make_resident(chaoyangli, name="张桂兰", address="朝阳里1号")
        resident_id = resident.pk
        resident.address = "朝阳里2号"
        resident.save()
        resident.delete()
    entries = AuditLogEntry.objects.filter(object_id=resident_id, content_type__model="resident").order_by(
        "pk"
    )
    assert [e.action for e in entries] == [CREATE, UPDATE, DELETE]
    assert all(e.actor_id == worker.pk and e.remote_addr == "10.0.0.1" for e in entries)
    # Which field changed, not what it held (personal values stay out of the trail).
    assert entries[1].changes_dict == {"address": [REDACTED, REDACTED]}


def test_request_create_and_change(worker, guoyuan, chaoyangli):
    with set_actor(worker):
        request = make_request(guoyuan, chaoyangli, user=worker)
        request.status = Request.Status.TRIAGED
        request.save()
        request_pk = request.pk
        Referral.objects.create(
            request=request, organisation="北辰区司法所", reason="法律咨询", referred_by=worker
        )
    actions = [e.action for e in entries_for(Request.objects.get(pk=request_pk))]
    assert actions == [CREATE, UPDATE]
    assert AuditLogEntry.objects.filter(content_type__model="referral", action=CREATE).count() == 1


def test_request_delete(worker, guoyuan, chaoyangli):
    request = make_request(guoyuan, chaoyangli, user=worker)
    pk = request.pk
    with set_actor(worker):
        request.delete()
    assert AuditLogEntry.objects.filter(content_type__model="request", object_id=pk, action=DELETE).exists()


def test_station_create_change_delete(admin_user, beichen):
    with set_actor(admin_user, remote_addr="10.0.0.2"):
        station = Station.objects.create(code="120113099", name="测试社工站", district=beichen)
        station.phone = "022-26391234"
        station.save()
        pk = station.pk
        station.delete()
    entries = AuditLogEntry.objects.filter(content_type__model="station", object_id=pk).order_by("pk")
    assert [e.action for e in entries] == [CREATE, UPDATE, DELETE]
    assert entries[1].changes_dict["phone"] == ["", "022-26391234"]


def test_id_numbers_and_phones_are_masked_in_the_trail(worker, chaoyangli):
    number = id_number(7)
    with set_actor(worker):
        resident = make_resident(chaoyangli, id_number=number, phone="13812345678")
        resident.phone = "13987654321"
        resident.save()
    create, update = entries_for(resident)
    stored = str(create.changes) + str(update.changes)
    assert number not in stored and "13812345678" not in stored and "13987654321" not in stored
    # Stored encrypted: the trail shows the number decrypted and masked, never ciphertext or digests.
    assert resident.id_number_encrypted not in stored and resident.id_number_hash not in stored
    # The trail says the ID number was recorded, never a value derived from it (the masked number beside
    # the birth date would be the whole number); phones likewise.
    assert create.changes_dict["id_number_encrypted"][1] == REDACTED
    assert number[-4:] not in stored and "5678" not in stored and "4321" not in stored
    assert update.changes_dict["phone"] == [REDACTED, REDACTED]
    assert "id_tail" not in create.changes_dict and "phone_tail" not in create.changes_dict
    assert "id_number_hash" not in create.changes_dict


def test_tags_changes_are_recorded(worker, chaoyangli):
    tag = VulnerabilityTag.objects.get_or_create(code="alone-test", defaults={"name": "独居测试"})[0]
    resident = make_resident(chaoyangli)
    with set_actor(worker):
        resident.tags.add(tag)
    change = entries_for(resident)[-1]
    assert change.changes_dict["tags"]["operation"] == "add"
    assert change.changes_dict["tags"]["objects"] == [REDACTED]  # one tag added; which one is not kept


def test_passwords_and_last_login_are_not_recorded(worker):
    before = len(entries_for(worker))
    worker.set_password("Another-Pass-2026")
    worker.save()
    # The event is recorded (stations.audit.record_password_event), never the password or its hash.
    assert entries_for(worker)[-1].changes_dict == {"password": ["", "设置密码"]}
    before += 1
    from django.utils import timezone

    worker.last_login = timezone.now()
    worker.save(update_fields=["last_login"])
    assert len(entries_for(worker)) == before
    worker.name = "徐芃泽（站长）"
    worker.save()
    assert entries_for(worker)[-1].changes_dict == {"name": ["徐芃泽", "徐芃泽（站长）"]}


def test_the_audited_models_are_registered():
    for model in (Resident, Request, Referral, Station, Street, Community, Assignment, Certificate, User):
        assert auditlog.contains(model), model
    for model in apps.get_app_config("projects").get_models():
        assert auditlog.contains(model), model


# --- Immutability ---------------------------------------------------------------------------------


@pytest.fixture
def entry(worker, guoyuan):
    with set_actor(worker):
        guoyuan.phone = "022-1"
        guoyuan.save()
    return entries_for(guoyuan)[-1]


@pytest.fixture
def access(worker, chaoyangli):
    from stations.audit import record_access

    request = RequestFactory().get("/residents/")
    request.user = worker
    return record_access(request, "view", residents=make_resident(chaoyangli))


def test_an_entry_cannot_be_changed_or_deleted(entry):
    entry.object_repr = "forged"
    with pytest.raises(AuditRecordImmutable):
        entry.save()
    with pytest.raises(AuditRecordImmutable):
        entry.delete()
    with pytest.raises(AuditRecordImmutable):
        AuditLogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(AuditRecordImmutable):
        AuditLogEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.object_repr != "forged"


def test_an_access_record_cannot_be_changed_or_deleted(access):
    access.reason = "forged"
    with pytest.raises(AuditRecordImmutable):
        access.save()
    with pytest.raises(AuditRecordImmutable):
        access.delete()
    with pytest.raises(AuditRecordImmutable):
        PersonalDataAccess.objects.update(reason="forged")
    with pytest.raises(AuditRecordImmutable):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(AuditRecordImmutable):
        AccessedResident.objects.all().delete()
    assert PersonalDataAccess.objects.get(pk=access.pk).reason == ""


def test_an_actor_with_history_cannot_be_deleted(entry, worker):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        worker.delete()


@pytest.mark.parametrize("model", [AuditLogEntry, PersonalDataAccess])
def test_no_admin_may_add_change_or_delete_audit_records(rf, admin_user, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = admin_user
    assert admin_user.is_superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)  # reading is allowed


def test_the_admin_refuses_deleting_and_editing_an_entry(client, admin_user, entry, access):
    client.force_login(admin_user)
    for url in (
        f"/admin/stations/auditlogentry/{entry.pk}/delete/",
        f"/admin/stations/personaldataaccess/{access.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/stations/auditlogentry/{entry.pk}/change/", {"object_repr": "forged"})
    assert response.status_code == 403
    response = client.post(
        "/admin/stations/auditlogentry/", {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(f"/admin/stations/auditlogentry/{entry.pk}/change/").status_code == 200
