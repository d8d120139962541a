"""The district sign-off and return of a closure from the review queue and the case page (the closure's
own steps and routes do the work, cwclose): only a supervisor of the case's district; forged or stale
posts change nothing."""

import pytest
from django.urls import reverse

from casework.models import Case, CaseEvent, Closure
from tests.casework.super_factories import a_case, designate, pending_closure

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(district_user):
    return designate(district_user)


@pytest.fixture
def closure(guoyuan, chaoyangli, worker, worker2):
    case = a_case(guoyuan, chaoyangli, worker2, risk="high", stage="closing")
    return pending_closure(case, worker2, worker)


def test_the_case_page_points_the_supervisor_to_the_sign_off(client, closure, supervisor, worker, worker2):
    url = closure.case.get_absolute_url()
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "结案待区督导签批" in page and reverse("casework:closure-sign-off", args=[closure.pk]) in page
    for user in (worker, worker2):
        client.force_login(user)
        assert "结案待区督导签批" not in client.get(url).content.decode()


def test_the_queue_signs_off_in_place(client, closure, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("casework:review-queue")).content.decode()
    assert reverse("casework:closure-sign-off", args=[closure.pk]) in page
    assert reverse("casework:closure-return", args=[closure.pk]) in page
    response = client.post(
        reverse("casework:closure-sign-off", args=[closure.pk]),
        {"version": closure.version, "comment": "同意结案。", "follow_up_due_on": "2030-01-15"},
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    assert (closure.status, closure.signed_off_by) == (Closure.Status.APPROVED, supervisor)
    assert str(closure.follow_up_due_on) == "2030-01-15"
    assert Case.objects.get(pk=closure.case_id).stage == Case.Stage.CLOSED
    assert closure.case.events.filter(kind=CaseEvent.Kind.CLOSURE_SIGNED, text="同意结案。").exists()
    page = client.get(reverse("casework:review-queue")).content.decode()
    assert reverse("casework:closure-sign-off", args=[closure.pk]) not in page


def test_a_return_from_the_queue_needs_a_comment(client, closure, supervisor):
    client.force_login(supervisor)
    url = reverse("casework:closure-return", args=[closure.pk])
    page = client.post(url, {"version": closure.version, "comment": ""}, follow=True).content.decode()
    assert "退回时请填写退回意见" in page
    assert Closure.objects.get(pk=closure.pk).status == Closure.Status.PENDING_DISTRICT
    client.post(url, {"version": closure.version, "comment": "请补充回访计划。"})
    closure.refresh_from_db()
    assert (closure.status, closure.returned_comment) == (Closure.Status.RETURNED, "请补充回访计划。")
    assert Case.objects.get(pk=closure.case_id).stage == Case.Stage.EVALUATION


def test_nobody_else_signs_off(
    client, closure, worker, worker2, district_user, other_district_user, city_user
):
    posts = {"version": closure.version, "comment": "意见"}
    for user in (worker, worker2, district_user, designate(other_district_user), city_user):
        client.force_login(user)
        client.post(reverse("casework:closure-sign-off", args=[closure.pk]), posts)
    assert Closure.objects.get(pk=closure.pk).status == Closure.Status.PENDING_DISTRICT
    assert not closure.case.events.exists()
