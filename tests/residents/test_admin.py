"""Admin for residents and requests: pages load, personal data masked, timeline read-only, scoped."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from residents.models import Category, Request, Resident, ResidentEvent, TimelineEvent
from stations.locking import STALE_MESSAGE
from tests.factories import make_request
from tests.stations.test_admin import open_change_form


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        "resident",
        "request",
        "category",
        "responsetarget",
        "timelineevent",
        "residentevent",
        "referral",
        "vulnerabilitytag",
    ],
)
def test_changelists_load(client, admin_user, model, guoyuan, resident):
    make_request(guoyuan, resident.community, resident=resident)
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:residents_{model}_changelist")).status_code == 200


@pytest.mark.django_db
def test_personal_data_is_masked_in_admin(client, admin_user, resident, guoyuan):
    request = make_request(guoyuan, resident.community, resident=resident, reporter_phone="13912345678")
    client.force_login(admin_user)
    for url in [
        reverse("admin:residents_resident_changelist"),
        reverse("admin:residents_resident_change", args=[resident.pk]),
        reverse("admin:residents_request_change", args=[request.pk]),
        reverse("admin:residents_request_changelist"),
    ]:
        html = client.get(url).content.decode()
        assert resident.id_number not in html and resident.phone not in html and "13912345678" not in html, (
            url
        )
    assert (
        resident.masked_id_number
        in client.get(reverse("admin:residents_resident_changelist")).content.decode()
    )


@pytest.mark.django_db
def test_admin_search_uses_tails(client, admin_user, resident):
    client.force_login(admin_user)
    response = client.get(reverse("admin:residents_resident_changelist"), {"q": resident.id_number[-4:]})
    assert list(response.context["cl"].result_list) == [resident]


@pytest.mark.django_db
def test_timeline_events_cannot_be_added_changed_or_deleted(client, admin_user, guoyuan):
    request = make_request(guoyuan)
    event = request.events.get()
    client.force_login(admin_user)
    assert client.get(reverse("admin:residents_timelineevent_add")).status_code == 403
    client.post(reverse("admin:residents_timelineevent_change", args=[event.pk]), {"text": "篡改"})
    assert (
        client.post(
            reverse("admin:residents_timelineevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.text == "" and TimelineEvent.objects.count() == 1
    model_admin = admin.site._registry[ResidentEvent]
    rf = RequestFactory().get("/")
    rf.user = admin_user
    assert not (
        model_admin.has_add_permission(rf)
        or model_admin.has_change_permission(rf)
        or model_admin.has_delete_permission(rf)
    )


@pytest.mark.django_db
def test_admin_querysets_are_scoped(
    district_user, other_district_user, resident, far_resident, guoyuan, guangkai
):
    mine = make_request(guoyuan, resident.community)
    theirs = make_request(guangkai)
    rf = RequestFactory().get("/")
    rf.user = district_user
    assert set(admin.site._registry[Resident].get_queryset(rf)) == {resident}
    assert set(admin.site._registry[Request].get_queryset(rf)) == {mine}
    assert set(admin.site._registry[TimelineEvent].get_queryset(rf)) == set(mine.events.all())
    rf.user = other_district_user
    assert set(admin.site._registry[Request].get_queryset(rf)) == {theirs}


@pytest.mark.django_db
def test_category_admin_edits_defaults(client, admin_user):
    lighting = Category.objects.get(name="照明灯具")
    client.force_login(admin_user)
    response = client.get(reverse("admin:residents_category_change", args=[lighting.parent_id]))
    assert response.status_code == 200 and "照明灯具" in response.content.decode()  # children inline


@pytest.mark.django_db
def test_minors_and_sensitive_records_need_the_permission_in_admin(
    client, district_user, guoyuan, chaoyangli
):
    import datetime

    from django.contrib.auth.models import Permission

    from residents.models import VulnerabilityTag
    from tests.residents.factories import make_resident

    adult = make_resident(chaoyangli, "张桂兰", birth_date=datetime.date(1950, 3, 1))
    child = make_resident(chaoyangli, "韩宇轩", birth_date=datetime.date(2016, 5, 1))
    tagged = make_resident(chaoyangli, "李梅", birth_date=datetime.date(1990, 1, 1))
    tagged.tags.add(VulnerabilityTag.objects.create(code="sensitive-x", name="测试敏感", sensitive=True))
    district_user.is_staff = True
    district_user.save()
    district_user.user_permissions.add(Permission.objects.get(codename="view_resident"))
    rf = RequestFactory().get("/")
    rf.user = district_user
    model_admin = admin.site._registry[Resident]
    assert set(model_admin.get_queryset(rf)) == {adult}
    client.force_login(district_user)
    assert client.get(reverse("admin:residents_resident_change", args=[adult.pk])).status_code == 200
    assert client.get(reverse("admin:residents_resident_change", args=[child.pk])).status_code == 404

    district_user.user_permissions.add(Permission.objects.get(codename="view_sensitive_resident"))
    rf.user = type(district_user).objects.get(pk=district_user.pk)  # no cached permissions
    assert set(model_admin.get_queryset(rf)) == {adult, child, tagged}


# --- Admin saves check the version the change form was opened with -----------------------------------


@pytest.mark.django_db
def test_a_stale_admin_save_of_a_request_is_refused_and_the_first_kept(
    client, admin_user, second_admin, guoyuan
):
    from django.test import Client

    request = make_request(guoyuan, description="楼道灯坏了")
    url = reverse("admin:residents_request_change", args=[request.pk])
    other = Client()
    first = open_change_form(client, admin_user, url)
    second = open_change_form(other, second_admin, url)
    assert first["version"] == second["version"] == request.version

    saved = client.post(url, {**first, "description": "楼道灯坏了（管理员一更正）"})
    assert saved.status_code == 302
    refused = other.post(url, {**second, "description": "管理员二的旧稿", "severity": "severe"})

    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.content.decode()
    request.refresh_from_db()
    assert request.description == "楼道灯坏了（管理员一更正）" and request.severity != "severe"
    assert request.version == first["version"] + 1

    # Opened again, the second administrator's page carries the new version and saves.
    again = open_change_form(other, second_admin, url)
    assert other.post(url, {**again, "description": "管理员二重新修改"}).status_code == 302
    request.refresh_from_db()
    assert (request.description, request.version) == ("管理员二重新修改", first["version"] + 2)


@pytest.mark.django_db
def test_a_worker_change_after_the_admin_opened_the_request_is_not_overwritten(
    client, admin_user, guoyuan, worker, worker2
):
    from residents import services

    request = make_request(guoyuan, user=worker)
    url = reverse("admin:residents_request_change", args=[request.pk])
    opened = open_change_form(client, admin_user, url)
    services.assign_request(acting_user=worker, request=Request.objects.get(pk=request.pk), assignee=worker2)

    refused = client.post(url, {**opened, "description": "管理员的旧稿"})
    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.content.decode()
    request.refresh_from_db()
    assert request.assignee == worker2 and request.description != "管理员的旧稿"


@pytest.mark.django_db
def test_a_stale_admin_save_of_a_resident_is_refused_with_nothing_saved(
    client, admin_user, second_admin, resident
):
    from django.test import Client

    tag = resident.tags.model.objects.order_by("pk").first()
    url = reverse("admin:residents_resident_change", args=[resident.pk])
    other = Client()
    first = open_change_form(client, admin_user, url)
    second = open_change_form(other, second_admin, url)

    assert client.post(url, {**first, "address": "朝阳里1号楼"}).status_code == 302
    refused = other.post(url, {**second, "address": "旧地址", "tags": [tag.pk]})

    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.content.decode()
    resident.refresh_from_db()
    assert resident.address == "朝阳里1号楼" and tag not in resident.tags.all()
    assert resident.version == first["version"] + 1


@pytest.mark.django_db
def test_an_admin_post_without_the_version_is_refused(client, admin_user, guoyuan):
    request = make_request(guoyuan, description="楼道灯坏了")
    url = reverse("admin:residents_request_change", args=[request.pk])
    data = open_change_form(client, admin_user, url)
    del data["version"]
    response = client.post(url, {**data, "description": "没有版本号"})
    assert response.status_code == 200 and STALE_MESSAGE in response.content.decode()
    request.refresh_from_db()
    assert request.description == "楼道灯坏了"
