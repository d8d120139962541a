"""A case's client referred to a registered partner (issue #21, the case target): from the case page, with
the consent to share recorded before any personal data goes out (a guardian's for a minor), the slip and
the partner's one-time link showing that referral only, the partner's answers and the reminder on the
case's timeline, the workers told; read under the case's confidentiality rule, not the station scope."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.models import Case, CaseEvent, CaseParty
from notifications.inbox import Notification
from notifications.models import OutboxMessage
from partners import contributions, services
from partners.models import PartnerAnswer, PartnerReferral, ShareConsent
from residents.models import Request
from stations.audit import AuditLogEntry
from stations.models import User
from tests import factories as f
from tests.casework.factories import make_case, make_supervisor
from tests.partners import factories as pf
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db

PROBLEM = "独居，近期跌倒两次，需要适老化改造和助浴服务。"


@pytest.fixture
def case(guoyuan, resident, worker2):
    """李静 (worker2) leads 张桂兰's case, in intervention; a party whose name must never reach a partner."""
    case = make_case(guoyuan, resident, worker2, stage=Case.Stage.INTERVENTION, presenting_problem=PROBLEM)
    CaseParty.objects.create(case=case, name="刘建国", relation="儿子", phone="13900000001")
    return case


def refer_case(case, partner, user, reason="需上门评估适老化改造"):
    return case_services.refer_case_to_partner(
        acting_user=user,
        case=case,
        partner=partner,
        contact_name=partner.contact_name,
        contact_phone=partner.contact_phone,
        reason=reason,
        base_url=pf.BASE,
    )


@pytest.fixture
def case_referred(case, partner, worker2):
    return refer_case(case, partner, worker2)


@pytest.fixture
def colleague(guoyuan):
    """A worker of the same station who is not on the case: the station scope, not the case's rule."""
    return f.make_user("st-120113001-3", User.Role.STATION_WORKER, station=guoyuan, name="陈晨")


def _link_url(token):
    return reverse("partner_link:answer", args=[token])


def _detail(pr):
    return reverse("partners:referral-detail", args=[pr.pk])


def _slip(pr):
    return reverse("partners:referral-slip", args=[pr.pk])


# --- Referring from the case page --------------------------------------------------------------------


def test_the_case_page_refers_and_the_partner_gets_a_link_with_no_personal_data(
    client, case, partner, worker2, resident
):
    client.force_login(worker2)
    page = client.get(case.get_absolute_url()).content.decode()
    url = reverse("casework:refer-partner", args=[case.pk])
    assert url in page  # the 转介至合作伙伴 action
    assert client.get(url).status_code == 200
    response = client.post(url, {"partner": partner.pk, "reason": "需上门评估适老化改造"})
    pr = PartnerReferral.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == _detail(pr)
    assert (pr.station_id, pr.request_id, pr.referral_id) == (case.station_id, None, None)
    assert (pr.outcome, pr.referred_by, pr.contact_phone) == ("pending", worker2, "13820001111")
    sms = OutboxMessage.objects.get(template_code="partner_referral")
    assert sms.address == "13820001111" and "/p/" in sms.body and "个案" in sms.body
    assert "诉求" not in sms.body and resident.name not in sms.body and PROBLEM[:6] not in sms.body
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REFERRAL)
    assert event.actor == worker2 and "转介至天津安居充电设备有限公司" in event.text
    # Audited; the reason (which may describe the client) is redacted in the change log.
    entries = list(AuditLogEntry.objects.get_for_object(pr))
    assert [e.action for e in entries] == [AuditLogEntry.Action.CREATE] and entries[0].actor == worker2
    assert "需上门评估适老化改造" not in json.dumps([e.changes for e in entries], ensure_ascii=False)
    page = client.get(case.get_absolute_url()).content.decode()
    assert pr.get_absolute_url() in page and "待反馈" in page and "未同意提供个人信息" in page


def test_a_referral_needs_its_reason_and_an_open_case(client, case, partner, worker2):
    client.force_login(worker2)
    url = reverse("casework:refer-partner", args=[case.pk])
    assert client.post(url, {"partner": partner.pk, "reason": ""}).status_code == 400
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.CLOSED)
    with pytest.raises(ValidationError, match="不能转介"):
        refer_case(case, partner, worker2)
    response = client.post(url, {"partner": partner.pk, "reason": "需上门评估"})
    assert response.status_code == 400
    assert not PartnerReferral.objects.exists() and not OutboxMessage.objects.exists()


