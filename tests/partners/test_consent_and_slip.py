"""A referral slip and the partner's link carry no personal data without the resident's consent, exactly
the consented fields with it, and none again once it is withdrawn; a minor's consent needs a guardian."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.models import ShareConsent
from stations.audit import AuditLogEntry, PersonalDataAccess
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db

PERSONAL = {
    "name": "张桂兰",
    "phone": "13820135678",
    "phone_tail": "5678",
    "address": "3号楼2门401",
    "description": "楼下存车处想安装",
}


def _slip(client, worker, pr):
    client.force_login(worker)
    return client.get(reverse("partners:referral-slip", args=[pr.pk])).content.decode()


def _link_page(client, pr):
    _link, token = pf.new_link(pr)
    client.logout()
    return client.get(reverse("partner_link:answer", args=[token])).content.decode()


def _assert_no_personal_data(text, resident):
    for label, value in PERSONAL.items():
        assert value not in text, f"{label} on the page without consent"
    assert resident.id_number not in text
    assert resident.id_number[-4:] not in text
    assert resident.masked_id_number not in text


def test_without_consent_the_slip_and_the_link_carry_no_personal_data(client, worker, referred, resident):
    for text in (_slip(client, worker, referred), _link_page(client, referred)):
        _assert_no_personal_data(text, resident)
        assert "朝阳里社区居委会" in text  # the community, and no further
        assert "需专业安装充电设施" in text  # the reason the worker wrote
        assert "尚未同意" in text


def test_with_consent_exactly_the_consented_fields(client, worker, referred, resident):
    consent = pf.consent(worker, referred, fields=["name", "phone"])
    entries = AuditLogEntry.objects.get_for_object(consent)  # one entry, the worker's (no signal-made twin)
    assert [(e.action, e.actor) for e in entries] == [(AuditLogEntry.Action.CREATE, worker)]
    for text in (_slip(client, worker, referred), _link_page(client, referred)):
        assert "张桂兰" in text and "13820135678" in text
        assert "3号楼2门401" not in text  # the address was not consented
        assert "楼下存车处想安装" not in text  # nor the description
        assert resident.id_number not in text  # an ID number is never a field to share


def test_the_slip_with_personal_data_is_a_logged_read(client, worker, referred, resident):
    pf.consent(worker, referred, fields=["name", "address"])
    before = PersonalDataAccess.objects.count()
    text = _slip(client, worker, referred)
    assert "3号楼2门401" in text
    access = PersonalDataAccess.objects.order_by("-pk").first()
    assert PersonalDataAccess.objects.count() == before + 1
    assert access.user == worker and access.action == "view"


def test_withdrawn_consent_hides_the_data_again(client, worker, referred, resident):
    consent = pf.consent(worker, referred, fields=["name", "phone", "address", "description"])
    assert "张桂兰" in _link_page(client, referred)
    client.force_login(worker)
    response = client.post(
        reverse("partners:consent-withdraw", args=[referred.pk, consent.pk]), {"note": "居民改变主意"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    _assert_no_personal_data(_link_page(client, referred), resident)
    _assert_no_personal_data(_slip(client, worker, referred), resident)


def test_the_district_and_a_worker_without_the_sensitive_permission_see_no_personal_data(
    client, worker, worker2, district_user, referred, resident
):
    """Consent lets the station show the data to the partner; it does not open it to everyone who may see
    the referral: the district centre reads the referral without it, and so does a worker who may not open
    the resident (a minor's or sensitive record without the sensitive-records permission)."""
    pf.consent(worker, referred, fields=["name", "phone", "address"])
    before = PersonalDataAccess.objects.count()
    for url in ("partners:referral-detail", "partners:referral-slip"):
        client.force_login(district_user)
        _assert_no_personal_data(client.get(reverse(url, args=[referred.pk])).content.decode(), resident)
    type(resident).objects.filter(pk=resident.pk).update(birth_date=pf.minor_birth_date(10))  # a minor now
    client.force_login(worker2)  # 李静, a worker: no sensitive-records permission (the head holds it)
    for url in ("partners:referral-detail", "partners:referral-slip"):
        text = client.get(reverse(url, args=[referred.pk])).content.decode()
        _assert_no_personal_data(text, resident)
    assert PersonalDataAccess.objects.count() == before  # nothing shown, nothing logged


def test_a_minor_needs_a_guardian(worker, chaoyangli, partner):
    child = pf.make_request(
        worker,
        chaoyangli,
        resident=pf_resident(chaoyangli, "小明", pf.minor_birth_date(10)),
    )
    pr = pf.refer(worker, child, partner)
    with pytest.raises(ValidationError) as refused:
        pf.consent(worker, pr, given_by=ShareConsent.GivenBy.RESIDENT)
    assert "监护人" in str(refused.value)
    with pytest.raises(ValidationError):  # a guardian without a name is no guardian
        pf.consent(worker, pr, given_by=ShareConsent.GivenBy.GUARDIAN)
    consent = pf.consent(
        worker, pr, given_by=ShareConsent.GivenBy.GUARDIAN, guardian_name="王芳", guardian_relation="母亲"
    )
    assert consent.guardian_name == "王芳" and consent.withdrawn_at is None


def pf_resident(community, name, born):
    from tests.residents.factories import make_resident

    return make_resident(community, name=name, birth_date=born)


def test_an_adult_turning_18_tomorrow_is_still_a_minor(worker, chaoyangli, partner):
    today = datetime.date.today()
    born = today.replace(year=today.year - 18) + datetime.timedelta(days=1)
    pr = pf.refer(
        worker, pf.make_request(worker, chaoyangli, resident=pf_resident(chaoyangli, "小红", born)), partner
    )
    with pytest.raises(ValidationError):
        pf.consent(worker, pr)


def test_verbal_consent_needs_a_witness_and_a_signed_one_its_scan(worker, referred):
    with pytest.raises(ValidationError) as refused:
        pf.consent(worker, referred, method=ShareConsent.Method.VERBAL)
    assert "见证人" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        pf.consent(worker, referred, method=ShareConsent.Method.SIGNED_FORM)
    assert "扫描件" in str(refused.value)
    assert not referred.consents.exists()  # nothing half-saved


def test_a_signed_form_is_kept_as_the_consents_attachment(client, worker, referred):
    from attachments.models import Attachment
    from tests.attachments import samples

    client.force_login(worker)
    response = client.post(
        reverse("partners:consent-create", args=[referred.pk]),
        {
            "given_by": "resident",
            "method": "signed_form",
            "fields": ["name"],
            "purpose": "上门安装",
            "scan": samples.upload(samples.png_bytes(), "同意书.png"),
        },
    )
    assert response.status_code == 302
    consent = referred.consents.get()
    assert Attachment.objects.of(consent).get().kind == "consent"


def test_the_consent_form_answers_in_chinese_and_saves_nothing(client, worker, referred):
    client.force_login(worker)
    response = client.post(
        reverse("partners:consent-create", args=[referred.pk]), {"given_by": "resident", "method": "verbal"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "该字段是必填项" in text
    assert not referred.consents.exists()


def test_another_station_cannot_record_or_withdraw_a_consent(client, other_worker, worker, referred):
    consent = pf.consent(worker, referred)
    client.force_login(other_worker)
    assert client.post(reverse("partners:consent-create", args=[referred.pk]), {}).status_code == 404
    url = reverse("partners:consent-withdraw", args=[referred.pk, consent.pk])
    assert client.post(url, {}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
