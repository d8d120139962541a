"""A case service record of form 转介 may refer the client to a registered partner (issue #21): the record
links to the referral it made (the partner's answer link, the consent, the answers), saved together or
not at all; any other form, or a partner the worker may not refer to, is refused with nothing saved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, CaseEvent, ServiceRecord
from notifications.models import OutboxMessage
from partners.models import PartnerReferral
from tests.casework.closing import case_at
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return case_at(guoyuan, chaoyangli, worker2, stage=Case.Stage.INTERVENTION)


@pytest.fixture
def partner(guoyuan):
    return pf.make_partner(guoyuan, name="北辰区康复辅具服务中心")


def _post(client, case, **fields):
    data = {
        "date": timezone.localdate().isoformat(),
        "form": "referral",
        "duration_minutes": "30",
        "person_times": "1",
        "content": "转介康复辅具评估，适配助行器",
        **fields,
    }
    return client.post(reverse("casework:service-record-new", args=[case.pk]), data)


def test_a_referral_record_refers_to_the_partner_and_links_the_referral(client, case, partner, worker2):
    client.force_login(worker2)
    response = _post(client, case, refer_partner=partner.pk)
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    pr = PartnerReferral.objects.get()
    assert record.partner_referral == pr and pr.case == case and pr.referred_by == worker2
    assert pr.reason == "转介康复辅具评估，适配助行器" and pr.contact_phone == partner.contact_phone
    assert OutboxMessage.objects.filter(
        template_code="partner_referral", address=partner.contact_phone
    ).exists()
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {CaseEvent.Kind.SERVICE, CaseEvent.Kind.REFERRAL} <= kinds
    page = client.get(case.get_absolute_url()).content.decode()
    assert pr.get_absolute_url() in page and "北辰区康复辅具服务中心" in page


def test_a_free_text_referral_record_still_works(client, case, worker2):
    client.force_login(worker2)
    assert _post(client, case).status_code == 302
    assert ServiceRecord.objects.get().partner_referral is None and not PartnerReferral.objects.exists()


def test_a_partner_on_another_form_or_of_another_station_saves_nothing(
    client, case, partner, worker2, jixianli
):
    client.force_login(worker2)
    response = _post(client, case, form="face_to_face", refer_partner=partner.pk)
    assert response.status_code == 400 and "服务形式为“转介”时才能选择合作伙伴" in response.content.decode()
    theirs = pf.make_partner(jixianli, name="集贤里助老服务社")
    assert _post(client, case, refer_partner=theirs.pk).status_code == 400  # not a valid choice
    assert not ServiceRecord.objects.exists() and not PartnerReferral.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_partner_without_a_registered_contact_is_referred_from_the_case_page(
    client, case, guoyuan, worker2
):
    silent = pf.make_partner(guoyuan, name="无联系人的服务机构", contact_name="", contact_phone="")
    client.force_login(worker2)
    response = _post(client, case, refer_partner=silent.pk)
    assert response.status_code == 400 and "该合作伙伴未登记联系人" in response.content.decode()
    assert not ServiceRecord.objects.exists()
