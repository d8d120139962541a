"""The case page: facts, timeline, only the allowed steps offered and accepted, stale versions refused,
read-only for district users."""

import pytest
from django.urls import reverse

from residents.models import Referral, Request
from stations.locking import STALE_MESSAGE
from tests.factories import make_request


def _post(client, request, action, data, version=None, follow=True):
    url = reverse(f"residents:request-{action.replace('_', '-')}", args=[request.pk])
    payload = {"version": request.version if version is None else version, **data}
    return client.post(url, payload, follow=follow)


@pytest.mark.django_db
def test_case_page_shows_facts_timeline_and_masked_phone(client, worker, guoyuan, resident):
    request = make_request(guoyuan, resident.community, user=worker, resident=resident)
    client.force_login(worker)
    response = client.get(request.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert request.reference in html and "张桂兰" in html and "138****5678" in html
    assert resident.phone not in html and resident.id_number not in html
    assert "登记" in html and "徐芃泽" in html  # the timeline's first event
    assert response["Cache-Control"].startswith("no-cache") or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status, offered, not_offered",
    [
        (
            "new",
            {"start", "triage", "assign", "withdraw", "reject", "note"},
            {"resolve", "refer", "reopen", "follow_up"},
        ),
        ("in_progress", {"refer", "resolve", "withdraw", "assign"}, {"start", "reject", "reopen"}),
        ("resolved", {"follow_up", "reopen", "note"}, {"start", "resolve", "withdraw", "assign"}),
        ("closed", {"note"}, {"reopen", "follow_up", "triage"}),
    ],
)
def test_only_allowed_steps_are_offered(client, worker, guoyuan, status, offered, not_offered):
    request = make_request(guoyuan, status=status)
    client.force_login(worker)
    names = {a["name"] for a in client.get(request.get_absolute_url()).context["action_forms"]}
    assert offered <= names and not (not_offered & names)


@pytest.mark.django_db
def test_workflow_through_the_pages(client, worker, worker2, guoyuan):
    request = make_request(guoyuan, user=worker)
    client.force_login(worker)
    steps = [
        ("triage", {"severity": "severe", "urgency": "urgent"}, "triaged"),
        ("assign", {"assignee": worker2.pk}, "triaged"),
        ("start", {}, "in_progress"),
        ("refer", {"organisation": "北辰区法律援助中心", "reason": "困难儿童需要司法救助"}, "referred"),
        ("resolve", {"note": "法律援助中心已办结"}, "resolved"),
        ("reopen", {"reason": "家长反映仍有问题"}, "in_progress"),
        ("resolve", {"note": "再次办结"}, "resolved"),
        ("follow_up", {"satisfaction": "fairly", "note": "基本满意"}, "closed"),
    ]
    for action, data, status in steps:
        response = _post(client, request, action, data)
        request.refresh_from_db()
        assert request.status == status, (action, response.content.decode()[:300])
    referral = Referral.objects.get(request=request)
    assert referral.organisation == "北辰区法律援助中心"
    html = client.get(request.get_absolute_url()).content.decode()
    assert "北辰区法律援助中心" in html and "基本满意" in html
    assert request.events.count() == 1 + len(steps)


@pytest.mark.django_db
def test_referral_outcome_and_note(client, worker, guoyuan):
    request = make_request(guoyuan, status="in_progress")
    client.force_login(worker)
    _post(client, request, "refer", {"organisation": "街道司法所", "reason": "矛盾调解"})
    request.refresh_from_db()
    referral = request.referrals.get()
    url = reverse("residents:referral-outcome", args=[request.pk, referral.pk])
    client.post(url, {"version": request.version, "outcome": "done", "note": "已调解"})
    referral.refresh_from_db()
    assert referral.outcome == "done"
    _post(client, request, "note", {"text": "已电话告知居民"})
    assert request.events.filter(kind="note", text="已电话告知居民", actor=worker).exists()


@pytest.mark.django_db
def test_a_step_the_status_does_not_allow_is_refused_with_a_message(client, worker, guoyuan):
    request = make_request(guoyuan, status="closed")
    client.force_login(worker)
    response = _post(client, request, "reopen", {"reason": "伪造的请求"})
    assert "不能执行“重新办理”" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "closed" and request.events.count() == 1


@pytest.mark.django_db
def test_lost_update_refused_and_current_state_shown(client, worker, worker2, guoyuan):
    request = make_request(guoyuan, user=worker)
    client.force_login(worker2)
    _post(client, request, "triage", {"severity": "severe", "urgency": "urgent"}, version=1)
    client.force_login(worker)
    response = _post(client, request, "triage", {"severity": "mild", "urgency": "not_urgent"}, version=1)
    html = response.content.decode()
    assert STALE_MESSAGE in html
    assert response.redirect_chain[-1][0] == request.get_absolute_url()
    assert "重急 · P1" in html  # the state the other worker saved
    request.refresh_from_db()
    assert (request.severity, request.version) == ("severe", 2)


@pytest.mark.django_db
def test_missing_version_is_refused(client, worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    client.post(reverse("residents:request-start", args=[request.pk]), {})
    request.refresh_from_db()
    assert request.status == "new"


@pytest.mark.django_db
def test_form_errors_are_shown_next_to_the_field(client, worker, guoyuan):
    request = make_request(guoyuan, status="in_progress")
    client.force_login(worker)
    response = _post(client, request, "resolve", {"note": ""}, follow=False)
    assert response.status_code == 400
    resolve = next(a for a in response.context["action_forms"] if a["name"] == "resolve")
    assert "note" in resolve["form"].errors and resolve["open"]


@pytest.mark.django_db
def test_district_user_reads_the_case_but_cannot_act(client, district_user, guoyuan):
    request = make_request(guoyuan)
    client.force_login(district_user)
    response = client.get(request.get_absolute_url())
    assert response.status_code == 200 and response.context["action_forms"] == []
    assert "只读" in response.content.decode()
    for action in ("start", "triage", "note"):
        assert (
            _post(
                client, request, action, {"severity": "severe", "urgency": "urgent", "text": "x"}
            ).status_code
            == 403
        )
    request.refresh_from_db()
    assert request.status == "new" and request.version == 1


@pytest.mark.django_db
def test_referral_of_another_request_is_404(client, worker, guoyuan):
    mine = make_request(guoyuan, status="referred")
    other = make_request(guoyuan, status="referred")
    referral = Referral.objects.create(request=other, organisation="司法所", reason="x", referred_by=worker)
    client.force_login(worker)
    url = reverse("residents:referral-outcome", args=[mine.pk, referral.pk])
    assert client.post(url, {"version": mine.version, "outcome": "done"}).status_code == 404
    assert Request.objects.get(pk=mine.pk).version == 1
