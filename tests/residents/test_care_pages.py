"""The care pages from outside: 本周待探访, one-tap logging (htmx), the visit form, the care page and its
steps; scope, forged fields, stale versions and bounded queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from residents import care
from residents.models import (
    Household,
    HouseholdMembership,
    Request,
    RiskTierChange,
    SupportStatus,
    Visit,
    VisitPlan,
)
from residents.views_care import week_end
from stations.locking import STALE_MESSAGE
from tests.factories import category
from tests.residents.care_factories import enrol, status_type
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def today():
    return timezone.localdate()


def test_week_ends_on_sunday():
    assert week_end(datetime.date(2026, 12, 3)) == datetime.date(2026, 12, 6)  # a Thursday
    assert week_end(datetime.date(2026, 12, 6)) == datetime.date(2026, 12, 6)


@pytest.fixture
def programme(chaoyangli, worker, worker2):
    """Four residents of 果园新村 in the programme: overdue, due this week, due later, and one of 李静's."""
    overdue = enrol(
        make_resident(chaoyangli, name="逾期甲", address="9号楼"),
        worker,
        next_due_on=today() - datetime.timedelta(5),
    )
    due = enrol(
        make_resident(chaoyangli, name="本周乙", address="1号楼"), worker, next_due_on=week_end(today())
    )
    later = enrol(
        make_resident(chaoyangli, name="下周丙"),
        worker,
        next_due_on=week_end(today()) + datetime.timedelta(1),
    )
    theirs = enrol(make_resident(chaoyangli, name="李静负责", address="5号楼"), worker2, next_due_on=today())
    return overdue, due, later, theirs


def names(response):
    return [plan.resident.name for plan in response.context["page"].object_list]


def test_the_list_shows_mine_overdue_first_then_the_route(client, worker, programme):
    client.force_login(worker)
    response = client.get(reverse("residents:visit-due"), {"who": "mine"})
    assert response.status_code == 200
    assert names(response) == ["逾期甲", "本周乙"]  # not next week's, not 李静's
    assert response.context["overdue_count"] == 1
    assert "逾期5天" in response.content.decode()
    assert names(client.get(reverse("residents:visit-due"))) == [
        "逾期甲",
        "本周乙",
        "李静负责",
    ]  # the station


def test_the_list_is_scoped(client, other_worker, district_user, programme):
    client.force_login(other_worker)
    assert names(client.get(reverse("residents:visit-due"), {"who": "station"})) == []
    client.force_login(district_user)
    response = client.get(reverse("residents:visit-due"))
    assert len(names(response)) == 3 and "已探访" not in response.content.decode()  # reads, no buttons


def test_the_list_masks_sensitive_residents(client, worker2, chaoyangli, worker):
    minor = make_resident(chaoyangli, name="王小明", birth_date=today() - datetime.timedelta(days=365 * 10))
    enrol(minor, worker2)
    client.force_login(worker2)
    body = client.get(reverse("residents:visit-due"), {"who": "mine"}).content.decode()
    assert "王**" in body and "王小明" not in body


