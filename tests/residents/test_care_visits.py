"""Risk tiers and the visit programme: next-due arithmetic, need found → one request, escalation."""

import datetime

import pytest
from django.utils import timezone

from residents import care
from residents.models import Request, RiskTierChange, Visit, VisitPlan, VisitRule, due_visits
from residents.services import WorkflowError
from stations.audit import AuditLogEntry
from tests.factories import category
from tests.residents.care_factories import enrol, ensure_care_defaults, status_type

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def ago(days):
    return today() - datetime.timedelta(days=days)


# --- arithmetic (no database) ------------------------------------------------------------------------


def test_due_after_a_visit_is_the_interval_later():
    assert VisitPlan.due_after_visit(datetime.date(2026, 3, 2), 7) == datetime.date(2026, 3, 9)


def test_a_failed_visit_is_retried_within_two_days_but_never_later_than_the_interval():
    assert VisitPlan.due_after_failed(datetime.date(2026, 3, 2), 30) == datetime.date(2026, 3, 4)
    assert VisitPlan.due_after_failed(datetime.date(2026, 3, 2), 1) == datetime.date(2026, 3, 3)


def test_tier_change_counts_the_new_interval_from_the_last_visit():
    plan = VisitPlan(
        tier=3, last_visited_on=datetime.date(2026, 3, 1), next_due_on=datetime.date(2026, 5, 30)
    )
    assert plan.due_for_tier(7) == datetime.date(2026, 3, 8)  # 三级 → 一级: due a week after the last visit
    plan = VisitPlan(tier=1, last_visited_on=datetime.date(2026, 3, 1), next_due_on=datetime.date(2026, 3, 8))
    assert plan.due_for_tier(90) == datetime.date(2026, 5, 30)  # 一级 → 三级: a quarter after it


def test_tier_change_with_a_retry_pending_keeps_the_retry():
    plan = VisitPlan(
        tier=1,
        last_visited_on=datetime.date(2026, 3, 1),
        next_due_on=datetime.date(2026, 3, 10),
        failed_in_row=1,
    )
    assert plan.due_for_tier(30) == datetime.date(2026, 3, 10)


def test_tier_change_before_any_visit_keeps_the_due_date():
    plan = VisitPlan(tier=3, enrolled_on=datetime.date(2026, 3, 1), next_due_on=datetime.date(2026, 3, 1))
    assert plan.due_for_tier(7) == datetime.date(2026, 3, 1)


# --- tiers --------------------------------------------------------------------------------------------


def test_setting_a_tier_enrols_the_resident_due_at_once_with_history(resident, worker):
    plan = enrol(resident, worker, tier=1)
    assert plan.next_due_on == today() and plan.worker == worker and plan.active
    change = RiskTierChange.objects.get(resident=resident)
    assert (change.tier, change.previous_tier, change.actor, change.reason) == (
        1,
        None,
        worker,
        "独居高龄，行动不便",
    )
    assert AuditLogEntry.objects.get_for_object(plan).filter(action=AuditLogEntry.Action.CREATE).exists()


def test_rules_suggest_but_never_set_the_tier(resident, worker):
    ensure_care_defaults()
    care.record_support_status(
        acting_user=worker,
        resident=resident,
        kind=status_type("living-alone"),
        start_date=ago(100),
        source="visit",
    )
    plan = care.set_risk_tier(acting_user=worker, resident=resident, tier=3, reason="本人意愿，女儿每周回家")
    assert plan.tier == 3  # the worker's decision stands
    assert RiskTierChange.objects.get(resident=resident).suggested_tier == 1  # 独居 + 80岁以上 → 一级


def test_a_tier_needs_a_reason_and_writes_nothing_without_one(resident, worker):
    ensure_care_defaults()
    with pytest.raises(WorkflowError) as error:
        care.set_risk_tier(acting_user=worker, resident=resident, tier=1, reason="  ")
    assert "评定理由" in str(error.value)
    assert not VisitPlan.objects.exists() and not RiskTierChange.objects.exists()


def test_tier_change_moves_the_due_date_and_keeps_history(resident, worker):
    plan = enrol(
        resident, worker, tier=3, last_visited_on=ago(10), next_due_on=ago(10) + datetime.timedelta(90)
    )
    plan = care.set_risk_tier(
        acting_user=worker, resident=resident, tier=1, reason="跌倒后独自在家", version=plan.version
    )
    assert plan.next_due_on == ago(3)  # a week after the last visit: three days overdue now
    assert list(RiskTierChange.objects.filter(resident=resident).values_list("previous_tier", "tier")) == [
        (None, 3),
        (3, 1),
    ]


def test_a_stale_tier_change_is_refused(resident, worker, worker2):
    plan = enrol(resident, worker, tier=2)
    care.set_risk_tier(acting_user=worker2, resident=resident, tier=1, reason="复评", version=plan.version)
    with pytest.raises(WorkflowError) as error:
        care.set_risk_tier(acting_user=worker, resident=resident, tier=3, reason="复评", version=plan.version)
    assert "已被他人修改" in str(error.value)
    assert VisitPlan.objects.get(pk=plan.pk).tier == 1


def test_another_station_cannot_set_a_tier(resident, other_worker):
    ensure_care_defaults()
    with pytest.raises(WorkflowError):
        care.set_risk_tier(acting_user=other_worker, resident=resident, tier=1, reason="越权")
    assert not VisitPlan.objects.exists()


