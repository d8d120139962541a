"""14.4: registering a resident must not tell a station worker whether an ID number is registered
anywhere else in the city. Out of scope, the registration answers as for a new number and the number is
held for the district centre to reconcile; every check is recorded and limited per user."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from residents.models import Request, Resident
from stations.audit import AccessedResident, PersonalDataAccess
from tests.residents.factories import category, id_number, make_resident

pytestmark = pytest.mark.django_db

CREATE = reverse("residents:resident-create")
LOOKUP = reverse("residents:resident-lookup")
HELD = reverse("residents:held-id-numbers")
ELSEWHERE = id_number(datetime.date(1959, 11, 2), region="120104", gender="F", seq=48)  # 南开区
UNKNOWN = id_number(datetime.date(1959, 11, 2), region="120104", gender="F", seq=51)  # nobody's


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registered_elsewhere(hualinyuan):
    return make_resident(
        hualinyuan, name="刘淑芬", id_number=ELSEWHERE, birth_date=datetime.date(1959, 11, 2)
    )


def register(client, community, number, name="王淑珍"):
    return client.post(CREATE, {"name": name, "community": community.pk, "id_number": number}, follow=True)


def page_without_identity(response, number):
    """The page as the worker sees it, minus what differs between any two new residents (their id in
    addresses, the masked number typed, the time)."""
    html = response.content.decode()
    html = re.sub(r"/residents/\d+/", "/residents/N/", html)
    html = re.sub(r"resident=\d+", "resident=N", html)
    html = html.replace(f"{number[:6]}********{number[-4:]}", "MASKED")
    html = re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+\"", "", html)
    html = re.sub(r"CSRFToken\": \"[^\"]+\"", "", html)
    html = re.sub(r"\d{4}-\d{2}-\d{2}T[\d:.+]+", "TIME", html)
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "TIME", html)


def test_out_of_scope_existing_and_new_numbers_answer_alike(client, worker, chaoyangli, registered_elsewhere):
    client.force_login(worker)
    existing = register(client, chaoyangli, ELSEWHERE)
    new = register(client, chaoyangli, UNKNOWN)
    assert existing.status_code == new.status_code == 200
    assert existing.redirect_chain[0][1] == new.redirect_chain[0][1] == 302
    assert "已登记居民 王淑珍" in existing.content.decode()
    assert "全市" not in existing.content.decode() and "刘淑芬" not in existing.content.decode()
    assert page_without_identity(existing, ELSEWHERE) == page_without_identity(new, UNKNOWN)


def test_the_number_is_held_for_the_district_not_given_away(client, worker, chaoyangli, registered_elsewhere):
    client.force_login(worker)
    register(client, chaoyangli, ELSEWHERE)
    held = Resident.objects.get(name="王淑珍")
    assert held.id_number == ELSEWHERE and held.id_number_hash is None  # kept, out of the unique index
    assert held.birth_date == datetime.date(1959, 11, 2)
    registered_elsewhere.refresh_from_db()
    assert registered_elsewhere.id_number == ELSEWHERE and registered_elsewhere.id_number_hash
    # The exact lookup still finds only the registered one, and only for whoever may see it.
    assert list(Resident.objects.with_id_number(ELSEWHERE)) == [registered_elsewhere]


def test_the_district_centre_sees_the_held_duplicate(
    client, worker, chaoyangli, registered_elsewhere, district_user, other_district_user
):
    client.force_login(worker)
    register(client, chaoyangli, ELSEWHERE)
    register(client, chaoyangli, UNKNOWN, name="新居民")
    client.force_login(district_user)
    html = client.get(HELD).content.decode()
    assert "王淑珍" in html and f"{ELSEWHERE[:6]}********{ELSEWHERE[-4:]}" in html and "新居民" not in html
    assert ELSEWHERE not in html
    assert f'href="{HELD}"' in client.get(reverse("home"), follow=True).content.decode()  # in the menu
    client.force_login(other_district_user)
    assert "王淑珍" not in client.get(HELD).content.decode()
    client.force_login(worker)
    assert client.get(HELD).status_code == 403


def test_a_number_within_the_workers_own_scope_is_named(client, worker, chaoyangli, guoyuan):
    make_resident(chaoyangli, name="张桂兰", id_number=UNKNOWN)
    client.force_login(worker)
    response = client.post(CREATE, {"name": "重复", "community": chaoyangli.pk, "id_number": UNKNOWN})
    assert "已登记为本站居民" in str(response.context["form"].errors["id_number"])
    assert not Resident.objects.filter(name="重复").exists()


def test_intake_registering_a_new_resident_holds_it_too(client, worker, chaoyangli, registered_elsewhere):
    client.force_login(worker)
    lighting = category("照明灯具")
    response = client.post(
        reverse("residents:intake"),
        {
            "submission_token": "tok123456789",
            "mode": "new",
            "new_name": "王淑珍",
            "new_id_number": ELSEWHERE,
            "community": chaoyangli.pk,
            "channel": "phone",
            "category": lighting.pk,
            "description": "灯坏了",
            "severity": "mild",
            "urgency": "urgent",
        },
    )
    assert response.status_code == 302
    assert Request.objects.get().resident.id_number_hash is None


def test_every_check_is_recorded_with_the_records_it_matched(
    client, worker, chaoyangli, registered_elsewhere
):
    client.force_login(worker)
    register(client, chaoyangli, ELSEWHERE)
    register(client, chaoyangli, UNKNOWN, name="新居民")
    client.post(LOOKUP, {"id_number": ELSEWHERE})
    checks = PersonalDataAccess.objects.filter(user=worker, action="id_check").order_by("pk")
    assert [c.reason for c in checks] == ["登记居民", "登记居民", "按完整身份证号查找"]
    assert [c.resident_count for c in checks] == [1, 0, 1]
    assert AccessedResident.objects.filter(access=checks[0], resident_id=registered_elsewhere.pk).exists()
    assert checks[0].path == CREATE


def test_checks_are_rate_limited_per_user(client, worker, worker2, chaoyangli, settings):
    settings.ID_NUMBER_CHECK_LIMIT = (3, 600)
    client.force_login(worker)
    numbers = [id_number(datetime.date(1960, 1, 1), seq=n) for n in range(1, 6)]
    for number in numbers[:3]:
        assert register(client, chaoyangli, number, name=f"居民{number[-4:]}").redirect_chain
    refused = client.post(CREATE, {"name": "第四个", "community": chaoyangli.pk, "id_number": numbers[3]})
    assert refused.status_code == 200
    assert "身份证号核验过于频繁" in str(refused.context["form"].errors["id_number"])
    assert not Resident.objects.filter(name="第四个").exists()
    lookup = client.post(LOOKUP, {"id_number": numbers[0]}, follow=True)
    assert "身份证号核验过于频繁" in lookup.content.decode()
    assert (
        PersonalDataAccess.objects.filter(user=worker, action="id_check", reason__startswith="已超出").count()
        == 2
    )
    client.force_login(worker2)  # another user has their own allowance
    assert register(client, chaoyangli, numbers[4], name="另一位").redirect_chain


def test_held_page_query_count_is_bounded(
    client, worker, chaoyangli, district_user, django_assert_max_num_queries
):
    client.force_login(worker)
    for n in range(1, 4):
        number = id_number(datetime.date(1970, 1, 1), region="120104", seq=n)
        make_resident(chaoyangli, name=f"外{n}", id_number=number)
        Resident.objects.filter(name=f"外{n}").update(id_number_hash=None)
    client.force_login(district_user)
    with django_assert_max_num_queries(12):
        assert client.get(HELD).status_code == 200
