"""The masked ID number `120104********0485` hides exactly the birth date (characters 7–14), so a birth date
shown beside it completes the number. Wherever a masked ID number is shown, a resident who has one is
shown with the age, not the birth date: the resident page, the list, the edit form, the exports, the
admin and the audit pages (the last: tests/security/test_audit_redaction.py). The full birth date comes
with the full number, on a reveal. A resident without an ID number keeps the birth date."""

import datetime

import pytest
from django.urls import reverse

from residents.models import Resident
from stations.models import User
from tests import factories as f
from tests.residents.factories import id_number, make_resident

pytestmark = pytest.mark.django_db

BORN = datetime.date(1959, 11, 2)
# Every way a page could write the birth date (ISO, compact as in the number, Chinese, slashes).
BIRTH_DATE_FORMS = ["1959-11-02", "19591102", "1959年11月2日", "1959年11月02日", "1959/11/02", "Nov. 2, 1959"]


@pytest.fixture
def registered(chaoyangli):
    number = id_number(born=BORN, region="120104", seq=48)
    return make_resident(chaoyangli, name="赵淑珍", birth_date=BORN, gender="F", id_number=number)


def assert_no_birth_date(text, number, where=""):
    for form in BIRTH_DATE_FORMS:
        assert form not in text, (where, form)
    assert number not in text, where


def pages(client, resident):
    urls = [
        resident.get_absolute_url(),
        reverse("residents:resident-list"),
        reverse("residents:resident-edit", args=[resident.pk]),
        reverse("exports:list", args=["residents", "csv"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield (
            url,
            b"".join(response.streaming_content).decode()
            if response.streaming
            else response.content.decode(),
        )


def test_no_page_shows_the_birth_date_beside_a_masked_id_number(client, worker, registered):
    client.force_login(worker)
    for url, text in pages(client, registered):
        assert_no_birth_date(text, registered.id_number, url)
    detail = client.get(registered.get_absolute_url()).content.decode()
    assert registered.masked_id_number in detail and f"{registered.age()}岁" in detail


def test_district_and_city_staff_see_no_birth_date_either(client, district_user, city_user, registered):
    for user in (district_user, city_user):
        client.force_login(user)
        text = client.get(registered.get_absolute_url()).content.decode()
        assert registered.masked_id_number in text
        assert_no_birth_date(text, registered.id_number)


def test_the_reveal_shows_the_birth_date_with_the_number(client, worker, registered):
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-reveal", args=[registered.pk]), {"reason": "核对高龄津贴材料"}
    )
    page = response.content.decode()
    assert registered.id_number in page and "1959-11-02" in page


def test_a_resident_without_an_id_number_keeps_the_birth_date(client, worker, chaoyangli):
    resident = make_resident(chaoyangli, name="钱桂芳", birth_date=BORN)
    client.force_login(worker)
    assert "1959-11-02" in client.get(resident.get_absolute_url()).content.decode()


def test_the_edit_form_keeps_the_birth_date_it_does_not_show(client, worker, registered):
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-edit", args=[registered.pk]),
        {
            "name": "赵淑珍",
            "birth_date": "",
            "gender": "F",
            "community": registered.community_id,
            "address": "朝阳里5号楼",
            "version": registered.version,
        },
    )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.birth_date == BORN and registered.address == "朝阳里5号楼"


def test_the_admin_shows_the_age_not_the_birth_date(client, registered):
    admin = f.make_user("admin-bd", User.Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in (
        reverse("admin:residents_resident_changelist"),
        reverse("admin:residents_resident_change", args=[registered.pk]),
    ):
        text = client.get(url).content.decode()
        assert registered.masked_id_number in text, url
        assert_no_birth_date(text, registered.id_number)
    assert Resident.objects.get(pk=registered.pk).birth_date == BORN
