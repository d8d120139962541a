"""The pages of opening a case, intake, assessment and plan: what they show, what a POST does, what a
forged POST cannot do, and bounded query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Assessment, Case, CaseConsent, CasePlan
from tests import factories as f
from tests.casework.factories import CASE_PAGE_QUERIES
from tests.casework.open_factories import DOMAINS, assessed, open_accepted, opened, planned
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


def _text(response):
    return response.content.decode()


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- Opening -----------------------------------------------------------------------------------------


def test_the_resident_page_offers_to_open_a_case_and_the_form_opens_it(client, worker2, client_resident):
    client.force_login(worker2)
    page = _text(client.get(reverse("residents:resident-detail", args=[client_resident.pk])))
    url = reverse("casework:case-open")
    assert f"{url}?resident={client_resident.pk}" in page
    assert client.get(url, {"resident": client_resident.pk}).status_code == 200
    response = client.post(
        url,
        {
            "resident": client_resident.pk,
            "source": "committee",
            "presenting_problem": "居委会反映：老人近期拒绝进食。",
            "lead_worker": worker2.pk,
            "risk": "medium",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.client, case.source, case.risk) == (client_resident, "committee", "medium")


def test_the_open_form_refuses_a_forged_worker_and_saves_nothing(
    client, worker2, other_worker, client_resident
):
    client.force_login(worker2)
    response = client.post(
        reverse("casework:case-open"),
        {
            "resident": client_resident.pk,
            "source": "outreach",
            "presenting_problem": "x",
            "lead_worker": other_worker.pk,
            "risk": "low",
        },
    )
    assert response.status_code == 400 and not Case.objects.exists()


def test_opening_for_another_stations_resident_is_a_404(client, worker2, tailaixili):
    neighbour = make_resident(tailaixili, name="王秀英")
    client.force_login(worker2)
    url = reverse("casework:case-open")
    assert client.get(url, {"resident": neighbour.pk}).status_code == 404
    assert client.get(url, {"resident": str(10**30)}).status_code == 302  # tampered: back to the list
    post = {
        "resident": neighbour.pk,
        "source": "outreach",
        "presenting_problem": "x",
        "lead_worker": worker2.pk,
    }
    assert client.post(url, post | {"risk": "low"}).status_code == 404
    assert not Case.objects.exists()


def test_the_request_page_converts_once_and_links_to_the_case(client, guoyuan, worker2, client_resident):
    req = f.make_request(guoyuan, client_resident.community, user=worker2, resident=client_resident)
    client.force_login(worker2)
    convert_url = reverse("casework:case-open-from-request", args=[req.pk])
    page = _text(client.get(req.get_absolute_url()))
    assert convert_url in page and "转为个案" in page
    response = client.post(
        convert_url, {"presenting_problem": req.description, "lead_worker": worker2.pk, "risk": "low"}
    )
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    page = _text(client.get(req.get_absolute_url()))
    assert convert_url not in page and case.reference in page and "转为个案" in page  # the timeline says so
    again = client.post(convert_url, {"presenting_problem": "x", "lead_worker": worker2.pk, "risk": "low"})
    assert again.status_code == 302 and Case.objects.count() == 1
    case_page = _text(client.get(case.get_absolute_url()))
    assert req.reference in case_page


def test_another_station_cannot_convert_a_request(client, guoyuan, worker2, other_worker, client_resident):
    req = f.make_request(guoyuan, client_resident.community, user=worker2, resident=client_resident)
    client.force_login(other_worker)
    url = reverse("casework:case-open-from-request", args=[req.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"presenting_problem": "x", "lead_worker": other_worker.pk, "risk": "low"}
        ).status_code
        == 404
    )
    assert not Case.objects.exists()


# --- Intake steps ---------------------------------------------------------------------------------------


def test_consent_then_accept_through_the_case_page(client, worker2, client_resident):
    case = opened(worker2, client_resident)
    client.force_login(worker2)
    page = _text(client.get(case.get_absolute_url()))
    assert reverse("casework:case-accept", args=[case.pk]) in page
    today = timezone.localdate().isoformat()
    client.post(
        reverse("casework:case-consent", args=[case.pk]),
        {
            "given_by": "孙秀英",
            "relation": "本人",
            "given_on": today,
            "method": "verbal",
            "witness": "刘主任",
        },
    )
    assert CaseConsent.objects.filter(case=case, given_on=timezone.localdate()).count() == 1
    response = client.post(reverse("casework:case-accept", args=[case.pk]), {"version": case.version})
    assert response.status_code == 302
    assert _fresh(case).stage == Case.Stage.ASSESSMENT


def test_a_stale_accept_from_the_page_says_so_and_changes_nothing(client, worker2, client_resident):
    case = open_accepted(worker2, client_resident, accept=False)
    client.force_login(worker2)
    response = client.post(
        reverse("casework:case-accept", args=[case.pk]), {"version": case.version + 1}, follow=True
    )
    assert "该记录已被他人修改" in _text(response)
    assert _fresh(case).stage == Case.Stage.INTAKE


def test_a_colleague_not_on_the_case_gets_404_on_every_step(client, worker2, third_worker, client_resident):
    case = opened(worker2, client_resident)
    client.force_login(third_worker)
    for name in (
        "case-party-add",
        "case-consent",
        "case-accept",
        "case-decline",
        "case-workers",
        "case-share",
    ):
        assert (
            client.post(reverse(f"casework:{name}", args=[case.pk]), {"version": case.version}).status_code
            == 404
        )
    assert client.post(reverse("casework:assessment-start", args=[case.pk])).status_code == 404


def test_a_forged_party_resident_of_another_station_is_refused(client, worker2, client_resident, tailaixili):
    case = opened(worker2, client_resident)
    stranger = make_resident(tailaixili, name="王秀英")
    client.force_login(worker2)
    client.post(
        reverse("casework:case-party-add", args=[case.pk]), {"resident": stranger.pk, "relation": "女儿"}
    )
    assert not case.parties.exists()
    client.post(
        reverse("casework:case-party-add", args=[case.pk]),
        {"name": "孙小红", "relation": "女儿", "is_guardian": "on"},
    )
    assert list(case.parties.values_list("name", "is_guardian")) == [("孙小红", True)]


# --- Assessment ---------------------------------------------------------------------------------------------


def _assessment_post(assessment, **extra):
    data = {"version": assessment.version, "overall_risk": "high", "needs": "心理疏导", "summary": ""}
    for domain, (findings, rating) in DOMAINS.items():
        data[f"{domain}_findings"] = findings
        data[f"{domain}_rating"] = str(rating)
    return data | extra


def test_the_assessment_page_saves_and_submits(client, worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    client.force_login(worker2)
    response = client.post(reverse("casework:assessment-start", args=[case.pk]))
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("casework:assessment", args=[assessment.pk])
    response = client.post(response["Location"], _assessment_post(assessment, submit="1"))
    assert response.status_code == 302
    assessment = _fresh(assessment)
    assert assessment.locked and assessment.domains.count() == 6 and _fresh(case).stage == Case.Stage.PLANNING


def test_a_forged_post_to_a_locked_assessment_changes_nothing(client, worker, worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    assessment = assessed(worker2, case)
    url = reverse("casework:assessment", args=[assessment.pk])
    for user in (worker2, worker):
        client.force_login(user)
        page = _text(client.get(url))
        assert "保存草稿" not in page and DOMAINS["safety"][0] in page  # read-only
        response = client.post(url, _assessment_post(assessment, needs="改写", submit="1"))
        assert response.status_code == 400 and "已提交锁定" in _text(response)
    assert _fresh(assessment).needs == assessment.needs


def test_an_earlier_assessment_stays_readable_after_a_reassessment(client, worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    first = assessed(worker2, case)
    client.force_login(worker2)
    client.post(reverse("casework:assessment-start", args=[case.pk]))
    second = Assessment.objects.get(number=2)
    page = _text(client.get(case.get_absolute_url()))
    assert (
        reverse("casework:assessment", args=[first.pk]) in page
        and reverse("casework:assessment", args=[second.pk]) in page
    )
    assert client.get(reverse("casework:assessment", args=[first.pk])).status_code == 200


# --- Plan ---------------------------------------------------------------------------------------------


def _plan_post(plan, **extra):
    soon = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    data = {
        "version": plan.version,
        "summary": "情绪支持",
        "client_agreed": "on",
        "client_agreed_on": timezone.localdate().isoformat(),
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-0-text": "情绪改善",
        "goals-0-indicator": "量表下降5分",
        "goals-0-target_date": soon,
        "interventions-TOTAL_FORMS": "2",
        "interventions-INITIAL_FORMS": "0",
        "interventions-0-action": "每周电话关怀",
        "interventions-0-responsible": "李静",
    }
    return data | extra


def test_the_plan_page_saves_a_draft_which_reopens_with_its_dates(client, worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    assessed(worker2, case)
    client.force_login(worker2)
    response = client.post(reverse("casework:plan-start", args=[case.pk]))
    plan = CasePlan.objects.get()
    response = client.post(response["Location"], _plan_post(plan))
    assert response.status_code == 302
    page = _text(client.get(reverse("casework:plan", args=[plan.pk])))
    soon = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert f'value="{soon}"' in page  # the date input round-trips as YYYY-MM-DD
    assert _fresh(plan).goals.count() == 1 and _fresh(plan).status == CasePlan.Status.DRAFT


def test_the_head_approves_from_the_case_page_and_the_author_cannot(client, worker, worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    plan = planned(worker2, case)
    review = reverse("casework:plan-review", args=[plan.pk])
    client.force_login(worker2)
    assert review not in _text(client.get(case.get_absolute_url()))
    client.post(review, {"version": plan.version, "decision": "approve"})
    assert _fresh(plan).status == CasePlan.Status.SUBMITTED  # self-approval refused
    client.force_login(worker)
    assert review in _text(client.get(case.get_absolute_url()))
    client.post(review, {"version": plan.version, "decision": "approve", "comment": "同意"})
    assert _fresh(plan).status == CasePlan.Status.APPROVED and _fresh(case).stage == Case.Stage.INTERVENTION


def test_a_forged_post_to_a_submitted_plan_changes_nothing(client, worker2, client_resident):
    case = open_accepted(worker2, client_resident)
    plan = planned(worker2, case)
    client.force_login(worker2)
    response = client.post(reverse("casework:plan", args=[plan.pk]), _plan_post(plan, summary="偷改"))
    assert response.status_code == 400 and _fresh(plan).summary != "偷改"


# --- Bounded queries ---------------------------------------------------------------------------------------


def _many_cases(worker2, community, n):
    for i in range(n):
        case = open_accepted(worker2, make_resident(community, name=f"居民{i}"))
        if i % 2:
            planned(worker2, case)


@pytest.mark.parametrize("n", [2, 12])
def test_the_case_list_has_a_bounded_query_count(
    client, worker, worker2, chaoyangli, n, django_assert_max_num_queries
):
    _many_cases(worker2, chaoyangli, n)
    client.force_login(worker)
    # Measured: 10 queries for 2 and for 12 cases (session, user, the page's count and rows, the clients'
    # tags, the access log's two INSERTs, the filter's choices).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("casework:case-list"), {"state": "open", "risk": "medium"})
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_the_case_page_has_a_bounded_query_count(
    client, worker, worker2, client_resident, n, django_assert_max_num_queries
):
    case = open_accepted(worker2, client_resident)
    plan = planned(worker2, case)
    for i in range(n):
        from casework import services

        services.add_case_party(acting_user=worker2, case=case, name=f"亲属{i}", relation="亲属")
    services.return_case_plan(acting_user=worker, plan=plan, comment="再具体些")
    client.force_login(worker)
    # The same bound with 1 and with 6 parties (tests/casework/factories.CASE_PAGE_QUERIES).
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
