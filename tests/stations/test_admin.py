"""Django admin: scoped to the user's district or station (404 outside), bounded queries, safe edits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.models import Assignment, Station, Street, User
from tests import factories as f
from tests.stations.factories import grow, make_staff

MODELS = [
    "municipality",
    "district",
    "street",
    "community",
    "operator",
    "station",
    "assignment",
    "certificate",
    "user",
]


def changelist(model):
    return reverse(f"admin:stations_{model}_changelist")


def change(obj):
    return reverse(f"admin:stations_{obj._meta.model_name}_change", args=[obj.pk])


def form_data(response):
    """The POST a browser would send back for an admin change page, from its rendered forms."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def open_change_form(client, user, url):
    """`user` opens the admin change page `url`: the POST their browser would send back unchanged."""
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    return form_data(page)


@pytest.fixture
def staffed(worker, worker2, other_worker, far_worker):
    return worker, worker2, other_worker, far_worker


@pytest.fixture
def district_admin(district_user):
    return make_staff(district_user)


# --- Every changelist, bounded -----------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_runs_a_fixed_number_of_queries(
    client, model, admin_user, staffed, guoyuan, guangkai
):
    client.force_login(admin_user)
    client.get(changelist(model))  # the menu's pending-plans count is cached after the first page
    with CaptureQueriesContext(connection) as small:
        assert client.get(changelist(model)).status_code == 200
    grow(guoyuan.district, 15)
    grow(guangkai.district, 10)
    f.make_district("120101000000", "和平区")
    with CaptureQueriesContext(connection) as large:
        response = client.get(changelist(model))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert len(large) == len(small), model
    assert len(small) <= 12


