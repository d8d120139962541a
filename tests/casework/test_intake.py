"""Opening a case (directly, or from a request: 转为个案), consent, 立案 / 不予立案, workers and sharing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework import services
from casework.models import Case, CaseEvent
from residents.models import Request, TimelineEvent
from stations.locking import STALE_MESSAGE
from tests import factories as f
from tests.casework.open_factories import open_accepted, opened
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_resident(chaoyangli):
    return make_resident(chaoyangli, name="孙秀英", birth_date=datetime.date(1950, 3, 8))


@pytest.fixture
def third_worker(guoyuan):
    user = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    f.make_assignment(user, guoyuan)
    return user


def test_open_case_numbers_it_per_station_and_year_and_writes_the_timeline(worker2, client_resident):
    case = services.open_case(
        acting_user=worker2, client=client_resident, source=Case.Source.OUTREACH, presenting_problem="独居"
    )
    year = timezone.localdate().year
    assert case.reference == f"GA-120113001-{year}-00001"
    assert case.stage == Case.Stage.INTAKE and case.lead_worker == worker2 and case.station == worker2.station
    other = make_resident(client_resident.community, name="周大爷")
    second = services.open_case(
        acting_user=worker2, client=other, source=Case.Source.COMMITTEE, presenting_problem="失能"
    )
    assert second.reference == f"GA-120113001-{year}-00002"
    assert list(case.events.values_list("kind", "to_stage")) == [(CaseEvent.Kind.OPENED, Case.Stage.INTAKE)]


def test_a_resident_has_one_open_case_at_a_time(worker2, client_resident):
    case = opened(worker2, client_resident)
    with pytest.raises(services.CaseworkError, match=case.reference):
        opened(worker2, client_resident)


def test_open_case_refuses_outsiders_and_other_stations_residents(
    worker2, other_worker, district_user, admin_user, client_resident, tailaixili
):
    for outsider in (other_worker, district_user, admin_user):
        with pytest.raises(PermissionDenied):
            opened(outsider, client_resident)
    neighbour = make_resident(tailaixili, name="王秀英")
    with pytest.raises(PermissionDenied):
        opened(worker2, neighbour)
    assert not Case.objects.exists()


def test_a_worker_of_another_station_cannot_lead_the_case(worker2, other_worker, client_resident):
    with pytest.raises(services.CaseworkError) as refused:
        opened(worker2, client_resident, lead_worker=other_worker)
    assert "本站在岗社工" in str(refused.value)
    assert not Case.objects.exists()


def test_a_minors_case_needs_workers_who_may_open_it(worker, worker2, chaoyangli):
    child = make_resident(chaoyangli, name="小明", birth_date=datetime.date(2015, 5, 1))
    with pytest.raises(PermissionDenied):  # the worker may not open the child's record at all
        opened(worker2, child)
    with pytest.raises(services.CaseworkError, match="敏感档案"):  # nor lead the head's case for it
        opened(worker, child, lead_worker=worker2)
    case = opened(worker, child)  # the head holds the permission by role
    assert case.lead_worker == worker


# --- 转为个案 ----------------------------------------------------------------------------------------------


def _request(guoyuan, resident, user):
    return f.make_request(
        guoyuan, resident.community, user=user, resident=resident, description="老人独居，情绪低落"
    )


def test_converting_a_request_links_both_ways_and_writes_both_timelines(guoyuan, worker2, client_resident):
    req = _request(guoyuan, client_resident, worker2)
    case = services.open_case_from_request(acting_user=worker2, request=req)
    req.refresh_from_db()
    assert req.case == case and case.request == req
    assert case.source == Case.Source.REQUEST and case.client == client_resident
    assert case.presenting_problem == "老人独居，情绪低落"
    [note] = req.events.filter(kind=TimelineEvent.Kind.NOTE)
    assert case.reference in note.text and note.data["case"] == case.pk
    [opened_event] = case.events.all()
    assert req.reference in opened_event.text


def test_a_request_becomes_a_case_only_once(guoyuan, worker, worker2, client_resident):
    req = _request(guoyuan, client_resident, worker2)
    case = services.open_case_from_request(acting_user=worker2, request=req)
    services.decline_case(acting_user=worker2, case=case, reason="不属于个案服务范围")
    with pytest.raises(services.CaseworkError, match="已转为个案"):
        services.open_case_from_request(acting_user=worker, request=req)
    assert Case.objects.count() == 1
    assert (
        req.events.filter(kind=TimelineEvent.Kind.NOTE, data__case=case.pk).count() == 2
    )  # opened, declined


def test_a_request_without_a_resident_or_a_closed_one_is_not_converted(guoyuan, worker2, client_resident):
    anonymous = f.make_request(guoyuan, client_resident.community, user=worker2)
    with pytest.raises(services.CaseworkError, match="登记居民"):
        services.open_case_from_request(acting_user=worker2, request=anonymous)
    withdrawn = _request(guoyuan, client_resident, worker2)
    Request.objects.filter(pk=withdrawn.pk).update(status=Request.Status.WITHDRAWN)
    withdrawn.refresh_from_db()
    with pytest.raises(services.CaseworkError, match="不能转为个案"):
        services.open_case_from_request(acting_user=worker2, request=withdrawn)
    assert not Case.objects.exists()


def test_another_station_cannot_convert_the_request(guoyuan, worker2, other_worker, client_resident):
    req = _request(guoyuan, client_resident, worker2)
    with pytest.raises(PermissionDenied):
        services.open_case_from_request(acting_user=other_worker, request=req)


# --- Consent and eligibility -------------------------------------------------------------------------------


def test_accepting_needs_consent_and_moves_to_assessment(worker2, client_resident):
    case = opened(worker2, client_resident)
    with pytest.raises(services.CaseworkError, match="知情同意"):
        services.accept_case(acting_user=worker2, case=case, version=case.version)
    with pytest.raises(services.CaseworkError) as refused:
        services.record_consent(
            acting_user=worker2,
            case=case,
            given_by="孙秀英",
            given_on=timezone.localdate(),
            method="verbal",
        )
    assert "见证人" in str(refused.value)
    services.record_consent(
        acting_user=worker2,
        case=case,
        given_by="孙秀英",
        given_on=timezone.localdate(),
        method="verbal",
        witness="朝阳里居委会 刘主任",
    )
    services.accept_case(acting_user=worker2, case=case, eligibility_note="符合", version=case.version)
    case.refresh_from_db()
    assert case.stage == Case.Stage.ASSESSMENT and case.eligible is True
    assert case.review_due_on == timezone.localdate() + datetime.timedelta(days=90)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.OPENED, CaseEvent.Kind.CONSENT, CaseEvent.Kind.ACCEPTED]


def test_a_minors_consent_comes_from_a_guardian(worker, chaoyangli):
    child = make_resident(chaoyangli, name="小明", birth_date=datetime.date(2015, 5, 1))
    case = opened(worker, child)
    with pytest.raises(services.CaseworkError, match="监护人"):
        services.record_consent(
            acting_user=worker, case=case, given_by="小明", given_on=timezone.localdate(), method="signed"
        )


def test_accepting_on_a_stale_version_writes_nothing(worker2, client_resident):
    case = open_accepted(worker2, client_resident, accept=False)
    stale = case.version - 1
    with pytest.raises(services.CaseworkError, match=STALE_MESSAGE):
        services.accept_case(acting_user=worker2, case=case, version=stale)
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.INTAKE


def test_allowed_transitions_only(worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    with pytest.raises(services.CaseworkError, match="不能立案"):
        services.accept_case(acting_user=worker2, case=case, version=case.version)
    with pytest.raises(services.CaseworkError, match="不能不予立案"):
        services.decline_case(acting_user=worker2, case=case, reason="x", version=case.version)
    declined = opened(worker2, make_resident(client_resident.community, name="周大爷"))
    services.decline_case(acting_user=worker2, case=declined, reason="需求已由居委会解决")
    assert declined.stage == Case.Stage.DECLINED
    with pytest.raises(services.CaseworkError):
        services.record_consent(
            acting_user=worker2,
            case=declined,
            given_by="周大爷",
            given_on=timezone.localdate(),
            method="signed",
        )


def test_decline_needs_a_reason(worker2, client_resident):
    case = opened(worker2, client_resident)
    with pytest.raises(services.CaseworkError, match="原因"):
        services.decline_case(acting_user=worker2, case=case, reason="  ")
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.INTAKE


def test_steps_refuse_people_not_on_the_case(
    worker2, third_worker, other_worker, district_user, client_resident
):
    case = opened(worker2, client_resident)
    for outsider in (third_worker, other_worker, district_user):
        with pytest.raises(PermissionDenied):
            services.record_consent(
                acting_user=outsider,
                case=case,
                given_by="孙秀英",
                given_on=timezone.localdate(),
                method="signed",
            )
        with pytest.raises(PermissionDenied):
            services.accept_case(acting_user=outsider, case=case)


# --- Workers and sharing ---------------------------------------------------------------------------------


def test_the_head_or_the_lead_changes_workers_a_co_worker_does_not(
    worker, worker2, third_worker, client_resident
):
    case = opened(worker2, client_resident, co_worker=third_worker)
    with pytest.raises(services.CaseworkError, match="站长或主责社工"):
        services.change_case_workers(acting_user=third_worker, case=case, lead_worker=third_worker)
    services.change_case_workers(acting_user=worker, case=case, lead_worker=third_worker, co_worker=worker2)
    case.refresh_from_db()
    assert (case.lead_worker, case.co_worker) == (third_worker, worker2)
    assert case.events.filter(kind=CaseEvent.Kind.WORKERS).count() == 1


def test_sharing_lets_a_colleague_read_and_unsharing_takes_it_back(worker2, third_worker, client_resident):
    case = opened(worker2, client_resident)
    assert not Case.objects.visible_to(third_worker).exists()
    services.share_case(acting_user=worker2, case=case, colleague=third_worker)
    assert list(Case.objects.visible_to(third_worker)) == [case]
    with pytest.raises(services.CaseworkError, match="已经可以查看"):
        services.share_case(acting_user=worker2, case=case, colleague=third_worker)
    services.unshare_case(acting_user=worker2, case=case, colleague=third_worker)
    assert not Case.objects.visible_to(third_worker).exists()


def test_sharing_with_another_stations_worker_is_refused(worker2, other_worker, client_resident):
    case = opened(worker2, client_resident)
    with pytest.raises(services.CaseworkError, match="本站在岗社工"):
        services.share_case(acting_user=worker2, case=case, colleague=other_worker)
    assert not case.shared_with.exists()


def test_the_case_list_shows_the_readers_cases_and_refuses_other_roles(
    client, worker2, third_worker, city_user, client_resident
):
    from django.urls import reverse

    case = opened(worker2, client_resident)
    url = reverse("casework:case-list")
    client.force_login(worker2)
    response = client.get(url)
    assert response.status_code == 200 and case.reference in response.content.decode()
    client.force_login(third_worker)
    assert case.reference not in client.get(url).content.decode()
    client.force_login(city_user)
    assert client.get(url).status_code == 403
