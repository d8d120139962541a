"""居委会 staff and volunteer reporters (issue #21): accounts scoped on save, the report form, "我上报的"
with their own reports only, and nothing else open to them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.inbox import Notification
from residents.models import Request
from stations.models import User
from tests import factories as f
from tests.factories import make_request
from tests.residents.factories import ensure_default_data, make_resident
from tests.security.access_world import id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(chaoyangli):
    return f.make_user("jwh-1", User.Role.COMMUNITY_STAFF, community=chaoyangli, name="刘敏")


@pytest.fixture
def volunteer(guoyuan):
    return f.make_user("xxy-1", User.Role.VOLUNTEER_REPORTER, station=guoyuan, name="孙立")


@pytest.fixture
def category():
    from residents.models import Category

    ensure_default_data()
    return Category.objects.filter(parent__isnull=True, is_active=True).order_by("order", "name").first()


def test_accounts_take_their_station_from_community_or_choice(committee, volunteer, guoyuan, beichen):
    committee.refresh_from_db()
    assert (committee.station_id, committee.district_scope_id) == (guoyuan.pk, beichen.pk)
    volunteer.refresh_from_db()
    assert (volunteer.station_id, volunteer.community_id, volunteer.district_scope_id) == (
        guoyuan.pk,
        None,
        beichen.pk,
    )
    # Neither is station staff: no station scope, no place among the station's workers.
    assert not Request.objects.visible_to(committee).exists()
    with pytest.raises(ValidationError):
        User(username="x", role=User.Role.COMMUNITY_STAFF).clean()
    with pytest.raises(ValidationError):
        User(username="y", role=User.Role.VOLUNTEER_REPORTER).clean()


def test_committee_member_reports_for_her_community(client, committee, chaoyangli, category, worker2):
    client.force_login(committee)
    page = client.get(reverse("reporting:new")).content.decode()
    assert "朝阳里" in page and "旭日里" not in page  # her community, fixed
    response = client.post(
        reverse("reporting:new"),
        {
            "community": chaoyangli.pk,
            "category": category.pk,
            "description": "独居老人水管漏水",
            "resident_name": "王大爷",
        },
    )
    assert response.status_code == 302
    created = Request.objects.get()
    assert created.channel == Request.Channel.COMMITTEE and created.created_by == committee
    assert created.station_id == committee.station_id and created.status == Request.Status.NEW
    assert "居委会转办：刘敏上报" in created.events.last().text
    assert Notification.objects.filter(recipient=worker2, event="request_new").exists()


def test_forged_community_is_refused(client, committee, volunteer, category, tailaixili, guoyuan):
    other = guoyuan.streets.first().communities.exclude(pk=committee.community_id).first()
    for user, forged in ((committee, other.pk), (volunteer, tailaixili.pk), (volunteer, 10**30)):
        client.force_login(user)
        response = client.post(
            reverse("reporting:new"),
            {"community": forged, "category": category.pk, "description": "路灯坏了"},
        )
        assert response.status_code == 200
        assert "只能选择本站服务的社区" in response.content.decode()
    assert not Request.objects.exists()


def test_volunteer_chooses_among_the_stations_communities(client, volunteer, guoyuan, category):
    client.force_login(volunteer)
    xuri = guoyuan.streets.first().communities.get(code="120113001014")
    response = client.post(
        reverse("reporting:new"),
        {"community": xuri.pk, "category": category.pk, "description": "楼道堆物", "resident_phone": "abc"},
    )
    assert "电话号码格式不正确" in response.content.decode()
    client.post(
        reverse("reporting:new"), {"community": xuri.pk, "category": category.pk, "description": "楼道堆物"}
    )
    assert Request.objects.get().channel == Request.Channel.VOLUNTEER


def test_an_id_number_links_a_resident_of_that_community_only(client, committee, chaoyangli, category):
    resident = make_resident(chaoyangli, name="张桂兰", id_number=id_number(7))
    client.force_login(committee)
    client.post(
        reverse("reporting:new"),
        {
            "community": chaoyangli.pk,
            "category": category.pk,
            "description": "需要助餐",
            "id_number": id_number(7),
        },
    )
    created = Request.objects.get()
    assert created.resident == resident
    assert id_number(7) not in created.events.last().text


def test_my_reports_show_only_mine_and_no_internal_notes(
    client, committee, volunteer, chaoyangli, category, worker2, guoyuan, django_assert_max_num_queries
):
    from residents import services

    for count in (1, 15):
        for n in range(count):
            services.report_need(
                acting_user=committee, community=chaoyangli, category=category, description=f"需求{n}"
            )
        mine = Request.objects.reported_by(committee).first()
        services.add_note(acting_user=worker2, request=mine, text="内部备注：家属联系方式另存")
        services.report_need(
            acting_user=volunteer, community=chaoyangli, category=category, description="别人的上报"
        )
        make_request(guoyuan, chaoyangli, user=worker2, description="站内登记的诉求")
        client.force_login(committee)
        with django_assert_max_num_queries(12):
            page = client.get(reverse("reporting:mine")).content.decode()
        assert mine.reference in page and "新登记" in page
        assert "内部备注" not in page and "别人的上报" not in page and "站内登记的诉求" not in page


def test_reporters_open_nothing_else(client, committee, volunteer, guoyuan, chaoyangli, worker2):
    request = make_request(guoyuan, chaoyangli, user=worker2)
    for user in (committee, volunteer):
        client.force_login(user)
        assert client.get(reverse("home")).url == reverse("reporting:mine")
        for url in (
            reverse("residents:request-queue"),
            reverse("residents:request-detail", args=[request.pk]),
            reverse("residents:resident-list"),
            reverse("residents:transfer-inbox"),
            reverse("notifications:inbox"),
            reverse("dashboards:station", args=[guoyuan.pk]),
        ):
            assert client.get(url).status_code == 403, url
        nav = client.get(reverse("reporting:mine")).content.decode()
        assert "我上报的" in nav and reverse("residents:request-queue") not in nav
