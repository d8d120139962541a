"""Resources used on requests and activities (htmx rows, scoped, forged ids refused), and the 五社联动
report against a hand-built month."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.contributions import Period, Scope, report, volunteer_hours
from partners.models import Partner, PartnerReferral, ResourceUse
from residents import services as request_services
from residents.models import Request
from tests.partners import factories as pf
from tests.projects import factories as projects_factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _add(client, url, partner, **data):
    payload = {"partner": partner.pk, "kind": "money", "date": timezone.localdate().isoformat(), **data}
    return client.post(url, payload, **HTMX)


def test_a_worker_adds_and_removes_a_use_on_a_request_in_place(client, worker, chaoyangli, partner):
    request = pf.make_request(worker, chaoyangli)
    client.force_login(worker)
    url = reverse("partners:request-use-add", args=[request.pk])
    response = _add(client, url, partner, amount="3000.00", description="充电桩安装费")
    assert response.status_code == 200
    assert "充电桩安装费" in response.content.decode() and "3000.00" in response.content.decode()
    use = ResourceUse.objects.get(request=request)
    assert use.station == worker.station and use.created_by == worker
    removed = client.post(reverse("partners:use-remove", args=[use.pk]), {"confirm": "yes"}, **HTMX)
    assert removed.status_code == 200 and not ResourceUse.objects.exists()


def test_an_activity_records_volunteer_hours(client, worker, guoyuan):
    team = projects_factories.make_team(guoyuan, name="爱心扫把志愿服务队")
    from partners.services import sync_partners

    sync_partners()
    partner = Partner.objects.get(team=team)
    activity = projects_factories.make_activity(guoyuan)
    client.force_login(worker)
    url = reverse("partners:activity-use-add", args=[activity.pk])
    assert _add(client, url, partner, kind="hours", hours="12.5").status_code == 200
    assert ResourceUse.objects.get(activity=activity).hours == Decimal("12.5")
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "爱心扫把志愿服务队" in page and "12.5" in page


def test_bad_input_is_refused_in_chinese_and_nothing_saved(client, worker, chaoyangli, partner):
    request = pf.make_request(worker, chaoyangli)
    client.force_login(worker)
    url = reverse("partners:request-use-add", args=[request.pk])
    response = _add(client, url, partner, kind="goods", amount="200")  # goods without a description
    assert "物资请填写内容" in response.content.decode()
    response = _add(client, url, partner, kind="hours")  # hours without hours
    assert "志愿服务请填写时长" in response.content.decode()
    response = _add(client, url, partner, amount="-5")
    assert response.status_code == 200 and not ResourceUse.objects.exists()


def test_a_forged_partner_of_another_station_is_refused(client, worker, chaoyangli, jixianli):
    others = pf.make_partner(jixianli, name="集贤里的爱心企业")
    request = pf.make_request(worker, chaoyangli)
    client.force_login(worker)
    response = _add(client, reverse("partners:request-use-add", args=[request.pk]), others, amount="10")
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    assert not ResourceUse.objects.exists()
    # …and a referral to it
    response = client.post(
        reverse("partners:refer", args=[request.pk]),
        {"version": request.version, "partner": others.pk, "reason": "测试"},
    )
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == Request.Status.IN_PROGRESS and not request.referrals.exists()


def test_another_stations_request_and_use_are_404(client, worker, other_worker, chaoyangli, partner):
    request = pf.make_request(worker, chaoyangli)
    use = ResourceUse.objects.create(
        station=worker.station, partner=partner, request=request, kind="money", amount=5, created_by=worker
    )
    client.force_login(other_worker)
    assert (
        _add(client, reverse("partners:request-use-add", args=[request.pk]), partner, amount="1").status_code
        == 404
    )
    assert client.post(reverse("partners:use-remove", args=[use.pk]), {"confirm": "yes"}).status_code == 404
    assert ResourceUse.objects.filter(pk=use.pk).exists()


def test_a_district_partner_is_offered_to_its_stations_only(worker, other_worker, far_worker, beichen):
    district_partner = pf.make_partner(
        None, name="北辰区民政局", kind=Partner.Kind.GOVERNMENT, district=beichen
    )
    city_partner = pf.make_partner(None, name="天津市慈善协会", kind=Partner.Kind.CHARITY)
    own = pf.make_partner(worker.station, name="果园新村爱心超市")
    assert set(Partner.objects.visible_to(worker)) == {district_partner, city_partner, own}
    assert set(Partner.objects.visible_to(other_worker)) == {district_partner, city_partner}
    assert set(Partner.objects.visible_to(far_worker)) == {city_partner}


def test_sync_links_each_group_once(guoyuan):
    from partners.services import sync_partners

    projects_factories.make_team(guoyuan, name="针锋裁缝")
    projects_factories.make_organisation(guoyuan, name="邻里串门")
    unit = projects_factories.make_partner(guoyuan, name="安居充电公司")
    unit.contact = "王经理 13820001111"
    unit.save()
    assert sync_partners() == 3
    assert sync_partners() == 0
    linked = Partner.objects.get(linked_unit=unit)
    assert (linked.contact_name, linked.contact_phone) == ("王经理", "13820001111")
    assert set(Partner.objects.values_list("kind", flat=True)) == {"volunteer_team", "social_org", "charity"}


# --- The 五社联动 report against a hand-built month ------------------------------------------------

MONTH = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def _resolve(worker, request, day):
    request.refresh_from_db()
    request_services.resolve_request(acting_user=worker, request=request, note="已解决")
    Request.objects.filter(pk=request.pk).update(
        resolved_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    )


@pytest.fixture
def month(worker, other_worker, chaoyangli, tailaixili, guoyuan, beichen):
    """November 2026 at 果园新村: five requests resolved —
    A: the charging company accepted and did it, and paid ¥3,000 (charity)
    B: a volunteer team gave 6 h (volunteer)
    C: came from the 居委会 (community), a district department gave goods worth ¥500 (community)
    D: the social workers alone
    E: the social workers alone, resolved in October (outside the month)
    and 集贤里 (same district): one request resolved alone, a ¥100 donation (social org)."""
    company = pf.make_partner(guoyuan, name="安居充电公司", kind=Partner.Kind.CHARITY)
    team = pf.make_partner(guoyuan, name="爱心扫把志愿服务队", kind=Partner.Kind.VOLUNTEER_TEAM)
    bureau = pf.make_partner(None, name="北辰区民政局", kind=Partner.Kind.GOVERNMENT, district=beichen)
    club = pf.make_partner(other_worker.station, name="集贤里书画社", kind=Partner.Kind.SOCIAL_ORG)
    day = datetime.date(2026, 11, 10)

    a = pf.make_request(worker, chaoyangli)
    pr = pf.refer(worker, a, company)
    PartnerReferral.objects.filter(pk=pr.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    )
    link, _token = pf.new_link(pr)
    from partners import services

    services.answer_referral(link=link, outcome="accepted")
    services.answer_referral(link=link, outcome="done", note="已安装")
    a.refresh_from_db()
    request_services.start_request(acting_user=worker, request=a)
    _use(worker, a, company, "money", amount="3000", day=day)
    _resolve(worker, a, day)

    b = pf.make_request(worker, chaoyangli)
    _use(worker, b, team, "hours", hours="6", day=day)
    _resolve(worker, b, day)

    c = pf.make_request(worker, chaoyangli, channel=Request.Channel.COMMITTEE)
    _use(worker, c, bureau, "goods", amount="500", description="米面油10份", day=day)
    _resolve(worker, c, day)

    d = pf.make_request(worker, chaoyangli)
    _resolve(worker, d, day)
    e = pf.make_request(worker, chaoyangli)
    _resolve(worker, e, datetime.date(2026, 10, 31))
    _use(worker, e, company, "money", amount="999", day=datetime.date(2026, 10, 31))  # October: not counted

    f = pf.make_request(other_worker, tailaixili)
    _use(other_worker, f, club, "money", amount="100", day=day)
    _resolve(other_worker, f, day)
    return {"company": company, "team": team, "bureau": bureau, "club": club}


def _use(user, request, partner, kind, day, **fields):
    return ResourceUse.objects.create(
        station=request.station,
        partner=partner,
        request=request,
        kind=kind,
        date=day,
        created_by=user,
        **fields,
    )


def _forces(data):
    return {row["force"]: row["count"] for row in data["forces"]}


def test_the_station_month(month, guoyuan):
    data = report(Scope(station=guoyuan), MONTH)
    assert data["resolved"] == 4
    assert _forces(data) == {
        "community": 1,
        "social_org": 0,
        "social_worker": 1,
        "volunteer": 1,
        "charity": 1,
    }
    assert data["mobilised"] == {
        "money": Decimal("3000.00"),
        "goods": Decimal("500.00"),
        "services": 0,
        "cases": 0,
        "hours": Decimal("6.0"),
    }
    rows = {row["partner"].name: row for row in data["partners"]}
    assert rows["安居充电公司"]["money"] == Decimal("3000.00")
    assert (rows["安居充电公司"]["referred"], rows["安居充电公司"]["done"]) == (1, 1)
    assert rows["北辰区民政局"]["goods"] == Decimal("500.00")
    assert "集贤里书画社" not in rows
    assert [(m["month"], m["resolved"]) for m in data["months"]] == [(datetime.date(2026, 11, 1), 4)]


def test_the_district_month_adds_its_stations(month, beichen):
    data = report(Scope(district=beichen), MONTH)
    assert data["resolved"] == 5
    assert _forces(data)["social_org"] == 1
    assert data["mobilised"]["money"] == Decimal("3100.00")
    assert volunteer_hours(Scope(district=beichen), MONTH) == Decimal("6.0")


def test_volunteer_hours_add_the_volunteers_own_records(month, guoyuan, beichen):
    """Hours a volunteer logged on an activity count beside the hours given as a resource; another
    month's do not."""
    from tests.projects import factories as pf

    volunteer = pf.make_volunteer(guoyuan, "王秀英")
    in_month = pf.make_activity(guoyuan, day=datetime.date(2026, 11, 12), title="助老服务")
    next_month = pf.make_activity(guoyuan, day=datetime.date(2026, 12, 2), title="便民维修")
    pf.make_hours(volunteer, "2.5", activity=in_month)
    pf.make_hours(volunteer, "4.0", activity=next_month)
    assert volunteer_hours(Scope(station=guoyuan), MONTH) == Decimal("8.5")
    data = report(Scope(district=beichen), MONTH)
    assert data["mobilised"]["hours"] == Decimal("8.5")
    assert [m["hours"] for m in data["months"]] == [Decimal("8.5")]  # the month adds up to the total


