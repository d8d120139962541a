"""VisitPlan.community, the plan's copy of its resident's community (the access module's path to a plan's
station and district, and the dashboards' grouping): set when the plan is made, moved on every path that
changes the resident's community, so scope and figures follow the resident."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from residents.models import Resident, VisitPlan
from residents.services import resident_transfers
from sws.dashboards import visits
from sws.dashboards.periods import Period
from sws.dashboards.scope import Scope
from tests.residents.care_factories import enrol
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


def programme(user, station, today):
    period = Period.month(today)
    return visits.care_counts(Scope(user=user, station=station), period, None, today)[None]["programme"]


def test_a_new_plan_takes_its_residents_community(worker, chaoyangli):
    plan = enrol(make_resident(chaoyangli), worker)
    plan.refresh_from_db()
    assert plan.community_id == chaoyangli.pk


def test_the_resident_form_moves_the_plan_with_the_resident(client, worker, guoyuan, chaoyangli):
    xuri = guoyuan.streets.get().communities.get(code="120113001014")
    resident = make_resident(chaoyangli)
    plan = enrol(resident, worker)
    client.force_login(worker)
    url = reverse("residents:resident-edit", args=[resident.pk])
    response = client.post(url, {"version": resident.version, "name": resident.name, "community": xuri.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.community_id == xuri.pk == Resident.objects.get(pk=resident.pk).community_id
    assert VisitPlan.objects.filter(community__street__station=guoyuan).get() == plan


def test_a_save_with_the_same_community_writes_no_plan(worker, chaoyangli):
    resident = make_resident(chaoyangli)
    enrol(resident, worker)
    resident = Resident.objects.get(pk=resident.pk)
    resident.address = "朝阳里5号楼"
    with CaptureQueriesContext(connection) as queries:
        resident.save()
    assert not [q for q in queries.captured_queries if "residents_visitplan" in q["sql"]]


def test_a_direct_save_elsewhere_moves_the_plan_out_of_the_old_stations_scope(
    worker, other_worker, chaoyangli, tailaixili, guoyuan, jixianli
):
    """The admin's and any other save() of the resident."""
    resident = make_resident(chaoyangli)
    plan = enrol(resident, worker)
    today = timezone.localdate()
    assert programme(worker, guoyuan, today) == 1
    resident = Resident.objects.get(pk=resident.pk)
    resident.community = tailaixili
    resident.save()
    plan.refresh_from_db()
    assert plan.community_id == tailaixili.pk
    assert not VisitPlan.objects.visible_to(worker).filter(pk=plan.pk).exists()
    assert VisitPlan.objects.visible_to(other_worker).filter(pk=plan.pk).exists()
    assert programme(worker, guoyuan, today) == 0
    assert programme(other_worker, jixianli, today) == 1


def test_a_transfer_moves_the_plan_and_its_scope(
    client, worker, other_worker, chaoyangli, tailaixili, jixianli
):
    resident = make_resident(chaoyangli)
    plan = enrol(resident, worker)
    transfer = resident_transfers.propose_resident_transfer(
        acting_user=worker, resident=resident, to_station=jixianli, reason="moved", reason_text="搬至泰来西里"
    )
    client.force_login(other_worker)
    response = client.post(
        reverse("residents:transfer-decide", args=[transfer.pk]),
        {"decision": "accept", "community": tailaixili.pk, "note": "已入户核实"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.community_id == tailaixili.pk
    # From the outside: the sender's visit list and plan pages no longer reach it; the receiver's do.
    assert not VisitPlan.objects.visible_to(worker).filter(pk=plan.pk).exists()
    assert VisitPlan.objects.visible_to(other_worker).filter(pk=plan.pk).exists()


def test_the_migration_backfill_statement_copies_every_residents_community(worker, chaoyangli, tailaixili):
    """0024's UPDATE … FROM, run over plans whose copy is wrong, puts each right (one statement)."""
    from importlib import import_module

    backfill = import_module("residents.migrations.0024_visit_plan_community").BACKFILL
    plans = [enrol(make_resident(chaoyangli, name=f"居民{i}"), worker) for i in range(3)]
    VisitPlan.objects.update(community=tailaixili)
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    assert set(VisitPlan.objects.values_list("community_id", flat=True)) == {chaoyangli.pk}
    assert len(plans) == 3


def test_a_plan_saved_for_another_resident_takes_that_residents_community(worker, chaoyangli, tailaixili):
    """The admin's change form may name another resident: the copy is that resident's."""
    plan = enrol(make_resident(chaoyangli), worker)
    plan.resident = make_resident(tailaixili, name="李秀英")
    plan.save()
    plan.refresh_from_db()
    assert plan.community_id == tailaixili.pk