def test_one_tap_logs_a_visit_and_swaps_the_row(client, worker, programme):
    overdue = programme[0]
    client.force_login(worker)
    response = client.post(
        reverse("residents:visit-log", args=[overdue.resident.pk]),
        {"outcome": "seen", "version": overdue.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert f'id="plan-{overdue.pk}"' in response.content.decode() and "已登记" in response.content.decode()
    visit = Visit.objects.get()
    assert (visit.visitor, visit.visited_on, visit.form, visit.on_time) == (worker, today(), "home", False)
    assert VisitPlan.objects.get(pk=overdue.pk).next_due_on == today() + datetime.timedelta(days=7)


def test_one_tap_on_a_stale_row_is_refused(client, worker, worker2, programme):
    overdue = programme[0]
    care.log_visit(acting_user=worker2, resident=overdue.resident)
    client.force_login(worker)
    response = client.post(
        reverse("residents:visit-log", args=[overdue.resident.pk]),
        {"outcome": "seen", "version": overdue.version},
        **HTMX,
    )
    assert response.status_code == 400 and STALE_MESSAGE in response.content.decode()
    assert Visit.objects.count() == 1


def test_the_full_form_with_need_found_opens_one_request(client, worker, programme):
    plan = programme[1]
    client.force_login(worker)
    url = reverse("residents:visit-log", args=[plan.resident.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": plan.version,
            "visited_on": today().isoformat(),
            "form": "phone",
            "outcome": "seen",
            "mood": "poor",
            "need_found": "想申请助餐",
            "need_category": category("助餐助浴").pk,
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.request == Request.objects.get() and visit.form == "phone"


def test_bad_input_is_a_chinese_error_and_writes_nothing(client, worker, programme):
    plan = programme[1]
    client.force_login(worker)
    url = reverse("residents:visit-log", args=[plan.resident.pk])
    tomorrow = (today() + datetime.timedelta(1)).isoformat()
    response = client.post(url, {"version": plan.version, "outcome": "seen", "visited_on": tomorrow})
    assert response.status_code == 400 and "日期不能晚于今天" in response.content.decode()
    response = client.post(url, {"version": plan.version, "outcome": "seen", "need_found": "要修灯"})
    assert response.status_code == 400 and "请选择诉求分类" in response.content.decode()
    assert not Visit.objects.exists() and not Request.objects.exists()


def test_visits_of_another_station_are_404(client, other_worker, programme):
    client.force_login(other_worker)
    plan = programme[0]
    response = client.post(
        reverse("residents:visit-log", args=[plan.resident.pk]),
        {"outcome": "seen", "version": plan.version},
        **HTMX,
    )
    assert response.status_code == 404 and not Visit.objects.exists()


def test_the_care_page_sets_a_tier_and_records_a_status(client, worker, resident):
    client.force_login(worker)
    url = reverse("residents:resident-care", args=[resident.pk])
    assert "评定风险等级并纳入探访" in client.get(url).content.decode()
    response = client.post(
        reverse("residents:resident-tier", args=[resident.pk]), {"tier": 1, "reason": "独居高龄"}
    )
    assert response.status_code == 302
    assert RiskTierChange.objects.get().tier == 1
    response = client.post(
        reverse("residents:resident-status-add", args=[resident.pk]),
        {"kind": status_type("living-alone").pk, "start_date": "2024-01-01", "source": "visit"},
    )
    assert response.status_code == 302 and SupportStatus.objects.get().kind.code == "living-alone"
    body = client.get(url).content.decode()
    assert "独居" in body and "一级" in body


def test_a_stale_tier_form_is_refused(client, worker, worker2, resident):
    plan = enrol(resident, worker, tier=2)
    care.set_risk_tier(acting_user=worker2, resident=resident, tier=3, reason="复评", version=plan.version)
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-tier", args=[resident.pk]),
        {"tier": 1, "reason": "复评", "version": plan.version},
    )
    assert response.status_code == 400 and STALE_MESSAGE in response.content.decode()
    assert VisitPlan.objects.get().tier == 3


def test_household_join_and_a_forged_household_of_another_station(
    client, worker, resident, other_worker, tailaixili
):
    theirs = care.create_household(acting_user=other_worker, community=tailaixili, address="外站某户")
    client.force_login(worker)
    url = reverse("residents:resident-household", args=[resident.pk])
    response = client.post(url, {"household": theirs.pk, "relation": "head", "start_date": "2024-01-01"})
    assert response.status_code == 400 and not HouseholdMembership.objects.exists()
    response = client.post(url, {"address": "3号楼2门301", "relation": "head", "start_date": "2024-01-01"})
    assert response.status_code == 302
    membership = HouseholdMembership.objects.get()
    assert membership.household.address == "3号楼2门301" and Household.objects.count() == 2
    assert "独居" in client.get(reverse("residents:resident-care", args=[resident.pk])).content.decode()


def test_the_care_page_of_another_station_is_404(client, other_worker, resident):
    client.force_login(other_worker)
    assert client.get(reverse("residents:resident-care", args=[resident.pk])).status_code == 404
    response = client.post(
        reverse("residents:resident-tier", args=[resident.pk]), {"tier": 1, "reason": "越权"}
    )
    assert response.status_code == 404 and not VisitPlan.objects.exists()


def _fill(chaoyangli, worker, n):
    for i in range(n):
        resident = make_resident(chaoyangli, name=f"居民{i}", address=f"{i}号楼")
        enrol(resident, worker, next_due_on=today() - datetime.timedelta(i % 3))
        care.log_visit(
            acting_user=worker,
            resident=resident,
            visited_on=today() - datetime.timedelta(1),
            outcome="nobody_home",
        )


@pytest.mark.parametrize("name", ["visit-due", "resident-care"])
def test_pages_answer_in_bounded_queries(
    client, worker, chaoyangli, resident, django_assert_max_num_queries, name
):
    enrol(resident, worker)
    client.force_login(worker)
    url = (
        reverse("residents:visit-due")
        if name == "visit-due"
        else reverse("residents:resident-care", args=[resident.pk])
    )
    _fill(chaoyangli, worker, 3)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    _fill(chaoyangli, worker, 12)
    for _ in range(5):
        care.log_visit(acting_user=worker, resident=resident, visited_on=today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
