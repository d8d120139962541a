"""Workflow steps and resident edits are conditional QuerySet.update()s that auditlog's signals never see:
the services write their audit entries themselves (who, from where, what changed), with personal data
masked, and the auditor reads them on the per-resident history page."""

import datetime

import pytest
from django.urls import reverse

from residents import services
from residents.models import Referral, Request, Resident, VulnerabilityTag
from stations.audit import REDACTED, AuditLogEntry
from stations.models import User
from tests import factories as f
from tests.factories import make_request
from tests.residents.factories import id_number

pytestmark = pytest.mark.django_db

CREATE, UPDATE = AuditLogEntry.Action.CREATE, AuditLogEntry.Action.UPDATE


def entries(obj):
    return list(AuditLogEntry.objects.get_for_object(obj).order_by("pk"))


def post(client, req, action, **data):
    url = reverse(f"residents:request-{action.replace('_', '-')}", args=[req.pk])
    response = client.post(url, {"version": Request.objects.get(pk=req.pk).version, **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return Request.objects.get(pk=req.pk)


def test_each_workflow_step_is_in_the_trail_with_actor_address_and_changes(client, worker, worker2, guoyuan):
    req = make_request(guoyuan, user=worker)
    before = len(entries(req))
    client.force_login(worker)
    post(client, req, "triage", severity="severe", urgency="urgent")
    post(client, req, "assign", assignee=worker2.pk)
    post(client, req, "start")
    post(client, req, "refer", organisation="区法律援助中心", reason="需要法律援助")
    referral = Referral.objects.get(request=req)
    response = client.post(
        reverse("residents:referral-outcome", args=[req.pk, referral.pk]),
        {"version": Request.objects.get(pk=req.pk).version, "outcome": "done", "note": "已办结"},
    )
    assert response.status_code == 302
    post(client, req, "resolve", note="已更换灯泡")
    post(client, req, "follow_up", satisfaction="satisfied")
    steps = entries(req)[before:]
    assert all(e.action == UPDATE and e.actor == worker and e.remote_addr == "127.0.0.1" for e in steps)
    changes = [e.changes_dict for e in steps]
    assert changes[0]["status"] == ["new", "triaged"] and changes[0]["priority"] == ["2", "1"]
    assert changes[1]["assignee"] == ["None", str(worker2.pk)]
    assert changes[2]["status"] == ["triaged", "in_progress"]
    assert changes[3]["status"] == ["in_progress", "referred"]
    assert changes[4]["status"] == ["referred", "resolved"]  # resolve (the outcome changed no field)
    assert changes[5]["status"] == ["resolved", "closed"] and changes[5]["satisfaction"] == ["", "satisfied"]
    assert len(steps) == 6
    assert all("version" not in c for c in changes)
    outcome = entries(referral)[-1]
    assert outcome.action == UPDATE and outcome.changes_dict["outcome"] == ["pending", "done"]
    assert outcome.actor == worker


def test_a_refused_step_writes_no_entry(client, worker, guoyuan):
    req = make_request(guoyuan, user=worker)
    stale = req.version
    services.start_request(acting_user=worker, request=req)
    count = AuditLogEntry.objects.count()
    client.force_login(worker)
    url = reverse("residents:request-triage", args=[req.pk])
    client.post(url, {"version": stale, "severity": "severe", "urgency": "urgent"})
    assert AuditLogEntry.objects.count() == count


def test_a_project_resolving_requests_is_audited_through_the_same_steps(worker, guoyuan):
    req = make_request(guoyuan, user=worker)
    services.start_request(acting_user=worker, request=req)
    services.resolve_request(acting_user=worker, request=req, note="项目统一解决")
    last = entries(req)[-1]
    assert last.actor == worker and last.changes_dict["status"] == ["in_progress", "resolved"]


def test_registering_a_resident_is_audited_with_the_id_number_masked(client, worker, chaoyangli):
    number = id_number(datetime.date(1950, 3, 8), seq=51)
    tag = VulnerabilityTag.objects.get(name="独居老人")
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-create"),
        {
            "name": "李淑芬",
            "id_number": number,
            "phone": "13812345678",
            "community": chaoyangli.pk,
            "tags": [tag.pk],
        },
    )
    assert response.status_code == 302
    resident = Resident.objects.get(name="李淑芬")
    created, tagged = entries(resident)
    assert created.action == CREATE and created.actor == worker and created.remote_addr == "127.0.0.1"
    # Recorded as changed, never a value derived from it; the birth date (from the number) likewise.
    assert created.changes_dict["id_number_encrypted"][1] == REDACTED
    assert created.changes_dict["birth_date"][1] == REDACTED
    assert created.changes_dict["phone"][1] == REDACTED
    assert tagged.changes_dict["tags"] == {"type": "m2m", "operation": "add", "objects": [REDACTED]}
    _assert_no_personal_data(resident, number, "13812345678")


def test_editing_a_resident_is_audited_with_changed_fields_masked(client, worker, resident):
    old_number, new_number = resident.id_number, id_number(datetime.date(1944, 5, 2), seq=52)
    tag = VulnerabilityTag.objects.get(name="独居老人")
    before = len(entries(resident))
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-edit", args=[resident.pk]),
        {
            "name": "张桂兰",
            "id_number": new_number,
            "phone": "13987654321",
            "community": resident.community_id,
            "address": "朝阳里3号楼",
            "tags": [tag.pk],
            "version": resident.version,
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    edit, tagged = entries(resident)[before:]
    assert edit.action == UPDATE and edit.actor == worker and edit.remote_addr == "127.0.0.1"
    assert edit.changes_dict["id_number_encrypted"] == [REDACTED, REDACTED]
    assert edit.changes_dict["phone"] == [REDACTED, REDACTED]
    assert edit.changes_dict["address"] == ["", REDACTED]  # filled in; what it says is not kept
    assert "name" not in edit.changes_dict  # unchanged fields are not listed
    assert (
        set(edit.changes_dict) & {"id_number_hash", "id_tail", "phone_tail", "version", "updated_at"} == set()
    )
    assert tagged.changes_dict["tags"]["operation"] == "add"
    _assert_no_personal_data(resident, old_number, "13820135678")
    _assert_no_personal_data(resident, new_number, "13987654321")


def test_an_edit_that_changes_nothing_writes_no_entry(worker, resident):
    before = len(entries(resident))
    services.update_resident(
        acting_user=worker, resident=resident, version=resident.version, name=resident.name
    )
    services.update_resident(
        acting_user=worker, resident=resident, version=resident.version, id_number=resident.id_number.lower()
    )
    assert len(entries(resident)) == before


def _assert_no_personal_data(resident, number, phone):
    for entry in entries(resident):
        stored = f"{entry.changes} {entry.serialized_data} {entry.object_repr} {entry.additional_data}"
        assert number not in stored and phone not in stored
        assert number[-4:] not in stored and number[6:14] not in stored and phone[-4:] not in stored
        assert resident.id_number_encrypted not in stored and str(resident.id_number_hash) not in stored


def test_the_auditor_reads_them_on_the_residents_history(client, worker, guoyuan, resident):
    auditor = f.make_user("auditor-r", User.Role.AUDITOR, name="审计员")
    req = make_request(guoyuan, resident.community, user=worker, resident=resident)
    services.start_request(acting_user=worker, request=req)
    services.update_resident(
        acting_user=worker, resident=resident, version=resident.version, address="新地址1号"
    )
    client.force_login(auditor)
    html = client.get(reverse("security:audit-resident", args=[resident.pk])).content.decode()
    assert "住址" in html and "办理中" in html  # which field changed, and the request's status
    assert "新地址1号" not in html and resident.name not in html
    assert resident.id_number not in html and resident.phone not in html
