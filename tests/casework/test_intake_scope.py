"""Outsiders on cwopen's pages: other station, other district, municipal centre, admin, a colleague not on
the case, district staff not designated supervisors; forged ids in URLs and fields."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse

from casework.models import Assessment, Case, CaseEvent, CasePlan
from sws.context_processors import navigation
from tests import factories as f
from tests.casework.factories import make_supervisor
from tests.casework.open_factories import open_accepted, planned
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_worker(guoyuan):
    user = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    f.make_assignment(user, guoyuan)
    return user


@pytest.fixture
def own(worker2, chaoyangli):
    case = open_accepted(
        worker2, make_resident(chaoyangli, name="孙秀英", birth_date=datetime.date(1950, 3, 8))
    )
    plan = planned(worker2, case)
    case.refresh_from_db()
    return case, case.assessments.get(), plan


@pytest.fixture
def neighbours(other_worker, tailaixili):
    case = open_accepted(other_worker, make_resident(tailaixili, name="王秀英"))
    plan = planned(other_worker, case)
    case.refresh_from_db()
    return case, case.assessments.get(), plan


def _urls(case, assessment, plan):
    return [
        reverse("casework:case-detail", args=[case.pk]),
        reverse("casework:assessment", args=[assessment.pk]),
        reverse("casework:plan", args=[plan.pk]),
    ]


def test_nobody_outside_reads_the_case_or_its_records(
    client,
    own,
    third_worker,
    other_worker,
    far_worker,
    district_user,
    other_district_user,
    city_user,
    admin_user,
):
    make_supervisor(other_district_user)  # a supervisor, of another district
    outsiders = [
        third_worker,
        other_worker,
        far_worker,
        district_user,
        other_district_user,
        city_user,
        admin_user,
    ]
    for user in outsiders:
        client.force_login(user)
        for url in _urls(*own):
            assert client.get(url).status_code == 404, (user, url)
        assert (
            client.post(
                reverse("casework:plan-review", args=[own[2].pk]), {"decision": "approve"}
            ).status_code
            == 404
        )


def test_the_supervisor_reads_but_does_not_work_the_case(client, own, district_user, worker):
    case, assessment, plan = own
    client.force_login(make_supervisor(district_user))
    for url in _urls(*own):
        assert client.get(url).status_code == 200
    for name in ("case-consent", "case-accept", "assessment-start", "plan-start"):
        assert (
            client.post(reverse(f"casework:{name}", args=[case.pk])).status_code == 403
        )  # not station staff
    # A worker's plan is the head's (徐芃泽, `worker`) to decide, not the supervisor's.
    client.post(
        reverse("casework:plan-review", args=[plan.pk]), {"version": plan.version, "decision": "approve"}
    )
    assert CasePlan.objects.get(pk=plan.pk).status == CasePlan.Status.SUBMITTED


def test_the_case_list_holds_only_readable_cases(
    client, own, neighbours, worker, third_worker, district_user
):
    url = reverse("casework:case-list")
    client.force_login(worker)
    page = client.get(url).content.decode()
    assert own[0].reference in page and neighbours[0].reference not in page
    client.force_login(third_worker)
    page = client.get(url).content.decode()
    assert own[0].reference not in page
    client.force_login(make_supervisor(district_user))
    page = client.get(url).content.decode()
    assert own[0].reference in page and neighbours[0].reference in page


def test_the_case_list_filters_cannot_be_forged_into_another_scope(
    client, own, neighbours, worker, other_worker
):
    client.force_login(worker)
    url = reverse("casework:case-list")
    response = client.get(url, {"worker": other_worker.pk})  # another station's worker: not a choice
    assert neighbours[0].reference not in response.content.decode()
    response = client.get(url, {"worker": str(10**30), "station": str(2**63)})
    assert response.status_code == 200


def test_a_plan_of_another_station_cannot_be_reviewed_by_its_id(client, worker, neighbours):
    _case, _assessment, plan = neighbours
    client.force_login(worker)
    response = client.post(
        reverse("casework:plan-review", args=[plan.pk]), {"version": plan.version, "decision": "approve"}
    )
    assert response.status_code == 404
    assert CasePlan.objects.get(pk=plan.pk).status == CasePlan.Status.SUBMITTED


def test_a_forged_colleague_of_another_station_is_not_shared_with(client, own, worker2, other_worker):
    case = own[0]
    client.force_login(worker2)
    client.post(reverse("casework:case-share", args=[case.pk]), {"colleague": other_worker.pk})
    client.post(
        reverse("casework:case-workers", args=[case.pk]),
        {"version": case.version, "lead_worker": other_worker.pk},
    )
    case.refresh_from_db()
    assert not case.shared_with.exists() and case.lead_worker == worker2
    assert not case.events.filter(kind=CaseEvent.Kind.WORKERS).exists()


def test_huge_ids_in_the_urls_are_404(client, worker):
    client.force_login(worker)
    for name in ("case-detail", "assessment", "plan", "case-open-from-request"):
        assert client.get(reverse(f"casework:{name}", args=[2**63])).status_code == 404


def test_the_nav_has_cases_for_station_staff_and_designated_supervisors_only(
    worker2, district_user, other_district_user
):
    def labels(user):
        request = RequestFactory().get("/")
        request.user = user
        return [item["label"] for item in navigation(request)["nav_items"]]

    assert "个案" in labels(worker2)
    assert "本区个案" not in labels(district_user)
    assert "本区个案" in labels(make_supervisor(district_user))


def test_the_request_page_offers_no_conversion_to_readers_who_may_not(
    client, guoyuan, worker2, district_user, chaoyangli
):
    resident = make_resident(chaoyangli, name="周大爷")
    req = f.make_request(guoyuan, chaoyangli, user=worker2, resident=resident)
    client.force_login(district_user)
    page = client.get(req.get_absolute_url()).content.decode()
    assert reverse("casework:case-open-from-request", args=[req.pk]) not in page
    assert client.get(reverse("casework:case-open-from-request", args=[req.pk])).status_code == 403
    assert not Case.objects.exists() and not Assessment.objects.exists()
