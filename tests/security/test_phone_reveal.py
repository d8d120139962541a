"""15.6: a worker can call a resident or a reporter back. Staff of the owning station reveal the whole
phone (with a tel: link) on the resident and case pages, recorded as an access; nobody else can; lists
stay masked; minors' and sensitive records need the extra permission, as for the ID number."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import Request
from stations.audit import AccessedResident, PersonalDataAccess
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db

PHONE = "13820135678"
MASKED = "138****5678"
REPORTER = "022-26391234"


@pytest.fixture
def elder(chaoyangli):
    return make_resident(chaoyangli, name="张桂兰", birth_date=datetime.date(1944, 5, 2), phone=PHONE)


@pytest.fixture
def child(chaoyangli):
    today = timezone.localdate()
    return make_resident(
        chaoyangli, name="王小明", birth_date=datetime.date(today.year - 9, 3, 1), phone="13900009999"
    )


@pytest.fixture
def qr_request(guoyuan, chaoyangli):
    """A QR request: the reporter's phone is on the request only."""
    return make_request(
        guoyuan, chaoyangli, channel=Request.Channel.QR, reporter_name="张阿姨", reporter_phone=REPORTER
    )


def resident_phone(client, resident):
    return client.post(reverse("residents:resident-phone", args=[resident.pk]))


def request_phone(client, req):
    return client.post(reverse("residents:request-phone", args=[req.pk]))


def test_the_resident_page_offers_a_reveal_not_the_number(client, worker, elder):
    client.force_login(worker)
    html = client.get(elder.get_absolute_url()).content.decode()
    assert MASKED in html and PHONE not in html and "tel:" not in html
    assert reverse("residents:resident-phone", args=[elder.pk]) in html


def test_staff_of_the_station_reveal_and_call_a_resident(client, worker, elder):
    client.force_login(worker)
    response = resident_phone(client, elder)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="tel:{PHONE}"' in html and "no-store" in response["Cache-Control"]
    access = PersonalDataAccess.objects.get(action="reveal")
    assert access.user == worker and "电话" in access.reason
    assert AccessedResident.objects.filter(access=access, resident_id=elder.pk).exists()
    # The next page is masked again.
    assert PHONE not in client.get(elder.get_absolute_url()).content.decode()


def test_staff_call_back_a_qr_reporter_from_the_case_page(client, worker, qr_request):
    client.force_login(worker)
    html = client.get(qr_request.get_absolute_url()).content.decode()
    assert REPORTER not in html and reverse("residents:request-phone", args=[qr_request.pk]) in html
    response = request_phone(client, qr_request)
    assert f'href="tel:{REPORTER}"' in response.content.decode()
    access = PersonalDataAccess.objects.get(action="reveal")
    assert qr_request.reference in access.reason and access.resident_count == 0


def test_the_case_page_reveals_the_residents_phone(client, worker, guoyuan, elder):
    req = make_request(guoyuan, elder.community, user=worker, resident=elder)
    client.force_login(worker)
    assert f'href="tel:{PHONE}"' in request_phone(client, req).content.decode()
    assert PersonalDataAccess.objects.filter(action="reveal", residents__resident_id=elder.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_worker", 404), ("far_worker", 404), ("district_user", 403), ("city_user", 403)],
)
def test_nobody_else_can_reveal(client, request, elder, qr_request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert resident_phone(client, elder).status_code == status
    assert request_phone(client, qr_request).status_code == status
    assert not PersonalDataAccess.objects.filter(action="reveal").exists()


def test_district_pages_show_no_reveal(client, district_user, elder, qr_request):
    client.force_login(district_user)
    for url in (elder.get_absolute_url(), qr_request.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "显示电话并拨打" not in html and "tel:" not in html


def test_a_minor_needs_the_extra_permission(client, worker2, guoyuan, child):
    req = make_request(guoyuan, child.community, user=worker2, resident=child)
    client.force_login(worker2)  # a worker without view_sensitive_resident
    assert resident_phone(client, child).status_code == 403
    assert request_phone(client, req).status_code == 403
    assert "显示电话并拨打" not in client.get(req.get_absolute_url()).content.decode()
    assert not PersonalDataAccess.objects.filter(action="reveal").exists()


def test_lists_stay_masked(client, worker, elder, qr_request):
    client.force_login(worker)
    for url in (reverse("residents:resident-list"), reverse("residents:request-queue")):
        html = client.get(url).content.decode()
        assert PHONE not in html and REPORTER not in html and "tel:" not in html


def test_the_edit_form_shows_the_number_only_to_who_may_reveal_and_records_it(
    client, worker, other_worker, elder
):
    url = reverse("residents:resident-edit", args=[elder.pk])
    client.force_login(other_worker)
    assert client.get(url).status_code == 404
    client.force_login(worker)
    assert PHONE in client.get(url).content.decode()
    assert PersonalDataAccess.objects.filter(action="reveal", user=worker, path=url).exists()


def test_reveal_query_count_is_bounded(client, worker, elder, django_assert_max_num_queries):
    client.force_login(worker)
    with django_assert_max_num_queries(20):
        resident_phone(client, elder)
