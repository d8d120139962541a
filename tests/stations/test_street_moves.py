"""A street handed from one station to another moves its communities' residents into the other station's
scope. The station form does it with bulk updates that auditlog's signals never see: each street that
changes station gets one entry in the change log naming the street, the old and the new station, who and
from where, and how many residents moved scope (requests stay with the station that took them in: their
number is recorded too)."""

import pytest
from django.urls import reverse

from residents.models import Request
from stations.audit import AuditLogEntry
from stations.models import Station, Street, User
from tests import factories as f
from tests.factories import make_request
from tests.residents.factories import make_resident
from tests.stations.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db):
    return f.make_user("auditor-moves", User.Role.AUDITOR, name="审计员")


def change(station):
    return reverse("admin:stations_station_change", args=[station.pk])


def moves(street):
    return list(
        AuditLogEntry.objects.filter(content_type__model="street", object_id=street.pk)
        .filter(changes__has_key="迁移居民数")
        .order_by("pk")
    )


def test_moving_a_street_to_another_station_is_audited_with_what_moved(
    client, admin_user, guoyuan, chaoyangli, worker
):
    street = guoyuan.streets.get()
    residents = [make_resident(chaoyangli, name=f"居民{i}") for i in range(3)]
    make_request(guoyuan, chaoyangli, user=worker, resident=residents[0])
    make_request(guoyuan, chaoyangli, user=worker)
    second = f.make_street("120113000100", "测试街道", guoyuan.district)
    newcomer = f.make_station(second, name="北辰区测试社工站")
    client.force_login(admin_user)

    # Released by 果园新村 …
    data = form_data(client.get(change(guoyuan)))
    data["served_streets"] = []
    response = client.post(change(guoyuan), data, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 302, response.context["adminform"].form.errors
    # … and taken by the other station.
    data = form_data(client.get(change(newcomer)))
    data["served_streets"] = [str(second.pk), str(street.pk)]
    data["code"] = min(second.code, street.code)[:9]
    response = client.post(change(newcomer), data, REMOTE_ADDR="10.3.3.4")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Street.objects.get(pk=street.pk).station_id == newcomer.pk

    released, taken = moves(street)
    assert released.actor == admin_user and released.remote_addr == "10.3.3.3"
    assert released.object_repr == street.name
    assert released.changes["station"] == [str(guoyuan.pk), "None"]
    assert released.changes["迁移居民数"] == ["", "3"]
    assert released.changes["该街道诉求数（仍由原社工站办理）"] == ["", "2"]
    assert taken.changes["station"] == ["None", str(newcomer.pk)]
    assert taken.remote_addr == "10.3.3.4" and taken.changes["迁移居民数"] == ["", "3"]
    assert not moves(second)  # a street that stayed put: nothing recorded
    assert Request.objects.filter(station=guoyuan).count() == 2


def test_the_auditor_reads_the_move(client, admin_user, auditor, guoyuan, chaoyangli):
    make_resident(chaoyangli)
    client.force_login(admin_user)
    data = form_data(client.get(change(guoyuan)))
    data["served_streets"] = []
    assert client.post(change(guoyuan), data).status_code == 302
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert guoyuan.streets.model.objects.get(code="120113001000").name in page
    assert "迁移居民数" in page and f"#{guoyuan.pk}" in page


def test_moving_a_street_in_the_street_admin_is_audited_too(client, admin_user, guoyuan, chaoyangli):
    make_resident(chaoyangli)
    street = guoyuan.streets.get()
    other = f.make_station(f.make_street("120113098000", "另一街道", guoyuan.district), name="另一社工站")
    client.force_login(admin_user)
    url = reverse("admin:stations_street_change", args=[street.pk])
    data = form_data(client.get(url))
    data["station"] = str(other.pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (move,) = moves(street)
    assert move.changes["station"] == [str(guoyuan.pk), str(other.pk)]
    assert move.changes["迁移居民数"] == ["", "1"]
    assert Station.objects.get(pk=other.pk).streets.filter(pk=street.pk).exists()
