"""The resident registry pages: scoped list with search and filters, masked everywhere, register and
edit (with the optimistic lock), and the recorded reveal of a full ID number."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from residents.models import Resident, ResidentEvent, VulnerabilityTag
from stations.locking import STALE_MESSAGE
from tests.residents.factories import id_number, make_resident

LIST = reverse("residents:resident-list")


def _names(response):
    return {r.name for r in response.context["page"].object_list}


@pytest.mark.django_db
def test_list_is_scoped_masked_and_searchable(client, worker, resident, neighbour_resident, far_resident):
    client.force_login(worker)
    response = client.get(LIST)
    html = response.content.decode()
    assert _names(response) == {"张桂兰"}
    assert "138****5678" in html and resident.masked_id_number in html
    assert resident.phone not in html and resident.id_number not in html
    assert _names(client.get(LIST, {"q": "桂兰"})) == {"张桂兰"}
    assert _names(client.get(LIST, {"q": "5678"})) == {"张桂兰"}  # phone tail
    assert _names(client.get(LIST, {"q": resident.id_number[-4:]})) == {"张桂兰"}  # ID tail
    assert _names(client.get(LIST, {"q": "王秀英"})) == set()  # another station's resident


@pytest.mark.django_db
def test_list_filters_by_tag_age_and_community(client, worker, chaoyangli, guoyuan):
    today = timezone.localdate()
    alone = make_resident(chaoyangli, name="独居", birth_date=datetime.date(1960, 1, 1))
    alone.tags.add(VulnerabilityTag.objects.get(name="独居老人"))
    make_resident(chaoyangli, name="高龄", birth_date=today.replace(year=today.year - 85))
    make_resident(chaoyangli, name="儿童", birth_date=today.replace(year=today.year - 9))
    xuri = guoyuan.streets.get().communities.get(name="旭日里社区居委会")
    make_resident(xuri, name="旭日里居民")
    client.force_login(worker)
    assert _names(client.get(LIST, {"tag": "living-alone-elderly"})) == {"独居"}
    assert _names(client.get(LIST, {"tag": "age-elderly"})) == {"高龄"}
    assert _names(client.get(LIST, {"tag": "age-minor"})) == {"儿童"}
    assert _names(client.get(LIST, {"community": xuri.pk})) == {"旭日里居民"}
    html = client.get(LIST, {"tag": "age-elderly"}).content.decode()
    assert '<span class="tag">高龄</span>' in html


@pytest.mark.django_db
def test_list_community_filter_refuses_another_stations_community(
    client, worker, tailaixili, neighbour_resident
):
    client.force_login(worker)
    response = client.get(LIST, {"community": tailaixili.pk})
    assert "community" in response.context["filter"].form.errors
    assert "王秀英" not in _names(response)


@pytest.mark.django_db
def test_list_query_count_does_not_grow(client, worker, chaoyangli):
    tag = VulnerabilityTag.objects.first()
    client.force_login(worker)
    for i in range(5):
        make_resident(chaoyangli, name=f"居民{i}").tags.add(tag)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    for i in range(60):
        make_resident(chaoyangli, name=f"新居民{i}", phone=f"1380000{i:04d}").tags.add(tag)
    with CaptureQueriesContext(connection) as large:
        client.get(LIST)
    assert len(large.captured_queries) == len(small.captured_queries) <= 12


@pytest.mark.django_db
def test_detail_lists_requests_and_hides_personal_data(client, worker, resident, guoyuan):
    from tests.factories import make_request

    request = make_request(guoyuan, resident.community, resident=resident)
    client.force_login(worker)
    response = client.get(resident.get_absolute_url())
    html = response.content.decode()
    assert request.reference in html and "高龄" in html
    assert resident.id_number not in html and resident.phone not in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_register_derives_birth_date_and_gender_from_the_id_number(client, worker, chaoyangli):
    client.force_login(worker)
    number = id_number(datetime.date(2015, 6, 1), gender="M", seq=31)
    response = client.post(
        reverse("residents:resident-create"),
        {"name": "小明", "id_number": number.lower(), "phone": "13820131234", "community": chaoyangli.pk},
    )
    resident = Resident.objects.get()
    assert response.url == resident.get_absolute_url()
    assert (resident.birth_date, resident.gender, resident.id_number) == (
        datetime.date(2015, 6, 1),
        "M",
        number,
    )
    assert resident.derived_tags() == ["未成年"]
    assert ResidentEvent.objects.get(resident=resident).kind == "created"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"id_number": "11010519491231002"}, "id_number", "18位"),
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"phone": "12345"}, "phone", "电话号码格式不正确"),
        ({"id_number": "11010519491231002X", "birth_date": "1950-01-01"}, "birth_date", "不一致"),
    ],
)
def test_register_refuses_bad_input(client, worker, chaoyangli, data, field, message):
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-create"), {"name": "测试", "community": chaoyangli.pk, **data}
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Resident.objects.exists()


@pytest.mark.django_db
def test_id_number_registered_elsewhere_is_held_not_disclosed(client, worker, chaoyangli, far_resident):
    """14.4: the number is unique in the city, but a worker is not told it is registered outside their
    scope (tests/security/test_id_number_oracle.py): the record is saved with the number held."""
    far_resident.id_number = "11010519491231002X"
    far_resident.save()
    client.force_login(worker)
    response = client.post(
        reverse("residents:resident-create"),
        {"name": "重复", "community": chaoyangli.pk, "id_number": "11010519491231002x"},
    )
    assert response.status_code == 302
    held = Resident.objects.get(name="重复")
    assert held.id_number == "11010519491231002X" and held.id_number_hash is None


@pytest.mark.django_db
def test_register_refuses_a_forged_community(client, worker, tailaixili):
    client.force_login(worker)
    response = client.post(reverse("residents:resident-create"), {"name": "伪造", "community": tailaixili.pk})
    assert "community" in response.context["form"].errors
    assert not Resident.objects.exists()


@pytest.mark.django_db
def test_edit_keeps_the_id_number_out_of_the_form(client, worker, resident):
    client.force_login(worker)
    url = reverse("residents:resident-edit", args=[resident.pk])
    html = client.get(url).content.decode()
    assert resident.id_number not in html and resident.masked_id_number in html
    response = client.post(
        url,
        {
            "version": 1,
            "name": "张桂兰",
            "community": resident.community_id,
            "phone": "13820139999",
            "id_number": "",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "13820139999" and resident.phone_tail == "9999"
    assert resident.id_number and resident.version == 2  # unchanged number, new version
    event = resident.events.get(kind="updated")
    assert "联系电话" in event.text and resident.phone not in event.text


@pytest.mark.django_db
def test_edit_with_a_stale_version_is_refused(client, worker, worker2, resident):
    url = reverse("residents:resident-edit", args=[resident.pk])
    data = {"version": 1, "name": "张桂兰", "community": resident.community_id, "address": "朝阳里3号楼"}
    client.force_login(worker2)
    client.post(url, data)
    client.force_login(worker)
    response = client.post(url, {**data, "address": "朝阳里5号楼"}, follow=True)
    assert STALE_MESSAGE in response.content.decode()
    assert "朝阳里3号楼" in response.content.decode()  # the current state
    resident.refresh_from_db()
    assert resident.address == "朝阳里3号楼" and resident.version == 2


@pytest.mark.django_db
def test_reveal_by_a_worker_of_the_station_is_recorded(client, worker, resident):
    client.force_login(worker)
    url = reverse("residents:resident-reveal", args=[resident.pk])
    assert resident.id_number not in url
    response = client.post(url, {"reason": "办理高龄津贴需核对身份证号"})
    assert response.status_code == 200
    assert resident.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    event = ResidentEvent.objects.get(resident=resident, kind="revealed")
    assert (event.actor, event.text) == (worker, "办理高龄津贴需核对身份证号")
    # The next page view is masked again.
    assert resident.id_number not in client.get(resident.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_reveal_needs_a_reason(client, worker, resident):
    client.force_login(worker)
    response = client.post(reverse("residents:resident-reveal", args=[resident.pk]), {"reason": "  "})
    assert response.status_code == 400 and resident.id_number not in response.content.decode()
    assert not ResidentEvent.objects.filter(kind="revealed").exists()


@pytest.mark.django_db
def test_reveal_is_refused_outside_the_station(
    client, resident, other_worker, far_worker, district_user, city_user
):
    url = reverse("residents:resident-reveal", args=[resident.pk])
    for user, status in [(other_worker, 404), (far_worker, 404), (district_user, 403), (city_user, 403)]:
        client.force_login(user)
        response = client.post(url, {"reason": "查看"})
        assert response.status_code == status, user
        assert resident.id_number not in response.content.decode()
    assert client.get(url).status_code in (403, 405)
    assert not ResidentEvent.objects.filter(kind="revealed").exists()


@pytest.mark.django_db
def test_district_user_reads_residents_of_the_district_only(
    client, district_user, other_district_user, resident
):
    client.force_login(district_user)
    response = client.get(resident.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    edit_url = reverse("residents:resident-edit", args=[resident.pk])
    assert resident.id_number not in html and "查看完整身份证号" not in html and edit_url not in html
    assert client.get(edit_url).status_code == 403
    client.force_login(other_district_user)
    assert client.get(resident.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_views_and_reveals_are_in_the_personal_data_audit(client, worker, resident):
    from stations.audit import PersonalDataAccess

    client.force_login(worker)
    client.get(LIST)
    client.get(resident.get_absolute_url())
    client.post(reverse("residents:resident-reveal", args=[resident.pk]), {"reason": "核对低保材料"})
    actions = list(
        PersonalDataAccess.objects.filter(user=worker).order_by("pk").values_list("action", "reason")
    )
    assert actions == [("list", ""), ("view", ""), ("reveal", "核对低保材料")]
