"""Who notes on a case and records supervision: a designated supervisor of the case's own district only;
not district staff without the designation, not other districts' supervisors, not station staff."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework import services
from casework.models import CaseEvent, SupervisionActionItem, SupervisionSession
from casework.permissions import is_case_supervisor
from tests.casework.factories import make_supervisor
from tests.casework.super_factories import a_case, designate

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return a_case(guoyuan, chaoyangli, worker2, risk="high")


@pytest.fixture
def supervisor(district_user):
    return designate(district_user)


def test_the_group_made_by_the_migration_designates_a_supervisor(district_user, worker, city_user):
    assert not is_case_supervisor(district_user)
    assert is_case_supervisor(designate(district_user))
    # The designation means nothing outside a district centre.
    assert not is_case_supervisor(designate(worker))
    assert not is_case_supervisor(designate(city_user))


def test_a_supervisor_of_the_district_notes_on_the_case_timeline(case, supervisor):
    event = services.add_supervision_note(acting_user=supervisor, case=case, text="  建议联系司法所。 ")
    assert (event.kind, event.actor, event.text) == (
        CaseEvent.Kind.SUPERVISION,
        supervisor,
        "建议联系司法所。",
    )
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.SUPERVISION]


def test_nobody_else_notes(case, district_user, other_district_user, worker, worker2, city_user, admin_user):
    other_supervisor = designate(other_district_user)
    for user in (district_user, other_supervisor, worker, worker2, city_user, admin_user):
        with pytest.raises(PermissionDenied):
            services.add_supervision_note(acting_user=user, case=case, text="意见")
    assert not case.events.exists()


def test_an_empty_or_long_note_is_refused_with_a_message(case, supervisor):
    with pytest.raises(services.CaseworkError, match="请填写督导意见"):
        services.add_supervision_note(acting_user=supervisor, case=case, text="   ")
    with pytest.raises(services.CaseworkError, match="不能超过 2000 字"):
        services.add_supervision_note(acting_user=supervisor, case=case, text="长" * 2001)
    assert not case.events.exists()


def test_a_minors_case_is_noted_by_a_supervisor_through_the_groups_sensitive_permission(
    guoyuan, chaoyangli, worker2, district_user
):
    child = a_case(guoyuan, chaoyangli, worker2, name="小明", born=datetime.date(2015, 5, 1))
    plain = make_supervisor(district_user)  # the permission alone, not the group
    with pytest.raises(PermissionDenied):  # designated by the permission alone: no minors' records
        services.add_supervision_note(acting_user=plain, case=child, text="意见")
    services.add_supervision_note(acting_user=designate(plain), case=child, text="意见")


def _session(supervisor, station, workers, **extra):
    fields = {
        "date": timezone.localdate(),
        "form": SupervisionSession.Form.GROUP,
        "topics": "高风险个案的安全计划",
        "workers": workers,
    }
    fields.update(extra)
    return services.record_supervision_session(acting_user=supervisor, station=station, **fields)


def test_a_session_with_cases_and_action_items(case, supervisor, guoyuan, worker, worker2):
    due = timezone.localdate() + datetime.timedelta(days=14)
    session = _session(
        supervisor, guoyuan, [worker, worker2], cases=[case], action_items=[("补全安全评估", worker2, due)]
    )
    assert session.district_id == guoyuan.district_id
    assert set(session.workers.all()) == {worker, worker2}
    assert list(session.cases.all()) == [case]
    item = session.action_items.get()
    assert (item.text, item.owner, item.due_on, item.done_on) == ("补全安全评估", worker2, due, None)
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.SUPERVISION and "高风险个案的安全计划" in event.text


def test_a_session_refuses_forged_workers_cases_and_owners(
    case, supervisor, guoyuan, jixianli, worker, other_worker, tailaixili
):
    due = timezone.localdate() + datetime.timedelta(days=7)
    other_case = a_case(jixianli, tailaixili, other_worker, name="王秀英")
    tries = [
        ({"workers": [other_worker]}, "在岗社工"),
        ({"workers": [worker], "cases": [other_case]}, "该社工站的个案"),
        ({"workers": [worker], "action_items": [("整改", other_worker, due)]}, "负责人"),
        (
            {
                "workers": [worker],
                "action_items": [("整改", worker, timezone.localdate() - datetime.timedelta(1))],
            },
            "截止日期",
        ),
        ({"workers": []}, "受督导的社工"),
        ({"workers": [worker], "date": timezone.localdate() + datetime.timedelta(days=1)}, "晚于今天"),
        ({"workers": [worker], "form": "phone"}, "督导形式"),
    ]
    for fields, message in tries:
        with pytest.raises(services.CaseworkError, match=message):
            _session(supervisor, guoyuan, **fields)
    assert not SupervisionSession.objects.exists() and not SupervisionActionItem.objects.exists()


def test_only_the_districts_supervisor_records_a_session(guoyuan, worker, district_user, other_district_user):
    for user in (district_user, designate(other_district_user), worker):
        with pytest.raises(PermissionDenied):
            _session(user, guoyuan, [worker])


def test_an_action_item_is_done_once_by_its_owner_the_head_or_the_supervisor(
    supervisor, guoyuan, worker, worker2, other_worker
):
    due = timezone.localdate() + datetime.timedelta(days=7)
    session = _session(
        supervisor, guoyuan, [worker2], action_items=[("a", worker2, due), ("b", worker2, due)]
    )
    first, second = session.action_items.order_by("pk")
    with pytest.raises(PermissionDenied):
        services.complete_action_item(acting_user=other_worker, item=first, version=first.version)
    done = services.complete_action_item(acting_user=worker2, item=first, version=first.version)
    assert done.done_on == timezone.localdate()
    with pytest.raises(services.CaseworkError, match="已被他人修改"):  # a stale version
        services.complete_action_item(acting_user=worker, item=first, version=first.version)
    with pytest.raises(services.CaseworkError, match="已完成"):
        services.complete_action_item(acting_user=worker, item=done, version=done.version)
    services.complete_action_item(acting_user=supervisor, item=second, version=second.version)
