"""15.1: editing a resident registered without an ID number keeps the birth date (and with it the minor
flag); a birth date that was set is blanked only on purpose (清除出生日期)."""

import datetime

import pytest
from django.urls import reverse

from residents.models import Resident
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db

BORN = datetime.date(1948, 5, 1)


@pytest.fixture
def elder(chaoyangli):
    return make_resident(chaoyangli, name="赵玉兰", birth_date=BORN, gender="F", address="朝阳里1号楼")


@pytest.fixture
def child(chaoyangli):
    return make_resident(chaoyangli, name="小明", birth_date=datetime.date(2016, 9, 1), gender="M")


def edit_url(resident):
    return reverse("residents:resident-edit", args=[resident.pk])


def form_data(resident, **changes):
    return {
        "version": resident.version,
        "name": resident.name,
        "community": resident.community_id,
        "gender": resident.gender,
        "address": resident.address,
        **changes,
    }


def test_the_edit_form_shows_the_birth_date_as_iso(client, worker, elder):
    client.force_login(worker)
    html = client.get(edit_url(elder)).content.decode()
    assert 'type="date" name="birth_date" value="1948-05-01"' in html
    assert "1948/05/01" not in html
    assert "清除出生日期" in html


def test_saving_with_the_date_unchanged_keeps_it(client, worker, elder):
    client.force_login(worker)
    response = client.post(edit_url(elder), form_data(elder, birth_date="1948-05-01", address="朝阳里2号楼"))
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.birth_date == BORN and elder.address == "朝阳里2号楼"
    assert "出生日期" not in elder.events.get(kind="updated").text


def test_a_birth_date_sent_empty_is_refused_not_erased(client, worker, elder):
    client.force_login(worker)
    response = client.post(edit_url(elder), form_data(elder, birth_date="", address="朝阳里2号楼"))
    assert response.status_code == 200
    assert "如需清除出生日期" in str(response.context["form"].errors["birth_date"])
    elder.refresh_from_db()
    assert elder.birth_date == BORN and elder.address == "朝阳里1号楼" and elder.version == 1


def test_a_minor_keeps_the_minor_flag(client, worker, child, django_user_model):
    from django.contrib.auth.models import Permission

    worker.user_permissions.add(Permission.objects.get(codename="view_sensitive_resident"))
    worker = django_user_model.objects.get(pk=worker.pk)
    client.force_login(worker)
    client.post(edit_url(child), form_data(child, birth_date="", address="新地址"))
    assert Resident.objects.minors().filter(pk=child.pk).exists()


def test_the_birth_date_is_cleared_on_purpose(client, worker, elder):
    client.force_login(worker)
    response = client.post(edit_url(elder), form_data(elder, birth_date="", clear_birth_date="on"))
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.birth_date is None
    assert "出生日期" in elder.events.get(kind="updated").text


def test_a_slashed_date_typed_by_hand_is_still_accepted(client, worker, elder):
    client.force_login(worker)
    client.post(edit_url(elder), form_data(elder, birth_date="1948/05/02"))
    elder.refresh_from_db()
    assert elder.birth_date == datetime.date(1948, 5, 2)
