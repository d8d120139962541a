"""The case records that are append-only (timeline, resident and plan events, fund ledger lines) share the
audit trail's guard (stations.audit.AppendOnlyModel / AppendOnlyQuerySet): a row is inserted once; saving it
again, deleting it, or a bulk update()/delete() of its queryset is refused with RecordImmutable (an
AppendOnlyError, and a ValueError as these models raised before), and nothing changes."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from projects.models import FundEntry, PlanEvent
from residents.models import Request, Resident, ResidentEvent, TimelineEvent
from stations.audit import AppendOnlyError, AuditRecordImmutable, RecordImmutable
from tests.factories import make_request
from tests.projects import factories as pf
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(guoyuan, chaoyangli, worker):
    """One recorded row of each append-only case model, with the field a forger would change."""
    request = make_request(guoyuan, user=worker)
    resident = make_resident(chaoyangli)
    resident_event = ResidentEvent.objects.create(resident=resident, kind="created", actor=worker)
    plan = pf.make_plan(guoyuan)
    plan_event = PlanEvent.objects.create(plan=plan, action="created", actor=worker)
    entry = pf.make_entry(pf.make_fund(guoyuan), "100.00")
    return {
        TimelineEvent: (request.events.get(), "text", "篡改"),
        ResidentEvent: (resident_event, "text", "篡改"),
        PlanEvent: (plan_event, "comment", "篡改"),
        FundEntry: (entry, "amount", Decimal("999.00")),
    }


MODELS = [TimelineEvent, ResidentEvent, PlanEvent, FundEntry]
LABELS = {
    TimelineEvent: "办理记录",
    ResidentEvent: "居民档案记录",
    PlanEvent: "方案记录",
    FundEntry: "基金收支记录",
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_recorded_row_cannot_be_saved_again_or_deleted(rows, model):
    row, field, forged = rows[model]
    original = getattr(row, field)
    setattr(row, field, forged)
    with pytest.raises(RecordImmutable, match=f"^{LABELS[model]}不可修改。$"):
        row.save()
    with pytest.raises(RecordImmutable, match=f"^{LABELS[model]}不可删除。$"):
        row.delete()
    assert getattr(model.objects.get(pk=row.pk), field) == original


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_bulk_update_and_delete_are_refused(rows, model, worker):
    row, field, forged = rows[model]
    original = getattr(row, field)
    with pytest.raises(RecordImmutable, match="不可修改"):
        model.objects.filter(pk=row.pk).update(**{field: forged})
    with pytest.raises(RecordImmutable, match="不可修改"):
        model.objects.visible_to(worker).update(**{field: forged})  # a scoped queryset too
    with (
        pytest.raises(RecordImmutable, match="不可修改"),
        transaction.atomic(),
    ):  # bulk_update has no savepoint
        model.objects.bulk_update([row], [field])
    with pytest.raises(RecordImmutable, match="不可删除"):
        model.objects.all().delete()
    assert model.objects.filter(pk=row.pk).count() == 1
    assert getattr(model.objects.get(pk=row.pk), field) == original


def test_related_managers_refuse_too(rows):
    event = rows[TimelineEvent][0]
    with pytest.raises(RecordImmutable):
        event.request.events.update(text="篡改")
    with pytest.raises(RecordImmutable):
        event.request.events.all().delete()
    assert event.request.events.get().text == event.text


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_unsaved_copy_with_a_recorded_id_does_not_overwrite_the_row(rows, model):
    """Django's save() of an instance with a primary key would UPDATE the row it names; the guard
    insists on an INSERT, which the existing primary key refuses."""
    row, field, forged = rows[model]
    original = getattr(row, field)
    copy = model.objects.get(pk=row.pk)
    copy._state.adding = True
    setattr(copy, field, forged)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert getattr(model.objects.get(pk=row.pk), field) == original


def test_one_shared_error_class_and_callers_catching_value_error_still_do():
    assert issubclass(RecordImmutable, AppendOnlyError) and issubclass(RecordImmutable, ValueError)
    assert issubclass(AuditRecordImmutable, AppendOnlyError)
    assert not issubclass(AuditRecordImmutable, ValueError)  # the audit trail's error is unchanged


def test_deleting_the_parent_still_removes_its_events(guoyuan, chaoyangli, worker):
    """The guard is on the events' own model and queryset; Django's cascade (raw deletes through the base
    manager) still removes a deleted request's timeline and a deleted resident's events."""
    request = make_request(guoyuan, user=worker)
    resident = make_resident(chaoyangli)
    ResidentEvent.objects.create(resident=resident, kind="created", actor=worker)
    Request.objects.filter(pk=request.pk).delete()
    Resident.objects.filter(pk=resident.pk).delete()
    assert not TimelineEvent.objects.filter(request_id=request.pk).exists()
    assert not ResidentEvent.objects.filter(resident_id=resident.pk).exists()
