"""The district sign-off and return of a closure, from the case page and the review queue (the closure
services do the step): only a supervisor of the case's district; forged or stale posts change nothing."""

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


def test_the_case_page_offers_the_sign_off_to_the_supervisor_only(
    client, closure, supervisor, worker, worker2
):
    url = closure.case.get_absolute_url()
    client.force_login(supervisor)
    assert "签批结案" in client.get(url).content.decode()
    for user in (worker, worker2):
        client.force_login(user)
        assert "签批结案" not in client.get(url).content.decode()


def test_sign_off_closes_the_case(client, closure, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("casework:closure-sign-off", args=[closure.pk]),
        {"version": closure.version, "comment": "同意结案。", "follow_up_due_on": "2030-01-15"},
    )
    assert response.status_code == 302 and response.url.startswith(closure.case.get_absolute_url())
    closure.refresh_from_db()
    assert (closure.status, closure.signed_off_by) == (Closure.Status.APPROVED, supervisor)
    assert str(closure.follow_up_due_on) == "2030-01-15"
    assert Case.objects.get(pk=closure.case_id).stage == Case.Stage.CLOSED
    assert closure.case.events.filter(kind=CaseEvent.Kind.CLOSURE_SIGNED, text="同意结案。").exists()


def test_return_from_the_queue_needs_a_comment(client, closure, supervisor):
    client.force_login(supervisor)
    url = reverse("casework:closure-district-return", args=[closure.pk])
    page = client.post(url, {"version": closure.version, "comment": "", "back": "queue"}, follow=True)
    assert "退回时请填写退回意见" in page.content.decode()
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_DISTRICT
    response = client.post(url, {"version": closure.version, "comment": "请补充回访计划。", "back": "queue"})
    assert response.url == reverse("casework:review-queue")
    closure.refresh_from_db()
    assert (closure.status, closure.returned_comment) == (Closure.Status.RETURNED, "请补充回访计划。")
    assert Case.objects.get(pk=closure.case_id).stage == Case.Stage.EVALUATION


def test_a_stale_version_changes_nothing(client, closure, supervisor):
    client.force_login(supervisor)
    url = reverse("casework:closure-sign-off", args=[closure.pk])
    page = client.post(url, {"version": closure.version - 1}, follow=True).content.decode()
    assert "已被他人修改" in page
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_DISTRICT


def test_who_may_sign_off_or_return(
    client, closure, worker, worker2, district_user, other_district_user, city_user
):
    posts = {"version": closure.version, "comment": "意见"}
    answers = {
        worker: 403,
        worker2: 403,
        district_user: 404,
        designate(other_district_user): 404,
        city_user: 404,
    }
    for user, status in answers.items():
        client.force_login(user)
        for name in ("casework:closure-sign-off", "casework:closure-district-return"):
            assert client.post(reverse(name, args=[closure.pk]), posts).status_code == status, (user, name)
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_DISTRICT


def test_the_supervisor_does_not_return_a_closure_at_the_heads_step(client, closure, supervisor):
    Closure.objects.filter(pk=closure.pk).update(status=Closure.Status.PENDING_HEAD)
    client.force_login(supervisor)
    url = reverse("casework:closure-district-return", args=[closure.pk])
    page = client.post(url, {"version": closure.version, "comment": "退回"}, follow=True).content.decode()
    assert "不在待区督导签批状态" in page
    assert Closure.objects.get(pk=closure.pk).status == Closure.Status.PENDING_HEAD


def test_the_queue_signs_off_in_place(client, closure, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("casework:review-queue")).content.decode()
    assert reverse("casework:closure-sign-off", args=[closure.pk]) in page
    response = client.post(
        reverse("casework:closure-sign-off", args=[closure.pk]), {"version": closure.version, "back": "queue"}
    )
    assert response.url == reverse("casework:review-queue")
    page = client.get(response.url).content.decode()
    assert "已签批" in page and reverse("casework:closure-sign-off", args=[closure.pk]) not in page