def test_the_city_and_an_empty_district(month, nankai):
    assert report(Scope(), MONTH)["resolved"] == 5
    empty = report(Scope(district=nankai), MONTH)
    assert empty["resolved"] == 0 and empty["mobilised"]["money"] == 0 and empty["partners"] == []


def test_the_page_and_the_export(client, month, worker, guoyuan):
    import io

    import openpyxl

    client.force_login(worker)
    query = {"from": "2026-11-01", "to": "2026-11-30"}
    page = client.get(reverse("five_forces:station", args=[guoyuan.pk]), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "安居充电公司" in text and "¥3000.00" in text and "集贤里书画社" not in text
    from stations.audit import PersonalDataAccess

    before = PersonalDataAccess.objects.filter(action="export").count()
    xlsx = client.get(reverse("five_forces:station-xlsx", args=[guoyuan.pk]), query)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["五社力量", "资源动员", "合作伙伴", "按月"]
    values = [c for row in book["资源动员"].iter_rows(values_only=True) for c in row]
    assert 3000 in values and 500 in values
    assert PersonalDataAccess.objects.filter(action="export").count() == before + 1


def test_a_reversed_period_falls_back_with_a_message(client, worker, guoyuan):
    client.force_login(worker)
    page = client.get(
        reverse("five_forces:station", args=[guoyuan.pk]), {"from": "2026-11-30", "to": "2026-11-01"}
    )
    assert page.status_code == 200 and "起止日期有误" in page.content.decode()
    page = client.get(reverse("five_forces:station", args=[guoyuan.pk]), {"from": "2026-13-45"})
    assert page.status_code == 200
    for bounds in ({"from": "9999-12-01", "to": "9999-12-31"}, {"from": "1900-01-01", "to": "1900-01-31"}):
        page = client.get(reverse("five_forces:station", args=[guoyuan.pk]), bounds)
        assert page.status_code == 200 and "日期超出可查询范围" in page.content.decode()
        xlsx = client.get(reverse("five_forces:station-xlsx", args=[guoyuan.pk]), bounds)
        assert xlsx.status_code == 200


def test_another_station_and_district_are_404(client, other_worker, other_district_user, guoyuan, beichen):
    client.force_login(other_worker)
    assert client.get(reverse("five_forces:station", args=[guoyuan.pk])).status_code == 404
    client.force_login(other_district_user)
    assert client.get(reverse("five_forces:district", args=[beichen.pk])).status_code == 404
    assert client.get(reverse("five_forces:station-xlsx", args=[guoyuan.pk])).status_code == 404


# --- Bounded queries ---------------------------------------------------------------------------------


def _many(worker, chaoyangli, partner, n):
    for i in range(n):
        request = pf.make_request(worker, chaoyangli, description=f"第{i}件")
        pr = pf.refer(worker, request, partner) if i % 2 else None
        if pr:
            pf.consent(worker, pr)
        _use(worker, request, partner, "money", amount="10", day=timezone.localdate())
        _resolve(worker, request, timezone.localdate())


@pytest.mark.parametrize("n", [1, 6])
def test_the_report_query_count_does_not_grow(
    client, worker, chaoyangli, partner, guoyuan, n, django_assert_max_num_queries
):
    _many(worker, chaoyangli, partner, n)
    client.force_login(worker)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("five_forces:station", args=[guoyuan.pk])).status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_the_request_page_with_partner_panels_is_bounded(
    client, worker, chaoyangli, partner, n, django_assert_max_num_queries
):
    request = pf.make_request(worker, chaoyangli)
    for _ in range(n):
        _use(worker, request, partner, "money", amount="10", day=timezone.localdate())
    pr = pf.refer(worker, request, partner)
    pf.consent(worker, pr)
    client.force_login(worker)
    with django_assert_max_num_queries(60):
        assert client.get(request.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("partners:referral-detail", args=[pr.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("partners:referral-slip", args=[pr.pk])).status_code == 200


@pytest.mark.parametrize("n", [1, 8])
def test_the_partner_list_is_bounded(client, worker, guoyuan, n, django_assert_max_num_queries):
    for i in range(n):
        pf.make_partner(guoyuan, name=f"伙伴{i}")
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partners:partner-list")).status_code == 200


def test_the_partner_list_pages_and_finds_by_name(client, worker, guoyuan):
    """A district's registry runs to hundreds: 30 a page, the kind filter kept across pages, a name search."""
    for i in range(35):
        pf.make_partner(guoyuan, name=f"伙伴{i:02d}")
    client.force_login(worker)
    url = reverse("partners:partner-list")
    first = client.get(url)
    assert first.context["page"].paginator.count == 35
    assert len(first.context["page"].object_list) == 30
    assert "?page=2" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [p.name for p in second.context["page"].object_list] == [f"伙伴{i:02d}" for i in range(30, 35)]
    found = client.get(url, {"q": "伙伴07"})
    assert [p.name for p in found.context["page"].object_list] == ["伙伴07"]
    assert "没有符合条件的合作伙伴" in client.get(url, {"q": "没有这个"}).content.decode()
