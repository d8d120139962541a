"""Volunteers as people: registration with teams (dated memberships), masked phones and the logged reveal,
search, the XLSX export, scope and bounded queries."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from projects.models import TeamMembership, Volunteer
from stations.audit import PersonalDataAccess
from tests.projects import factories as pf

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "name": "王秀英",
        "phone": "13820135678",
        "community": "",
        "skills": "理发",
        "availability": "周末上午",
        "id_type": "resident_card",
        "id_tail": "123x",
        "contact_consent_on": "2023-03-01",
        "contact_consent_method": "written",
        "notes": "",
    }
    return {**data, **changes}


def test_registering_a_volunteer_joins_the_ticked_teams_today(client, worker, chaoyangli):
    team = pf.make_team(worker.station, "爱心扫把")
    client.force_login(worker)
    response = client.post(
        reverse("projects:volunteer-create"), _form(community=chaoyangli.pk, teams=[team.pk])
    )
    volunteer = Volunteer.objects.get()
    assert response.status_code == 302 and volunteer.station == worker.station
    assert volunteer.id_tail == "123X" and volunteer.phone_tail == "5678"
    membership = TeamMembership.objects.get()
    assert (membership.team, membership.left_on) == (team, None)


def test_unticking_a_team_leaves_it_and_keeps_the_history(client, worker):
    team = pf.make_team(worker.station, "爱心扫把")
    volunteer = pf.make_volunteer(worker.station, teams=[team], joined_on=datetime.date(2023, 3, 1))
    client.force_login(worker)
    response = client.post(
        reverse("projects:volunteer-edit", args=[volunteer.pk]),
        _form(phone=volunteer.phone, version=volunteer.version),
    )
    assert response.status_code == 302
    membership = TeamMembership.objects.get()
    assert membership.left_on is not None
    assert team.memberships.current().count() == 0


def test_another_stations_team_or_community_is_refused(client, worker, other_worker, tailaixili):
    foreign_team = pf.make_team(other_worker.station, "外站队伍")
    client.force_login(worker)
    response = client.post(
        reverse("projects:volunteer-create"), _form(community=tailaixili.pk, teams=[foreign_team.pk])
    )
    assert response.status_code == 200
    assert {"community", "teams"} <= set(response.context["form"].errors)
    assert not Volunteer.objects.exists()


def test_bad_phone_and_half_consent_get_chinese_errors(client, worker):
    client.force_login(worker)
    response = client.post(
        reverse("projects:volunteer-create"), _form(phone="12345", contact_consent_method="")
    )
    errors = response.context["form"].errors
    assert "电话号码格式不正确" in str(errors["phone"])
    assert "请选择同意联系的方式" in str(errors["contact_consent_method"])
    assert not Volunteer.objects.exists()


def test_phone_is_masked_on_the_list_and_the_page(client, worker):
    volunteer = pf.make_volunteer(worker.station, phone="13820135678")
    client.force_login(worker)
    for url in (reverse("projects:volunteer-list"), volunteer.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "138****5678" in body and "13820135678" not in body


def test_phone_reveal_is_logged_and_for_own_station_only(client, worker, other_worker, district_user):
    volunteer = pf.make_volunteer(worker.station, phone="13820135678")
    url = reverse("projects:volunteer-phone", args=[volunteer.pk])
    client.force_login(other_worker)
    assert client.post(url).status_code == 404
    client.force_login(district_user)
    assert client.post(url).status_code == 403
    assert not PersonalDataAccess.objects.exists()
    client.force_login(worker)
    response = client.post(url)
    assert "13820135678" in response.content.decode()
    logged = PersonalDataAccess.objects.get()
    assert (logged.user, logged.action) == (worker, "reveal")
    assert volunteer.number in logged.reason and logged.path == url


def test_search_by_name_and_phone_tail(client, worker, other_worker):
    pf.make_volunteer(worker.station, "王秀英", phone="13820135678")
    pf.make_volunteer(worker.station, "张桂兰", phone="13900001111")
    pf.make_volunteer(other_worker.station, "王海", phone="13800005678")
    client.force_login(worker)

    def names(q):
        page = client.get(reverse("projects:volunteer-list"), {"q": q}).context["page"]
        return [v.name for v in page.object_list]

    assert names("王") == ["王秀英"]  # another station's 王海 is not found
    assert names("5678") == ["王秀英"]
    assert names("1111") == ["张桂兰"]


def test_export_is_masked_scoped_and_logged(client, worker, other_worker):
    pf.make_volunteer(worker.station, "王秀英", phone="13820135678")
    pf.make_volunteer(other_worker.station, "王海", phone="13800005678")
    client.force_login(worker)
    response = client.get(reverse("projects:volunteer-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "王秀英" in text and "138****5678" in text
    assert "13820135678" not in text and "王海" not in text
    logged = PersonalDataAccess.objects.get()
    assert logged.action == "export" and "1 人" in logged.reason


def test_the_export_writes_no_formula(client, worker):
    """The same rule as every other export (stations.spreadsheets): a full-width ＝ starts a formula too."""
    pf.make_volunteer(worker.station, "王秀英", skills='＝HYPERLINK("http://x")', availability="\t周末")
    client.force_login(worker)
    response = client.get(reverse("projects:volunteer-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert '\'＝HYPERLINK("http://x")' in cells and "'\t周末" in cells


def test_pages_are_scoped(client, worker, other_worker, district_user, other_district_user):
    volunteer = pf.make_volunteer(worker.station)
    client.force_login(other_worker)
    assert client.get(volunteer.get_absolute_url()).status_code == 404
    assert client.get(reverse("projects:volunteer-edit", args=[volunteer.pk])).status_code == 404
    client.force_login(other_district_user)
    assert client.get(volunteer.get_absolute_url()).status_code == 404
    client.force_login(district_user)
    assert client.get(volunteer.get_absolute_url()).status_code == 200
    assert client.get(reverse("projects:volunteer-create")).status_code == 403


@pytest.mark.parametrize("count", [3, 40])
def test_volunteer_list_queries_do_not_grow(client, worker, count, django_assert_max_num_queries):
    team = pf.make_team(worker.station, "爱心扫把")
    activity = pf.make_activity(worker.station, day=datetime.date.today())
    for i in range(count):
        volunteer = pf.make_volunteer(worker.station, f"志愿者{i}", teams=[team])
        pf.make_hours(volunteer, "2.0", activity=activity)
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:volunteer-list"))
    assert response.status_code == 200
    assert response.context["hours_total"] == 2 * count


def test_derived_team_count_on_the_team_page(client, worker):
    team = pf.make_team(worker.station, "爱心扫把", members_declared=30)
    client.force_login(worker)
    body = client.get(team.get_absolute_url()).content.decode()
    assert "0 人（登记队员前填报 30 人）" in body
    pf.make_volunteer(worker.station, "王秀英", teams=[team])
    pf.make_volunteer(
        worker.station, "张桂兰", teams=[team], joined_on=datetime.date.today() + datetime.timedelta(days=3)
    )
    response = client.get(team.get_absolute_url())
    assert response.context["group"].member_count == 1  # the one joining next week is not counted yet