def test_the_admins_frequency_table_is_used(resident, worker):
    ensure_care_defaults()
    VisitRule.objects.filter(tier=1).update(interval_days=3)
    enrol(resident, worker, tier=1)
    visit = care.log_visit(acting_user=worker, resident=resident, visited_on=today())
    assert VisitPlan.objects.get(pk=visit.resident.visit_plan.pk).next_due_on == today() + datetime.timedelta(
        days=3
    )


# --- visits -------------------------------------------------------------------------------------------


def test_a_visit_moves_the_next_due_date_by_the_tiers_interval(resident, worker):
    enrol(resident, worker, tier=2, next_due_on=ago(1))
    visit = care.log_visit(acting_user=worker, resident=resident, visited_on=today(), mood=Visit.Mood.GOOD)
    plan = VisitPlan.objects.get(resident=resident)
    assert plan.last_visited_on == today() and plan.next_due_on == today() + datetime.timedelta(days=30)
    assert visit.due_on == ago(1) and not visit.on_time and visit.request is None


def test_a_missed_visit_stays_overdue_until_logged(resident, worker):
    plan = enrol(resident, worker, tier=1, last_visited_on=ago(20), next_due_on=ago(13))
    assert plan.is_overdue() and plan.days_overdue() == 13
    assert list(VisitPlan.objects.overdue()) == [plan]
    assert list(due_visits(on=today())) == [plan]


def test_need_found_creates_exactly_one_linked_request(resident, worker):
    enrol(resident, worker)
    visit = care.log_visit(
        acting_user=worker,
        resident=resident,
        need_found="厨房灯坏了，晚上看不见",
        need_category=category("照明灯具"),
        health="腿脚不便",
    )
    request = Request.objects.get()
    assert visit.request == request and request.visit == visit
    assert request.resident == resident and request.channel == Request.Channel.HOME_VISIT
    assert "厨房灯坏了" in request.description and request.created_by == worker


def test_need_found_without_a_category_writes_nothing(resident, worker):
    enrol(resident, worker)
    with pytest.raises(WorkflowError) as error:
        care.log_visit(acting_user=worker, resident=resident, need_found="需要助餐")
    assert "诉求分类" in str(error.value)
    assert not Visit.objects.exists() and not Request.objects.exists()


def test_two_failed_visits_in_a_row_escalate_once(resident, worker):
    enrol(resident, worker, tier=1)
    first = care.log_visit(acting_user=worker, resident=resident, visited_on=ago(2), outcome="nobody_home")
    assert not first.escalated and Request.objects.count() == 0
    plan = VisitPlan.objects.get(resident=resident)
    assert plan.failed_in_row == 1 and plan.next_due_on == today()
    second = care.log_visit(acting_user=worker, resident=resident, visited_on=today(), outcome="nobody_home")
    assert second.escalated
    escalation = Request.objects.get()
    assert second.request == escalation and escalation.priority == 1
    assert "连续2次未遇" in escalation.description
    care.log_visit(acting_user=worker, resident=resident, visited_on=today(), outcome="nobody_home")
    assert Request.objects.count() == 1  # the third does not escalate again


def test_a_visit_in_between_resets_the_count(resident, worker):
    enrol(resident, worker, tier=1)
    care.log_visit(acting_user=worker, resident=resident, visited_on=ago(3), outcome="nobody_home")
    care.log_visit(acting_user=worker, resident=resident, visited_on=ago(2))
    care.log_visit(acting_user=worker, resident=resident, visited_on=today(), outcome="nobody_home")
    assert not Request.objects.exists()
    assert VisitPlan.objects.get(resident=resident).failed_in_row == 1


def test_a_visit_in_the_future_is_refused(resident, worker):
    enrol(resident, worker)
    with pytest.raises(WorkflowError) as error:
        care.log_visit(acting_user=worker, resident=resident, visited_on=today() + datetime.timedelta(days=1))
    assert "不能晚于今天" in str(error.value)
    assert not Visit.objects.exists()


def test_a_neighbour_visit_names_the_volunteer(resident, worker):
    enrol(resident, worker)
    with pytest.raises(WorkflowError):
        care.log_visit(acting_user=worker, resident=resident, form=Visit.Form.NEIGHBOUR)
    visit = care.log_visit(
        acting_user=worker, resident=resident, form=Visit.Form.NEIGHBOUR, volunteer_name="刘阿姨"
    )
    assert visit.volunteer_name == "刘阿姨"


def test_a_resident_outside_the_programme_cannot_be_visited(resident, worker):
    with pytest.raises(WorkflowError) as error:
        care.log_visit(acting_user=worker, resident=resident)
    assert "不在探访名单" in str(error.value)


def test_visits_of_another_station_are_refused(resident, worker, other_worker):
    enrol(resident, worker)
    with pytest.raises(WorkflowError):
        care.log_visit(acting_user=other_worker, resident=resident)
    assert not Visit.objects.exists()


def test_the_visit_log_is_append_only(resident, worker):
    enrol(resident, worker)
    visit = care.log_visit(acting_user=worker, resident=resident)
    visit.health = "改过"
    with pytest.raises(Exception, match="探访记录不可修改"):
        visit.save()
