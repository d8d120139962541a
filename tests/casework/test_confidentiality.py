"""Who reads a case record: its workers, their station head, the district's supervisors; nobody else
(other station staff, other districts, the municipal centre, admins, district staff not designated)."""

import datetime

import pytest
from django.urls import reverse

from casework.models import Case, CaseEvent
from stations.audit import PersonalDataAccess
from tests import factories as f
from tests.casework.factories import make_case, make_supervisor
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_worker(guoyuan):
    user = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    f.make_assignment(user, guoyuan)
    return user


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    client = make_resident(chaoyangli, name="孙秀英")
    return make_case(guoyuan, client, worker2)


def _readers(case, users):
    return {user.username for user in users if Case.objects.visible_to(user).filter(pk=case.pk).exists()}


def test_readers_of_a_case(
    case,
    worker,
    worker2,
    third_worker,
    other_worker,
    far_worker,
    district_user,
    other_district_user,
    city_user,
    admin_user,
):
    supervisor = make_supervisor(district_user)
    everyone = [worker, worker2, third_worker, other_worker, far_worker, supervisor, other_district_user]
    everyone += [city_user, admin_user]
    # worker is the station head; worker2 the lead; third_worker a colleague not on the case.
    assert _readers(case, everyone) == {worker.username, worker2.username, supervisor.username}


def test_district_staff_without_the_designation_read_no_case(case, district_user):
    assert not Case.objects.visible_to(district_user).exists()


def test_a_colleague_reads_the_case_once_it_is_shared_and_as_co_worker(case, worker2, third_worker):
    assert not Case.objects.visible_to(third_worker).filter(pk=case.pk).exists()
    case.shared_with.add(third_worker)
    assert list(Case.objects.visible_to(third_worker)) == [case]
    case.shared_with.remove(third_worker)
    case.co_worker = third_worker
    case.save()
    assert list(Case.objects.visible_to(third_worker)) == [case]


def test_case_records_follow_the_case_rule(case, worker2, third_worker):
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NOTE, actor=worker2, text="初次面谈")
    assert CaseEvent.objects.visible_to(worker2).count() == 1
    assert CaseEvent.objects.visible_to(third_worker).count() == 0


def test_case_page_is_404_outside_and_logged_inside(client, case, worker2, third_worker, other_worker):
    url = reverse("casework:case-detail", args=[case.pk])
    for outsider in (third_worker, other_worker):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(worker2)
    before = PersonalDataAccess.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    access = PersonalDataAccess.objects.order_by("-pk").first()
    assert PersonalDataAccess.objects.count() == before + 1
    assert list(access.residents.values_list("resident_id", flat=True)) == [case.client_id]


def test_a_minors_case_needs_the_sensitive_permission(client, guoyuan, chaoyangli, worker, worker2):
    child = make_resident(chaoyangli, name="小明", birth_date=datetime.date(2015, 5, 1))
    case = make_case(guoyuan, child, worker2)
    url = reverse("casework:case-detail", args=[case.pk])
    client.force_login(worker2)  # a worker, without the sensitive-records permission
    assert client.get(url).status_code == 403
    client.force_login(worker)  # the head holds it by role
    assert client.get(url).status_code == 200