@pytest.mark.parametrize("model", [m for m in MODELS if m != "municipality"])
def test_district_staff_changelists_are_scoped_and_bounded(
    client, model, district_admin, staffed, guoyuan, guangkai
):
    client.force_login(district_admin)
    client.get(changelist(model))  # the menu's pending-plans count is cached after the first page
    with CaptureQueriesContext(connection) as small:
        response = client.get(changelist(model))
    assert response.status_code == 200
    grow(guoyuan.district, 10)
    grow(guangkai.district, 10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(changelist(model))
    assert len(large) == len(small), model
    results = response.context["cl"].result_list
    assert len(results) >= 1
    district_of = {
        "district": lambda o: o.pk,
        "street": lambda o: o.district_id,
        "community": lambda o: o.street.district_id,
        "operator": lambda o: guoyuan.district_id,  # city-wide reference data
        "station": lambda o: o.district_id,
        "assignment": lambda o: o.station.district_id,
        "certificate": lambda o: o.user.district_scope_id,
        "user": lambda o: o.district_scope_id,
    }[model]
    assert {district_of(obj) for obj in results} == {guoyuan.district_id}


def test_station_changelist_shows_only_the_users_district(
    client, district_admin, staffed, guoyuan, jixianli, guangkai
):
    client.force_login(district_admin)
    response = client.get(changelist("station"))
    assert set(response.context["cl"].result_list) == {guoyuan, jixianli}
    assert "驻站社工不足两人" in response.content.decode()  # 集贤里: compliance column


# --- 404 outside the scope ---------------------------------------------------------------------------
def test_district_user_gets_404_for_another_districts_objects(
    client, district_admin, staffed, guoyuan, guangkai
):
    client.force_login(district_admin)
    assert client.get(change(guoyuan)).status_code == 200
    assignment = Assignment.objects.get(station=guangkai)
    for url in [
        change(guangkai),
        reverse("admin:stations_station_history", args=[guangkai.pk]),
        change(assignment),
        change(guangkai.streets.get()),
        change(assignment.user),
        reverse("admin:auth_user_password_change", args=[assignment.user.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    # Posting a change to it is refused the same way, and nothing changes.
    assert client.post(change(guangkai), {"phone": "022-00000000"}).status_code == 404
    guangkai.refresh_from_db()
    assert guangkai.phone != "022-00000000"


def test_station_worker_cannot_open_other_stations_in_admin(client, worker, guoyuan, jixianli, guangkai):
    worker.is_staff = True
    worker.save()
    from django.contrib.auth.models import Permission

    worker.user_permissions.set(
        Permission.objects.filter(codename__in=["view_station", "change_station", "delete_station"])
    )
    client.force_login(worker)
    assert client.get(change(guoyuan)).status_code == 200
    for other in (jixianli, guangkai):
        assert client.get(change(other)).status_code == 404
        assert client.get(reverse("admin:stations_station_delete", args=[other.pk])).status_code == 404
        assert client.get(reverse("admin:stations_station_history", args=[other.pk])).status_code == 404
    assert list(client.get(changelist("station")).context["cl"].result_list) == [guoyuan]


def test_autocomplete_is_scoped(client, district_admin, guoyuan, jixianli, guangkai, staffed):
    client.force_login(district_admin)
    url = reverse("admin:autocomplete")
    streets = client.get(
        url, {"app_label": "stations", "model_name": "community", "field_name": "street", "term": "街道"}
    )
    names = {r["text"] for r in streets.json()["results"]}
    assert names == {"果园新村街道", "集贤里街道"}
    users = client.get(
        url, {"app_label": "stations", "model_name": "assignment", "field_name": "user", "term": ""}
    )
    usernames = {r["text"] for r in users.json()["results"]}
    assert "赵丽" not in usernames and "徐芃泽" in usernames


# --- Filters and columns -----------------------------------------------------------------------------
def test_compliance_filter(client, admin_user, staffed, guoyuan, jixianli, guangkai):
    f.make_certificate(User.objects.get(username="st-120113001-2"))  # 果园新村: both certified now
    f.make_certificate(User.objects.get(username="st-120104004-1"))
    client.force_login(admin_user)

    def listed(value):
        response = client.get(changelist("station"), {"compliance": value})
        return set(response.context["cl"].result_list)

    assert listed("ok") == {guoyuan}
    assert listed("issues") == {jixianli, guangkai}
    assert listed("understaffed") == {jixianli, guangkai}
    assert listed("no_certified") == {jixianli}
    assert listed("deadline_passed") == {jixianli}  # 王海 joined 2023-01-01, never certified
    assert listed("deadline_near") == set()
    district = client.get(changelist("station"), {"district": guoyuan.district_id}).context["cl"].result_list
    assert set(district) == {guoyuan, jixianli}


# --- Editing -----------------------------------------------------------------------------------------
def test_district_staff_edits_a_station_of_their_district(client, district_admin, staffed, guoyuan):
    client.force_login(district_admin)
    page = client.get(change(guoyuan))
    data = form_data(page)
    assert "code" not in data and "district" not in data  # read-only below admin
    data["phone"] = "022-26391234"
    response = client.post(change(guoyuan), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    guoyuan.refresh_from_db()
    assert guoyuan.phone == "022-26391234"
    assert list(guoyuan.streets.values_list("code", flat=True)) == ["120113001000"]
    assert guoyuan.assignments.count() == 2  # the inlines came back untouched


def test_served_streets_are_edited_and_checked(client, admin_user, guoyuan, jixianli, guangkai):
    client.force_login(admin_user)
    free = f.make_street("120113007000", "广源街道", guoyuan.district)
    qingyuan = f.make_street("120113006000", "青源街道", guoyuan.district)
    station = f.make_station(qingyuan)
    data = form_data(client.get(change(station)))

    # A street served by another station, or in another district, is refused with a reason.
    data["served_streets"] = [
        str(qingyuan.pk),
        str(jixianli.streets.get().pk),
        str(guangkai.streets.get().pk),
    ]
    response = client.post(change(station), data)
    errors = response.context["adminform"].form.errors["served_streets"]
    assert any("已由北辰区集贤里街道社工站服务" in e for e in errors)
    assert any("广开街道不属于北辰区" in e for e in errors)
    assert Street.objects.get(pk=jixianli.streets.get().pk).station == jixianli

    # A merged office: 青源 + 广源, coded by its first street.
    data["served_streets"] = [str(qingyuan.pk), str(free.pk)]
    assert client.post(change(station), data).status_code == 302
    assert set(station.streets.values_list("name", flat=True)) == {"青源街道", "广源街道"}

    # The code must be the first street's: dropping 青源 leaves 广源 (120113007) alone.
    data["served_streets"] = [str(free.pk)]
    response = client.post(change(station), data)
    assert "120113007" in str(response.context["adminform"].form.errors["served_streets"])


def test_district_staff_cannot_hand_out_roles_or_admin_rights(client, district_admin, staffed, guoyuan):
    target = User.objects.get(username="st-120113001-2")
    client.force_login(district_admin)
    data = form_data(client.get(change(target)))
    assert "is_superuser" not in data and "is_staff" not in data and "groups" not in data
    data.update(role="admin", is_superuser="on", is_staff="on")
    response = client.post(change(target), data)
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    data["role"] = "station_head"
    assert client.post(change(target), data).status_code == 302
    target.refresh_from_db()
    assert target.role == "station_head" and not target.is_superuser and not target.is_staff


def test_district_staff_adds_a_worker_to_their_district_only(client, district_admin, guoyuan, guangkai):
    client.force_login(district_admin)
    url = reverse("admin:stations_user_add")
    base = {
        "username": "st-120113001-3",
        "name": "新社工",
        "role": "station_worker",
        "usable_password": "true",
        "password1": "Sws-strong-2026!",
        "password2": "Sws-strong-2026!",
    }
    response = client.post(url, {**base, "station": guangkai.pk})
    assert response.status_code == 200 and "station" in response.context["adminform"].form.errors
    response = client.post(url, {**base, "station": guoyuan.pk})
    assert response.status_code == 302
    user = User.objects.get(username="st-120113001-3")
    assert user.station == guoyuan and user.district_scope == guoyuan.district


def test_anonymous_is_sent_to_admin_login(client, guoyuan):
    response = client.get(change(guoyuan))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_superuser_sees_every_station(client, admin_user, guoyuan, jixianli, guangkai):
    client.force_login(admin_user)
    assert set(client.get(changelist("station")).context["cl"].result_list) == set(Station.objects.all())
    assert client.get(change(guangkai)).status_code == 200


def test_admin_deletes_a_station_without_history_and_protects_one_with_staff(
    client, admin_user, worker, guoyuan
):
    empty = f.make_station(f.make_street("120113009000", "新设街道", guoyuan.district))
    client.force_login(admin_user)
    for station in (empty, guoyuan):
        client.post(
            changelist("station"),
            {"action": "delete_selected", "_selected_action": [station.pk], "post": "yes"},
        )
    assert not Station.objects.filter(pk=empty.pk).exists()
    assert Street.objects.get(code="120113009000").station is None  # the street stays, uncovered
    assert Station.objects.filter(pk=guoyuan.pk).exists()  # its accounts point at it (PROTECT)