def test_a_forged_partner_of_another_station_is_refused_and_nothing_saved(client, case, worker2, jixianli):
    theirs = pf.make_partner(jixianli, name="集贤里便民维修队")
    client.force_login(worker2)
    url = reverse("casework:refer-partner", args=[case.pk])
    response = client.post(url, {"partner": theirs.pk, "reason": "维修"})
    assert response.status_code == 400
    with pytest.raises(PermissionDenied):
        refer_case(case, theirs, worker2)
    assert not PartnerReferral.objects.exists() and not OutboxMessage.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.REFERRAL).exists()


@pytest.mark.parametrize(
    "who", ["other_worker", "far_worker", "other_district_user", "city_user", "colleague", "volunteer"]
)
def test_outside_the_case_every_page_is_refused(request, client, case_referred, partner, guoyuan, who):
    refused = 404  # outside the case's rule: as if it did not exist
    if who == "volunteer":
        user = f.make_user("xxy-120113001-1", User.Role.VOLUNTEER_REPORTER, station=guoyuan, name="孙立")
        refused = 403  # a reporter is confined to her reporting pages before any lookup (sws.security)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    case = case_referred.case
    for url in (
        reverse("casework:refer-partner", args=[case.pk]),
        _detail(case_referred),
        _slip(case_referred),
    ):
        assert client.get(url).status_code == refused, url
    # Forged posts: referring someone else's case, recording or withdrawing a consent on its referral.
    forged = client.post(reverse("casework:refer-partner", args=[case.pk]), {"partner": partner.pk})
    assert forged.status_code == refused
    consent_url = reverse("partners:consent-create", args=[case_referred.pk])
    assert client.post(consent_url, {"given_by": "resident"}).status_code in (403, 404)
    assert PartnerReferral.objects.count() == 1 and not ShareConsent.objects.exists()


def test_a_colleague_not_on_the_case_cannot_act_but_the_head_and_the_supervisor_read(
    client, case_referred, colleague, worker, district_user, resident
):
    with pytest.raises(PermissionDenied):
        pf.consent(colleague, case_referred)
    pf.consent(case_referred.referred_by, case_referred, fields=["name"])
    client.force_login(worker)  # the station head reads every case of the station, and acts on it
    assert client.get(_detail(case_referred)).status_code == 200
    supervisor = make_supervisor(district_user)
    client.force_login(supervisor)  # the district's casework supervisor reads it, without personal data
    text = client.get(_detail(case_referred)).content.decode()
    assert "转介至天津安居充电设备有限公司" in text and resident.name not in text
    consent = case_referred.consents.get()
    withdraw = reverse("partners:consent-withdraw", args=[case_referred.pk, consent.pk])
    assert client.post(withdraw).status_code == 403
    # District staff who are not the designated supervisors read no case record.
    plain = f.make_user("dc-120113-2", User.Role.DISTRICT_STAFF, district=district_user.district)
    client.force_login(plain)
    assert client.get(_detail(case_referred)).status_code == 404


def test_the_consent_and_its_scan_follow_the_case_rule_not_the_station_scope(
    case_referred, worker, worker2, colleague
):
    from attachments import registry

    consent = pf.consent(worker2, case_referred)
    rule = registry.rule_for(consent)
    assert rule.can_read(worker2, consent) and rule.can_attach(worker2, consent)
    assert rule.can_read(worker, consent)  # the head
    assert not rule.can_read(colleague, consent) and not rule.can_attach(colleague, consent)
    assert not ShareConsent.objects.visible_to(colleague).exists()
    assert list(ShareConsent.objects.editable_by(worker2)) == [consent]


def test_a_sensitive_case_needs_the_permission_to_open_its_referral(client, case_referred, worker, worker2):
    Case.objects.filter(pk=case_referred.case_id).update(sensitive=True)
    client.force_login(worker2)  # its lead worker, without the sensitive-records permission
    for url in (_detail(case_referred), _slip(case_referred)):
        assert client.get(url).status_code == 404
    case_referred.case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        pf.consent(worker2, case_referred)
    client.force_login(worker)  # the head holds it by role
    assert client.get(_detail(case_referred)).status_code == 200


# --- Consent and the slip ------------------------------------------------------------------------------


def _assert_no_personal_data(text, resident):
    for value in (resident.name, resident.phone, "3号楼2门401", PROBLEM[:8], resident.id_number, "刘建国"):
        assert value not in text


def _link_page(client, pr):
    _link, token = pf.new_link(pr)
    client.logout()
    return client.get(_link_url(token)).content.decode()


