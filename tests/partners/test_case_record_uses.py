"""The partners' resources a case's service record used (五社联动): the same ResourceUse as requests and
activities, recorded with the record or afterwards, scoped by the case's confidentiality rule (stricter
than a request's), and counted in the 五社联动 report."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Case, ServiceRecord
from partners.contributions import Period, Scope, report
from partners.models import Partner, ResourceUse
from tests.casework.closing import case_at, colleague, minor
from tests.casework.factories import make_case
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return case_at(guoyuan, chaoyangli, worker2, stage=Case.Stage.INTERVENTION)


@pytest.fixture
def company(guoyuan):
    return pf.make_partner(guoyuan, name="安居充电公司", kind=Partner.Kind.CHARITY)


def _record(case, user, **fields):
    values = {
        "date": timezone.localdate(),
        "form": "resource",
        "duration_minutes": 60,
        "content": "链接慈善资源",
    }
    return services.record_service(acting_user=user, case=case, **{**values, **fields})


def _form_post(partner, **row):
    data = {
        "date": timezone.localdate().isoformat(),
        "form": "resource",
        "duration_minutes": "45",
        "person_times": "1",
        "content": "链接爱心企业，送米面油",
        "uses-TOTAL_FORMS": "2",
        "uses-INITIAL_FORMS": "0",
        "uses-MIN_NUM_FORMS": "0",
        "uses-MAX_NUM_FORMS": "10",
        "uses-1-kind": "",
    }
    data.update({f"uses-0-{name}": value for name, value in {"partner": partner.pk, **row}.items()})
    return data


def test_a_record_saves_its_resource_uses_with_it(case, worker2, company):
    record = _record(case, worker2, uses=[{"partner": company, "kind": "money", "amount": Decimal("800")}])
    use = ResourceUse.objects.get()
    assert use.service_record == record and use.request is None and use.activity is None
    assert (use.station_id, use.date, use.amount) == (case.station_id, record.date, Decimal("800.00"))


def test_a_bad_use_saves_neither_the_use_nor_the_record(case, worker2, company):
    with pytest.raises(Exception, match="金额"):
        _record(case, worker2, uses=[{"partner": company, "kind": "money"}])
    assert not ServiceRecord.objects.exists() and not ResourceUse.objects.exists()


def test_a_use_has_exactly_one_owner(case, worker2, company, chaoyangli):
    record = _record(case, worker2)
    request = pf.make_request(worker2, chaoyangli)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceUse.objects.create(
            station=case.station, partner=company, kind="service", created_by=worker2,
            service_record=record, request=request,
        )  # fmt: skip


def test_the_record_form_takes_the_use_rows(client, case, worker2, company):
    client.force_login(worker2)
    url = reverse("casework:service-record-new", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200 and "使用的合作伙伴资源" in page.content.decode()
    response = client.post(url, _form_post(company, kind="goods", amount="300", description="米面油10份"))
    assert response.status_code == 302
    use = ResourceUse.objects.get()
    assert use.service_record.case == case and use.description == "米面油10份"


def test_a_bad_row_on_the_form_is_refused_in_chinese_and_nothing_saved(client, case, worker2, company):
    client.force_login(worker2)
    url = reverse("casework:service-record-new", args=[case.pk])
    response = client.post(url, _form_post(company, kind="goods", amount="300"))  # goods need a description
    assert response.status_code == 400 and "物资请填写内容" in response.content.decode()
    assert not ServiceRecord.objects.exists() and not ResourceUse.objects.exists()


def test_a_forged_partner_on_the_form_is_refused(client, case, worker2, jixianli):
    foreign = pf.make_partner(jixianli, name="集贤里书画社", kind=Partner.Kind.SOCIAL_ORG)
    client.force_login(worker2)
    url = reverse("casework:service-record-new", args=[case.pk])
    response = client.post(url, _form_post(foreign, kind="service"))
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_uses_added_and_removed_afterwards(client, case, worker2, company, django_assert_max_num_queries):
    record = _record(case, worker2)
    client.force_login(worker2)
    url = reverse("casework:record-uses", args=[case.pk, record.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    payload = {"partner": company.pk, "kind": "hours", "hours": "3", "date": record.date.isoformat()}
    response = client.post(url, payload, **HTMX)
    assert response.status_code == 200 and "安居充电公司" in response.content.decode()
    use = ResourceUse.objects.get(service_record=record)
    assert use.hours == Decimal("3.0")
    remove = reverse("casework:record-use-remove", args=[case.pk, record.pk, use.pk])
    client.post(remove)  # no confirmation: nothing removed
    assert ResourceUse.objects.filter(pk=use.pk).exists()
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    assert not ResourceUse.objects.exists()
    case_page = client.get(reverse("casework:case-detail", args=[case.pk])).content.decode()
    assert reverse("casework:record-uses", args=[case.pk, record.pk]) in case_page


def test_who_may_not_open_the_case_gets_404(
    client, case, worker2, company, guoyuan, chaoyangli, other_worker, district_user
):
    record = _record(case, worker2)
    use = ResourceUse.objects.create(
        station=case.station, partner=company, kind="service", created_by=worker2, service_record=record
    )
    uses_url = reverse("casework:record-uses", args=[case.pk, record.pk])
    remove_url = reverse("casework:record-use-remove", args=[case.pk, record.pk, use.pk])
    payload = {"partner": company.pk, "kind": "service", "date": record.date.isoformat()}
    # A colleague of the same station not on the case reads requests of the station, not this case.
    for user in (colleague(guoyuan), other_worker, district_user):
        client.force_login(user)
        assert client.get(uses_url).status_code == 404
        assert client.post(uses_url, payload, **HTMX).status_code == 404
        assert client.post(remove_url, {"confirm": "yes"}).status_code == 404
        # nor through the request/activity endpoint by the use's id (district staff: 403, station only)
        forged = client.post(reverse("partners:use-remove", args=[use.pk]), {"confirm": "yes"})
        assert forged.status_code == (403 if user == district_user else 404)
    # The case's own worker does not reach it through the partners' endpoint either (the case's rule).
    client.force_login(worker2)
    assert client.post(reverse("partners:use-remove", args=[use.pk]), {"confirm": "yes"}).status_code == 404
    assert ResourceUse.objects.filter(service_record=record).count() == 1


def test_a_minors_case_is_404_without_the_sensitive_permission(client, guoyuan, chaoyangli, worker2, company):
    child_case = make_case(guoyuan, minor(chaoyangli), worker2, stage=Case.Stage.INTERVENTION)
    record = ServiceRecord.objects.create(
        case=child_case,
        station=guoyuan,
        form="phone",
        duration_minutes=10,
        content="电话回访",
        worker=worker2,
    )
    client.force_login(worker2)
    assert client.get(reverse("casework:record-uses", args=[child_case.pk, record.pk])).status_code == 404


def test_tampered_ids_are_404(client, case, worker2, company, guoyuan, chaoyangli):
    """A record of another case under this case's URL, a use of another record under this record's."""
    record = _record(case, worker2)
    other_case = case_at(guoyuan, chaoyangli, worker2, stage=Case.Stage.INTERVENTION, client_name="赵四")
    other_record = _record(other_case, worker2)
    other_use = ResourceUse.objects.create(
        station=guoyuan, partner=company, kind="service", created_by=worker2, service_record=other_record
    )
    client.force_login(worker2)
    assert client.get(reverse("casework:record-uses", args=[case.pk, other_record.pk])).status_code == 404
    remove = reverse("casework:record-use-remove", args=[case.pk, record.pk, other_use.pk])
    assert client.post(remove, {"confirm": "yes"}).status_code == 404
    assert ResourceUse.objects.filter(pk=other_use.pk).exists()


def test_the_report_counts_a_case_records_use(case, worker2, company, chaoyangli, guoyuan, beichen):
    """A hand-built November: a request resolved by the social workers alone, which became a case whose
    service record used the company's ¥1,200 and a volunteer team's 4 h; another record in October."""
    team = pf.make_partner(guoyuan, name="爱心扫把志愿服务队", kind=Partner.Kind.VOLUNTEER_TEAM)
    request = pf.make_request(worker2, chaoyangli)
    Case.objects.filter(pk=case.pk).update(request=request)
    day, october = datetime.date(2026, 11, 10), datetime.date(2026, 10, 20)
    resolved_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    type(request).objects.filter(pk=request.pk).update(status="resolved", resolved_at=resolved_at)
    november = ServiceRecord.objects.create(
        case=case,
        station=guoyuan,
        date=day,
        form="resource",
        duration_minutes=30,
        content="链接",
        worker=worker2,
    )
    earlier = ServiceRecord.objects.create(
        case=case, station=guoyuan, date=october, form="resource", duration_minutes=30, content="链接",
        worker=worker2,
    )  # fmt: skip
    for record, partner, kind, fields in (
        (november, company, "money", {"amount": "1200"}),
        (november, team, "hours", {"hours": "4"}),
        (earlier, company, "money", {"amount": "999"}),
    ):
        ResourceUse.objects.create(
            station=guoyuan, partner=partner, kind=kind, date=record.date, created_by=worker2,
            service_record=record, **fields,
        )  # fmt: skip
    data = report(Scope(station=guoyuan), Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)))
    assert data["mobilised"]["money"] == Decimal("1200.00")
    assert data["mobilised"]["hours"] == Decimal("4.0")
    assert data["mobilised"]["cases"] == 1
    forces = {row["force"]: row["count"] for row in data["forces"]}
    assert forces == {"community": 0, "social_org": 0, "social_worker": 0, "volunteer": 1, "charity": 1}
    rows = {row["partner"].name: row for row in data["partners"]}
    assert rows["安居充电公司"]["money"] == Decimal("1200.00")
    assert [m["money"] for m in data["months"]] == [Decimal("1200.00")]
    assert report(Scope(district=beichen), Period(october, october))["mobilised"]["cases"] == 1
