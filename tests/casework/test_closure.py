"""结案: the request, the station head's approval (never by the requester), the district supervisor's
sign-off for a high-risk case or a minor's, returning, 结案回访 and reopening with the history kept."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

from casework import services
from casework.models import Case, CaseEvent, Closure
from casework.services.closure import FOLLOW_UP_AFTER
from notifications.models import Notification
from tests.casework.closing import case_at, minor
from tests.casework.factories import make_supervisor

pytestmark = pytest.mark.django_db

Stage = Case.Stage
Status = Closure.Status


def grant_sensitive(user):
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive_resident"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return case_at(guoyuan, chaoyangli, worker2, stage=Stage.EVALUATION)


@pytest.fixture
def supervisor(district_user):
    return make_supervisor(district_user)


def request(case, user, reason=Closure.Reason.GOALS_MET):
    case.refresh_from_db()
    return services.request_closure(
        acting_user=user,
        case=case,
        reason=reason,
        summary="目标均已达成，服务对象同意结案。",
        version=case.version,
    )


def approve(closure, head, **kwargs):
    closure.refresh_from_db()
    return services.approve_closure(acting_user=head, closure=closure, version=closure.version, **kwargs)


def test_request_then_head_approval_closes_the_case(case, worker, worker2):
    closure = request(case, worker2)
    case.refresh_from_db()
    assert (case.stage, closure.status, closure.needs_district_signoff) == (
        Stage.CLOSING,
        Status.PENDING_HEAD,
        False,
    )
    assert Notification.objects.filter(recipient=worker, event="closure_awaiting_head").count() == 1

    with freeze_time("2026-12-03 10:00"):
        approve(closure, worker, comment="同意")
    case.refresh_from_db()
    closure.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closed_at is not None and case.review_due_on is None
    assert closure.status == Status.APPROVED and closure.head_approved_by == worker
    assert closure.follow_up_due_on == datetime.date(2026, 12, 3) + FOLLOW_UP_AFTER
    kinds = list(case.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.CLOSURE_REQUESTED, CaseEvent.Kind.CLOSURE_APPROVED, CaseEvent.Kind.CLOSED]
    assert Notification.objects.filter(recipient=worker2, event="closure_decided").count() == 1


def test_the_requester_cannot_approve_their_own_closure(guoyuan, chaoyangli, worker, worker2):
    # The head works a case herself: her own request goes to the district supervisors, never to herself.
    case = case_at(guoyuan, chaoyangli, worker, stage=Stage.EVALUATION)
    closure = request(case, worker)
    assert closure.status == Status.PENDING_DISTRICT and closure.needs_district_signoff
    with pytest.raises(services.CaseworkError, match="本人提出"):
        approve(closure, worker)
    closure.refresh_from_db()
    assert closure.status == Status.PENDING_DISTRICT and closure.head_approved_by is None


def test_a_worker_who_is_not_head_cannot_approve(case, worker2):
    closure = request(case, worker2)
    with pytest.raises(PermissionDenied):
        approve(closure, worker2)


def test_closure_only_from_evaluation(guoyuan, chaoyangli, worker2):
    for stage in (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.CLOSED):
        case = case_at(guoyuan, chaoyangli, worker2, stage=stage)
        with pytest.raises(services.CaseworkError):
            request(case, worker2)
        assert not case.closures.exists()
        case.refresh_from_db()
        assert case.stage == stage


def test_reason_and_summary_are_required(case, worker2):
    with pytest.raises(services.CaseworkError, match="结案原因"):
        services.request_closure(
            acting_user=worker2, case=case, reason="x", summary="好", version=case.version
        )
    with pytest.raises(services.CaseworkError, match="结案小结"):
        services.request_closure(
            acting_user=worker2, case=case, reason="goals_met", summary=" ", version=case.version
        )
    assert not Closure.objects.exists()


def test_a_stale_version_is_refused(case, worker2):
    with pytest.raises(services.CaseworkError, match="已被他人修改"):
        services.request_closure(
            acting_user=worker2, case=case, reason="goals_met", summary="小结", version=case.version - 1
        )
    assert not Closure.objects.exists()


@pytest.mark.parametrize("kind", ["high_risk", "minor"])
def test_high_risk_or_minor_needs_the_district_sign_off(
    kind, guoyuan, chaoyangli, worker, worker2, supervisor
):
    worker2 = grant_sensitive(worker2)
    supervisor = grant_sensitive(supervisor)
    if kind == "high_risk":
        case = case_at(guoyuan, chaoyangli, worker2, stage=Stage.EVALUATION, risk=Case.Risk.HIGH)
    else:
        case = case_at(guoyuan, chaoyangli, worker2, stage=Stage.EVALUATION, client=minor(chaoyangli))
    closure = request(case, worker2)
    assert closure.needs_district_signoff
    approve(closure, worker)
    closure.refresh_from_db()
    case.refresh_from_db()
    # The head's approval alone does not close it: it stays pending with the district.
    assert closure.status == Status.PENDING_DISTRICT and case.stage == Stage.CLOSING
    assert Notification.objects.filter(recipient=supervisor, event="closure_awaiting_signoff").count() == 1
    with pytest.raises(services.CaseworkError):
        approve(closure, worker)  # approving again is no way around it

    services.sign_off_closure(
        acting_user=supervisor, closure=closure, version=closure.version, comment="同意结案"
    )
    closure.refresh_from_db()
    case.refresh_from_db()
    assert closure.status == Status.APPROVED and closure.signed_off_by == supervisor
    assert case.stage == Stage.CLOSED
    assert case.events.filter(kind=CaseEvent.Kind.CLOSURE_SIGNED, actor=supervisor).exists()


def test_a_risk_raised_after_the_request_still_needs_the_sign_off(case, worker, worker2):
    closure = request(case, worker2)
    Case.objects.filter(pk=case.pk).update(risk=Case.Risk.HIGH)
    approve(closure, worker)
    closure.refresh_from_db()
    assert closure.status == Status.PENDING_DISTRICT


def test_sign_off_only_by_a_supervisor_of_that_district(
    guoyuan,
    chaoyangli,
    worker,
    worker2,
    district_user,
    other_district_user,
    other_worker,
    city_user,
    admin_user,
):
    case = case_at(guoyuan, chaoyangli, worker2, stage=Stage.EVALUATION, risk=Case.Risk.HIGH)
    closure = request(case, worker2)
    # Before the head's approval, not even the district's supervisor signs.
    supervisor = make_supervisor(district_user)
    with pytest.raises(services.CaseworkError):
        services.sign_off_closure(acting_user=supervisor, closure=closure, version=closure.version)
    approve(closure, worker)
    closure.refresh_from_db()
    other_supervisor = make_supervisor(other_district_user)
    plain_district_user = type(district_user).objects.get(pk=district_user.pk)
    plain_district_user.user_permissions.clear()
    plain_district_user = type(district_user).objects.get(pk=district_user.pk)
    for outsider in (
        other_supervisor,
        plain_district_user,
        worker,
        worker2,
        other_worker,
        city_user,
        admin_user,
    ):
        with pytest.raises(PermissionDenied):
            services.sign_off_closure(acting_user=outsider, closure=closure, version=closure.version)
    closure.refresh_from_db()
    assert closure.status == Status.PENDING_DISTRICT


def test_head_returns_with_a_comment_and_the_case_goes_back_to_evaluation(case, worker, worker2):
    closure = request(case, worker2)
    with pytest.raises(services.CaseworkError, match="退回意见"):
        services.return_closure(acting_user=worker, closure=closure, comment=" ", version=closure.version)
    closure.refresh_from_db()
    services.return_closure(
        acting_user=worker, closure=closure, comment="请补充回访计划", version=closure.version
    )
    closure.refresh_from_db()
    case.refresh_from_db()
    assert closure.status == Status.RETURNED and closure.returned_comment == "请补充回访计划"
    assert case.stage == Stage.EVALUATION
    # A returned closure cannot be approved afterwards; the worker asks again.
    with pytest.raises(services.CaseworkError):
        approve(closure, worker)
    again = request(case, worker2)
    assert again.status == Status.PENDING_HEAD and case.closures.count() == 2


def test_supervisor_returns_at_their_step_not_at_the_heads(case, worker, worker2, supervisor):
    Case.objects.filter(pk=case.pk).update(risk=Case.Risk.HIGH)
    closure = request(case, worker2)
    with pytest.raises(PermissionDenied):
        services.return_closure(
            acting_user=supervisor, closure=closure, comment="不行", version=closure.version
        )
    approve(closure, worker)
    closure.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.return_closure(acting_user=worker, closure=closure, comment="不行", version=closure.version)
    services.return_closure(
        acting_user=supervisor, closure=closure, comment="风险未解除", version=closure.version
    )
    case.refresh_from_db()
    assert case.stage == Stage.EVALUATION


def test_follow_up_after_closing(case, worker, worker2):
    with freeze_time("2026-11-01 10:00"):
        closure = request(case, worker2)
        approve(closure, worker, follow_up_due_on=datetime.date(2026, 11, 20))
    closure.refresh_from_db()
    assert closure.follow_up_due_on == datetime.date(2026, 11, 20)
    with freeze_time("2026-11-25 10:00"):
        with pytest.raises(services.CaseworkError, match="晚于今天"):
            services.record_closure_follow_up(
                acting_user=worker2,
                closure=closure,
                done_on=datetime.date(2026, 11, 26),
                notes="好",
                version=closure.version,
            )
        with pytest.raises(services.CaseworkError, match="早于结案"):
            services.record_closure_follow_up(
                acting_user=worker2,
                closure=closure,
                done_on=datetime.date(2026, 10, 30),
                notes="好",
                version=closure.version,
            )
        services.record_closure_follow_up(
            acting_user=worker2,
            closure=closure,
            done_on=datetime.date(2026, 11, 24),
            notes="生活规律，已参加社区活动",
            version=closure.version,
        )
    closure.refresh_from_db()
    assert closure.follow_up_done_on == datetime.date(2026, 11, 24)
    assert case.events.filter(kind=CaseEvent.Kind.FOLLOW_UP).count() == 1


def test_reopen_keeps_the_history(case, worker, worker2, other_worker):
    closure = request(case, worker2)
    approve(closure, worker)
    case.refresh_from_db()
    events_before = list(case.events.order_by("pk").values_list("pk", "kind"))
    with pytest.raises(services.CaseworkError, match="原因"):
        services.reopen_case(acting_user=worker2, case=case, reason="", version=case.version)
    with pytest.raises(PermissionDenied):
        services.reopen_case(acting_user=other_worker, case=case, reason="复发", version=case.version)
    with freeze_time("2026-12-03 10:00"):
        services.reopen_case(
            acting_user=worker2, case=case, reason="服务对象情绪再次低落", version=case.version
        )
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT and case.closed_at is None
    assert case.review_due_on == datetime.date(2026, 12, 3) + datetime.timedelta(days=90)
    # The earlier closure and every earlier event are still there, the reopening after them.
    closure.refresh_from_db()
    assert closure.status == Status.APPROVED
    assert list(case.events.order_by("pk").values_list("pk", "kind"))[: len(events_before)] == events_before
    assert case.events.order_by("pk").last().kind == CaseEvent.Kind.REOPENED
    # A reopened case is not closed again without a new evaluation and request.
    with pytest.raises(services.CaseworkError):
        request(case, worker2)


def test_reopen_only_a_closed_case(case, worker2):
    with pytest.raises(services.CaseworkError, match="已结案"):
        services.reopen_case(acting_user=worker2, case=case, reason="原因", version=case.version)


def test_outsiders_cannot_request(case, other_worker, far_worker, supervisor, city_user, admin_user, guoyuan):
    from tests.casework.closing import colleague

    for outsider in (other_worker, far_worker, supervisor, city_user, admin_user, colleague(guoyuan)):
        with pytest.raises(PermissionDenied):
            request(case, outsider)
    assert not Closure.objects.exists()