def test_no_personal_data_without_consent_exactly_the_consented_fields_and_none_once_withdrawn(
    client, case_referred, worker2, resident
):
    client.force_login(worker2)
    for text in (client.get(_slip(case_referred)).content.decode(), _link_page(client, case_referred)):
        _assert_no_personal_data(text, resident)
        assert "朝阳里社区居委会" in text and "需上门评估适老化改造" in text and "尚未同意" in text
    consent = pf.consent(worker2, case_referred, fields=["name", "description"])
    client.force_login(worker2)
    for text in (client.get(_slip(case_referred)).content.decode(), _link_page(client, case_referred)):
        assert resident.name in text and PROBLEM in text and "主要问题" in text
        assert resident.phone not in text and "3号楼2门401" not in text  # not consented
        assert "刘建国" not in text and resident.id_number not in text  # never a field to share
    services.withdraw_consent(acting_user=worker2, consent=consent)
    client.force_login(worker2)
    for text in (client.get(_slip(case_referred)).content.decode(), _link_page(client, case_referred)):
        _assert_no_personal_data(text, resident)
    texts = list(CaseEvent.objects.filter(case=case_referred.case).values_list("text", flat=True))
    assert any(t.startswith("记录本人同意向天津安居充电设备有限公司提供：姓名、诉求内容") for t in texts)
    assert "撤回向天津安居充电设备有限公司提供个人信息的同意" in texts


def test_the_consent_is_recorded_through_the_page(client, case_referred, worker2):
    client.force_login(worker2)
    url = reverse("partners:consent-create", args=[case_referred.pk])
    response = client.post(
        url, {"given_by": "resident", "method": "in_app", "fields": ["name", "phone"], "purpose": "上门评估"}
    )
    assert response.status_code == 302
    consent = case_referred.consents.get()
    assert (consent.resident, consent.recorded_by, consent.fields) == (
        case_referred.case.client,
        worker2,
        ["name", "phone"],
    )


def test_a_minor_clients_referral_needs_a_guardians_consent(client, guoyuan, chaoyangli, partner, worker):
    """The head leads the child's case (a minor's record needs the sensitive-records permission)."""
    child = make_resident(chaoyangli, name="王小宝", birth_date=pf.minor_birth_date(9))
    case = make_case(guoyuan, child, worker, stage=Case.Stage.INTERVENTION)
    pr = refer_case(case, partner, worker)
    with pytest.raises(ValidationError) as refused:
        pf.consent(worker, pr)
    assert "须由监护人同意" in str(refused.value)
    client.force_login(worker)
    page = client.get(_detail(pr)).content.decode()
    assert "服务对象未满18周岁" in page
    consent = pf.consent(
        worker, pr, given_by=ShareConsent.GivenBy.GUARDIAN, guardian_name="王强", guardian_relation="父亲"
    )
    assert consent.resident == child and consent.guardian_name == "王强"


# --- The partner's link and answers ------------------------------------------------------------------


def test_the_link_answers_once_each_and_the_answers_land_on_the_case_timeline(
    client, case_referred, worker2, worker
):
    Case.objects.filter(pk=case_referred.case_id).update(co_worker=worker)
    _link, token = pf.new_link(case_referred)
    assert client.post(_link_url(token), {"outcome": "accepted"}).status_code == 302
    assert client.post(_link_url(token), {"outcome": "accepted"}).status_code == 400  # once
    done = client.post(_link_url(token), {"outcome": "done", "note": "已完成卫生间扶手安装"})
    assert done.status_code == 302 and done["Location"] == reverse("partner_link:thanks")
    case_referred.refresh_from_db()
    assert (case_referred.outcome, case_referred.outcome_note) == ("done", "已完成卫生间扶手安装")
    assert PartnerAnswer.objects.filter(partner_referral=case_referred).count() == 2
    answers = list(
        CaseEvent.objects.filter(case=case_referred.case, kind="referral", actor=None).values_list(
            "text", flat=True
        )
    )
    assert answers == [
        "合作伙伴回复 · 天津安居充电设备有限公司：已接收",
        "合作伙伴回复 · 天津安居充电设备有限公司：已办结。已完成卫生间扶手安装",
    ]
    # The lead worker (who referred) and the co-worker are told, in the case's words.
    for user in (worker2, worker):
        told = Notification.objects.filter(recipient=user, event="referral_answered").order_by("pk")
        assert told.count() == 2
        assert (
            told.last().title == f"个案 {case_referred.case.reference}：天津安居充电设备有限公司回复“已办结”"
        )
        assert told.last().url == case_referred.case.get_absolute_url()
    assert client.get(_link_url(token)).status_code == 404  # spent
    client.force_login(worker2)
    page = client.get(case_referred.case.get_absolute_url()).content.decode()
    assert "合作伙伴回复 · 天津安居充电设备有限公司：已办结" in page and "已办结" in page


