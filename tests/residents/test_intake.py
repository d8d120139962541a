"""The intake form: find-or-create the resident, reporter only, double submit, duplicate warning, scope."""

import pytest
from django.urls import reverse

from residents.models import Request, Resident, ResidentEvent
from tests.factories import make_request
from tests.residents.factories import category, id_number

URL = reverse("residents:intake")


def _data(place, **overrides):
    lighting = category("照明灯具")
    data = {
        "submission_token": "a1b2c3d4e5f6",
        "mode": "existing",
        "community": place.pk,
        "channel": "phone",
        "category": lighting.pk,
        "description": "独居老人家里灯泡坏了，需要帮忙更换。",
        "severity": "mild",
        "urgency": "urgent",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_form_renders_with_category_defaults_and_only_the_stations_communities(client, worker, jixianli):
    client.force_login(worker)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    lighting = category("照明灯具")
    assert f'value="{lighting.pk}" data-severity="mild" data-urgency="urgent"' in html
    assert "朝阳里社区居委会" in html and "泰来西里" not in html
    assert 'name="submission_token"' in html
    assert "<script>" not in html and "扫码" not in html  # the QR channel is the public form's


@pytest.mark.django_db
def test_intake_for_an_existing_resident_shows_the_reference(client, worker, chaoyangli, resident):
    client.force_login(worker)
    response = client.post(URL, _data(chaoyangli, resident=resident.pk), follow=True)
    request = Request.objects.get()
    assert request.resident == resident and request.created_by == worker
    assert request.reference.startswith("120113001-")
    assert (request.priority, request.channel, request.status) == (2, "phone", "new")
    assert response.redirect_chain[-1][0] == request.get_absolute_url()
    assert f"受理编号：{request.reference}" in response.content.decode()
    assert request.events.get().kind == "created"


@pytest.mark.django_db
def test_community_defaults_to_the_residents(client, worker, resident):
    client.force_login(worker)
    client.post(URL, _data(resident.community, resident=resident.pk, community=""))
    assert Request.objects.get().community == resident.community


@pytest.mark.django_db
def test_new_resident_is_registered_inline(client, worker, chaoyangli):
    client.force_login(worker)
    number = id_number(seq=11, gender="M")
    client.post(
        URL,
        _data(
            chaoyangli,
            mode="new",
            new_name=" 王 德明 ",
            new_phone="138 2013 0001",
            new_id_number=number.lower(),
        ),
    )
    resident = Resident.objects.get()
    assert (resident.name, resident.phone, resident.id_number, resident.gender) == (
        "王 德明",
        "13820130001",
        number,
        "M",
    )
    assert resident.birth_date.year == 1950
    assert Request.objects.get().resident == resident
    assert ResidentEvent.objects.filter(resident=resident, kind="created", actor=worker).exists()


@pytest.mark.django_db
def test_reporter_only(client, worker, chaoyangli):
    client.force_login(worker)
    client.post(
        URL, _data(chaoyangli, mode="reporter", reporter_name="居委会李主任", reporter_phone="022-26391234")
    )
    request = Request.objects.get()
    assert request.resident is None
    assert (request.reporter_name, request.reporter_phone) == ("居委会李主任", "022-26391234")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"mode": "existing"}, "resident"),
        ({"mode": "new", "new_name": ""}, "new_name"),
        ({"mode": "reporter"}, "reporter_name"),
        ({"mode": "reporter", "reporter_name": "李", "reporter_phone": "12345"}, "reporter_phone"),
        ({"mode": "new", "new_name": "王", "new_id_number": "12011319500308001X"}, "new_id_number"),
        ({"description": "   "}, "description"),
        ({"severity": ""}, "severity"),
    ],
)
def test_bad_input_is_refused_with_the_error_next_to_the_field(client, worker, chaoyangli, overrides, field):
    client.force_login(worker)
    response = client.post(URL, _data(chaoyangli, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Request.objects.exists() and not Resident.objects.exists()


@pytest.mark.django_db
def test_an_id_number_registered_at_another_station_is_held(client, worker, chaoyangli, neighbour_resident):
    neighbour_resident.id_number = id_number(seq=21)
    neighbour_resident.save()
    client.force_login(worker)
    response = client.post(
        URL, _data(chaoyangli, mode="new", new_name="王秀英", new_id_number=neighbour_resident.id_number)
    )
    # Registered at another station: not disclosed (14.4); the new record holds the number for the
    # district centre to reconcile.
    assert response.status_code == 302
    assert Resident.objects.count() == 2
    assert Request.objects.get().resident.id_number_hash is None


@pytest.mark.django_db
def test_double_submit_creates_one_request_and_one_resident(client, worker, chaoyangli):
    client.force_login(worker)
    data = _data(chaoyangli, mode="new", new_name="赵淑珍")
    first = client.post(URL, data)
    second = client.post(URL, data, follow=True)
    request = Request.objects.get()
    assert Resident.objects.count() == 1
    assert first.url == second.redirect_chain[-1][0] == request.get_absolute_url()
    assert "已提交过" in second.content.decode()


@pytest.mark.django_db
def test_duplicate_open_request_is_warned_not_blocked(client, worker, chaoyangli, resident, guoyuan):
    existing = make_request(guoyuan, chaoyangli, resident=resident, category_name="照明灯具")
    client.force_login(worker)
    warning = client.get(
        reverse("residents:intake-duplicates"),
        {"resident": resident.pk, "category": existing.category_id},
        headers={"HX-Request": "true"},
    )
    assert existing.reference in warning.content.decode()
    response = client.post(URL, _data(chaoyangli, resident=resident.pk), follow=True)
    assert Request.objects.count() == 2
    assert f"该居民已有同类未办结诉求（{existing.reference}）" in response.content.decode()


@pytest.mark.django_db
def test_no_warning_for_another_category_or_a_closed_request(client, worker, chaoyangli, resident, guoyuan):
    make_request(guoyuan, chaoyangli, resident=resident, category_name="照明灯具", status="closed")
    make_request(guoyuan, chaoyangli, resident=resident, category_name="司法救助")
    client.force_login(worker)
    response = client.post(URL, _data(chaoyangli, resident=resident.pk), follow=True)
    assert "同类未办结诉求" not in response.content.decode()


@pytest.mark.django_db
def test_resident_search_htmx_and_without_js(client, worker, resident, neighbour_resident):
    client.force_login(worker)
    htmx = client.get(reverse("residents:resident-search"), {"q": "5678"}, headers={"HX-Request": "true"})
    html = htmx.content.decode()
    assert f'value="{resident.pk}"' in html and "138****5678" in html
    assert resident.phone not in html and resident.id_number not in html
    # Without JavaScript the search button posts the form back; nothing is saved.
    plain = client.post(URL, _data(resident.community, do="search", q="张桂兰"))
    assert plain.status_code == 200 and f'value="{resident.pk}"' in plain.content.decode()
    assert not Request.objects.exists()
    # Another station's resident is never found.
    other = client.get(reverse("residents:resident-search"), {"q": "王秀英"}, headers={"HX-Request": "true"})
    assert f'value="{neighbour_resident.pk}"' not in other.content.decode()
    assert "没有找到" in other.content.decode()


@pytest.mark.django_db
def test_forged_community_and_resident_of_another_station_are_refused(
    client, worker, chaoyangli, tailaixili, neighbour_resident
):
    client.force_login(worker)
    forged_community = client.post(URL, _data(tailaixili, mode="reporter", reporter_name="李"))
    assert forged_community.status_code == 400 and "community" in forged_community.context["form"].errors
    forged_resident = client.post(URL, _data(chaoyangli, resident=neighbour_resident.pk))
    assert forged_resident.status_code == 400 and "resident" in forged_resident.context["form"].errors
    forged_new = client.post(URL, _data(tailaixili, mode="new", new_name="李"))
    assert forged_new.status_code == 400
    assert not Request.objects.exists() and Resident.objects.count() == 1


@pytest.mark.django_db
def test_intake_is_for_station_staff_only(client, district_user, city_user):
    for user in (district_user, city_user):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(reverse("residents:resident-search"), {"q": "张"}).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
