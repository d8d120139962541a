"""Rules about one model: priority and due time, overdue, follow-up due, derived tags, search columns."""

import datetime

import pytest
from django.utils import timezone

from residents.models import (
    Category,
    Priority,
    Request,
    Resident,
    ResponseTarget,
    Severity,
    Urgency,
    priority_for,
)
from tests.factories import make_request
from tests.residents.factories import id_number, make_resident


@pytest.mark.parametrize(
    "severity, urgency, priority",
    [
        (Severity.SEVERE, Urgency.URGENT, Priority.P1),
        (Severity.MILD, Urgency.URGENT, Priority.P2),
        (Severity.SEVERE, Urgency.NOT_URGENT, Priority.P3),
        (Severity.MILD, Urgency.NOT_URGENT, Priority.P4),
    ],
)
def test_priority_matrix(severity, urgency, priority):
    assert priority_for(severity, urgency) == priority


@pytest.mark.django_db
@pytest.mark.parametrize("priority, hours", [(1, 24), (2, 72), (3, 168), (4, 360)])
def test_default_response_targets(priority, hours):
    assert ResponseTarget.objects.get(priority=priority).hours == hours
    assert ResponseTarget.hours_for(priority) == hours


@pytest.mark.django_db
def test_due_time_counts_from_receipt_and_follows_admin_targets():
    ResponseTarget.objects.filter(priority=2).update(hours=48)
    received = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))
    request = Request(severity=Severity.MILD, urgency=Urgency.URGENT, received_at=received)
    request.compute_priority()
    assert request.priority == 2
    assert request.due_at == received + datetime.timedelta(hours=48)


@pytest.mark.django_db
def test_due_time_falls_back_to_defaults_without_a_target():
    ResponseTarget.objects.filter(priority=1).delete()
    assert ResponseTarget.hours_for(1) == 24


def test_overdue_is_computed_from_due_time():
    now = timezone.now()
    request = Request(status=Request.Status.IN_PROGRESS, due_at=now - datetime.timedelta(minutes=1))
    assert request.is_overdue
    request.due_at = now + datetime.timedelta(hours=1)
    assert not request.is_overdue
    closed = Request(status=Request.Status.RESOLVED, due_at=now - datetime.timedelta(days=3))
    assert not closed.is_overdue  # only open requests can be overdue


@pytest.mark.django_db
def test_overdue_and_follow_up_querysets(guoyuan):
    late = make_request(guoyuan, status="in_progress", due_at=timezone.now() - datetime.timedelta(hours=1))
    on_time = make_request(guoyuan, status="in_progress")
    follow = make_request(
        guoyuan, status="resolved", follow_up_due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    later = make_request(
        guoyuan, status="resolved", follow_up_due_on=timezone.localdate() + datetime.timedelta(days=2)
    )
    assert set(Request.objects.overdue()) == {late}
    assert set(Request.objects.follow_up_due()) == {follow}
    assert set(Request.objects.queue()) == {late, on_time, follow}
    assert later.is_follow_up_due is False and follow.is_follow_up_due is True


@pytest.mark.django_db
def test_queue_is_ordered_by_priority_then_due_time(guoyuan):
    p4 = make_request(guoyuan, severity="mild", urgency="not_urgent")
    p1_late = make_request(guoyuan, severity="severe", urgency="urgent")
    p1_early = make_request(guoyuan, severity="severe", urgency="urgent")
    Request.objects.filter(pk=p1_early.pk).update(due_at=p1_late.due_at - datetime.timedelta(hours=2))
    assert list(Request.objects.queue()) == [p1_early, p1_late, p4]


def test_transitions_offered_match_the_workflow_table():
    """Every status-changing action starts only where TRANSITIONS allows its target status."""
    targets = {
        "start": Request.Status.IN_PROGRESS,
        "refer": Request.Status.REFERRED,
        "resolve": Request.Status.RESOLVED,
        "follow_up": Request.Status.CLOSED,
        "reopen": Request.Status.IN_PROGRESS,
        "withdraw": Request.Status.WITHDRAWN,
        "reject": Request.Status.REJECTED,
    }
    for action, target in targets.items():
        for status in Request.ACTION_FROM[action]:
            assert target in Request.TRANSITIONS[status], (action, status)
    for status in (Request.Status.CLOSED, Request.Status.WITHDRAWN, Request.Status.REJECTED):
        assert Request(status=status).available_actions() == {"note"}


@pytest.mark.django_db
def test_categories_are_two_levels_with_defaults():
    lighting = Category.objects.get(name="照明灯具")
    assert lighting.parent.name == "设施维修"
    assert (lighting.default_severity, lighting.default_urgency) == ("mild", "urgent")
    assert Category.objects.get(name="司法救助").default_priority == Priority.P1
    selectable = set(Category.objects.selectable())
    assert lighting in selectable
    assert lighting.parent not in selectable  # a first-level category with children is a heading
    for parent in [
        "生活照料",
        "设施维修",
        "救助帮扶",
        "法律/司法救助",
        "心理支持",
        "政策咨询",
        "矛盾调解",
        "活动需求",
        "环境治理",
    ]:
        assert Category.objects.filter(parent__name=parent).exists(), parent


@pytest.mark.django_db
def test_a_third_level_category_is_refused():
    from django.core.exceptions import ValidationError

    child = Category.objects.get(name="照明灯具")
    with pytest.raises(ValidationError):
        Category(name="灯泡", parent=child).full_clean()


@pytest.mark.django_db
def test_age_tags_are_derived_and_filterable(chaoyangli):
    today = timezone.localdate()
    eighty = today.replace(year=today.year - 80)
    old = make_resident(chaoyangli, name="高龄", birth_date=eighty)
    child = make_resident(chaoyangli, name="儿童", birth_date=today.replace(year=today.year - 10))
    almost_adult = make_resident(
        chaoyangli, name="十七岁", birth_date=today.replace(year=today.year - 18) + datetime.timedelta(days=1)
    )
    adult = make_resident(chaoyangli, name="成年", birth_date=today.replace(year=today.year - 18))
    unknown = make_resident(chaoyangli, name="不详")
    assert old.derived_tags() == ["高龄"]
    assert child.derived_tags() == ["未成年"] and almost_adult.derived_tags() == ["未成年"]
    assert adult.derived_tags() == [] and unknown.derived_tags() == []
    assert set(Resident.objects.elderly(today)) == {old}
    assert set(Resident.objects.minors(today)) == {child, almost_adult}


@pytest.mark.django_db
def test_search_tails_are_stored_and_searched(chaoyangli):
    number = id_number(seq=3)
    resident = make_resident(chaoyangli, name="李淑芬", id_number=number, phone="022-26391234")
    # The ID tail is stored as a keyed digest (with the birth date, a plain tail would give the number
    # away); the search computes the same digest.
    assert resident.id_tail != number[-4:] and len(resident.id_tail) == 16
    assert resident.phone_tail == "1234"
    assert list(Resident.objects.search(number[-4:])) == [resident]
    assert list(Resident.objects.search("1234")) == [resident]
    assert list(Resident.objects.search("淑芬")) == [resident]
    assert list(Resident.objects.search("9999")) == []
    resident.phone = "13800005555"
    resident.save(update_fields=["phone"])
    resident.refresh_from_db()
    assert resident.phone_tail == "5555"