def test_the_link_expires_and_shows_only_its_own_referral(client, case_referred, partner, worker2, guoyuan):
    issued = timezone.now() - datetime.timedelta(days=15)  # PARTNER_LINK_DAYS is 14
    _old, expired = pf.new_link(case_referred, now=issued)
    assert client.get(_link_url(expired)).status_code == 404
    assert client.post(_link_url(expired), {"outcome": "accepted"}).status_code == 404
    other_client = make_resident(case_referred.case.client.community, name="赵秀英")
    other_case = make_case(guoyuan, other_client, worker2, stage=Case.Stage.INTERVENTION)
    other = refer_case(other_case, partner, worker2, reason="另一位老人的助餐需求")
    pf.consent(worker2, other, fields=["name"])
    text = _link_page(client, case_referred)
    assert case_referred.case.reference in text
    assert other_case.reference not in text and "赵秀英" not in text and "助餐" not in text
    # Nothing else of the case: its stage, risk, parties, lead worker or problem.
    for value in ("介入", "风险", "刘建国", "李静", PROBLEM[:8]):
        assert value not in text
    case_referred.refresh_from_db()
    assert case_referred.outcome == "pending"


def test_a_silent_partner_is_reminded_once_on_the_case_timeline(case_referred, worker2, settings):
    later = timezone.now() + datetime.timedelta(days=settings.PARTNER_REMINDER_DAYS, minutes=1)
    assert services.remind_unanswered(now=later) == 1
    assert services.remind_unanswered(now=later) == 0
    reminder = OutboxMessage.objects.get(template_code="partner_reminder")
    assert "个案" in reminder.body and "/p/" in reminder.body
    told = Notification.objects.get(recipient=worker2, event="referral_unanswered")
    assert told.title.startswith(f"个案 {case_referred.case.reference} 转介天津安居充电设备有限公司")
    event = CaseEvent.objects.get(case=case_referred.case, kind="referral", actor=None)
    assert "未回复转介" in event.text and "催办" in event.text


# --- Counted as referrals are ------------------------------------------------------------------------


def test_case_referrals_count_in_the_five_forces_report(client, case, partner, worker2, guoyuan, chaoyangli):
    """A request that became a case, resolved, whose case referral the charity accepted: counted under
    社会慈善资源; the partner's row counts the case referral and its completion."""
    request = pf.make_request(worker2, chaoyangli, resident=case.client)
    Case.objects.filter(pk=case.pk).update(request=request)
    case.refresh_from_db()
    pr = refer_case(case, partner, worker2)
    _link, token = pf.new_link(pr)
    client.post(_link_url(token), {"outcome": "accepted"})
    client.post(_link_url(token), {"outcome": "done", "note": "已办结"})
    now = timezone.now()
    Request.objects.filter(pk=request.pk).update(status=Request.Status.RESOLVED, resolved_at=now)
    today = timezone.localdate()
    scope, period = contributions.Scope(station=guoyuan), contributions.Period(today, today)
    forces = contributions.resolved_by_force(scope, period)
    assert (forces["total"], forces["charity"], forces["social_worker"]) == (1, 1, 0)
    (row,) = contributions.by_partner(scope, period)
    assert (row["partner"], row["referred"], row["done"], row["declined"]) == (partner, 1, 1, 0)


# --- Query bounds ----------------------------------------------------------------------------------------


def test_the_pages_read_a_bounded_number_of_queries(
    client, case, partner, worker2, django_assert_max_num_queries
):
    client.force_login(worker2)
    refer_page = reverse("casework:refer-partner", args=[case.pk])
    with django_assert_max_num_queries(13) as few:  # measured: 13
        assert client.get(refer_page).status_code == 200
    first = refer_case(case, partner, worker2)
    pf.consent(worker2, first, fields=["name"])
    with django_assert_max_num_queries(18) as one:  # measured: 18, and no more with 6 referrals
        assert client.get(_detail(first)).status_code == 200
    for n in range(5):
        more = pf.make_partner(case.station, name=f"合作伙伴{n}")
        pr = refer_case(case, more, worker2)
        pf.consent(worker2, pr, fields=["name"])
        services.withdraw_consent(acting_user=worker2, consent=pr.consents.get())
        pf.consent(worker2, pr, fields=["phone"])
        pf.new_link(pr)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(_detail(pr)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(refer_page).status_code == 200
