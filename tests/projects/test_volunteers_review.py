"""Review findings on volunteers: the list's hours total follows the search, the volunteer page reads its
three figures in one query, the hours rows read the station's volunteers once (not a query per row), and
the hours sum across activities, visits and cases' service records as each report counts them."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.forms_volunteers import hours_formset
from tests.projects import factories as pf

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_list_total_is_the_searched_volunteers(client, worker):
    wang = pf.make_volunteer(worker.station, "王秀英")
    zhang = pf.make_volunteer(worker.station, "张桂兰")
    activity = pf.make_activity(worker.station, day=D(2023, 10, 10))
    pf.make_hours(wang, "2.5", activity=activity)
    pf.make_hours(zhang, "4.0", activity=activity)
    client.force_login(worker)
    period = {"date_from": "2023-10-01", "date_to": "2023-10-31"}
    everyone = client.get(reverse("projects:volunteer-list"), period)
    assert everyone.context["hours_total"] == Decimal("6.5")
    searched = client.get(reverse("projects:volunteer-list"), {**period, "q": "王秀英"})
    assert searched.context["hours_total"] == Decimal("2.5")


def test_the_volunteer_page_figures(client, worker):
    wang = pf.make_volunteer(worker.station, "王秀英")
    this_year = pf.make_activity(worker.station, day=datetime.date.today().replace(month=1, day=1))
    last_year = pf.make_activity(worker.station, day=D(2023, 10, 10), title="便民维修")
    pf.make_hours(wang, "2.5", activity=this_year)
    pf.make_hours(wang, "3.0", activity=last_year)
    client.force_login(worker)
    response = client.get(reverse("projects:volunteer-detail", args=[wang.pk]))
    context = response.context
    assert (context["hours_count"], context["hours_this_year"], context["hours_total"]) == (
        2,
        Decimal("2.5"),
        Decimal("5.5"),
    )


@pytest.mark.parametrize("rows", [1, 12])
def test_the_hours_rows_read_the_volunteers_once(worker, rows):
    volunteers = [pf.make_volunteer(worker.station, f"志愿者{i}") for i in range(rows)]
    data = {
        "hours-TOTAL_FORMS": str(rows),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for i, volunteer in enumerate(volunteers):
        data |= {f"hours-{i}-volunteer": volunteer.pk, f"hours-{i}-hours": "1.5", f"hours-{i}-content": ""}
    with CaptureQueriesContext(connection) as queries:
        formset = hours_formset(data, station=worker.station)
        assert formset.is_valid()
        html = "".join(str(form) for form in formset.forms)
    assert len(queries) == 1
    assert len(formset.rows()) == rows and html.count("志愿者0") == rows


def test_a_forged_volunteer_row_is_refused(worker, other_worker):
    foreign = pf.make_volunteer(other_worker.station, "外站志愿者")
    data = {
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-0-volunteer": foreign.pk,
        "hours-0-hours": "2",
    }
    formset = hours_formset(data, station=worker.station)
    assert not formset.is_valid()
    assert "选择一个有效的选项" in str(formset.errors)


def test_hours_sum_across_activities_visits_and_case_records(worker, worker2, chaoyangli, guoyuan):
    """October 2023 at 果园新村: 王秀英 2.5 h on an activity and 1.5 h on a visit (her own records); a
    volunteer team's 3 h used by a case's service record (a resource use); 4 h in November do not count."""
    from casework.models import Case, ServiceRecord
    from partners.contributions import Period, Scope, volunteer_hours
    from partners.models import Partner, ResourceUse
    from residents import care
    from tests.casework.closing import case_at
    from tests.partners.factories import make_partner
    from tests.residents.care_factories import ensure_care_defaults
    from tests.residents.factories import make_resident

    ensure_care_defaults()
    wang = pf.make_volunteer(guoyuan, "王秀英")
    pf.make_hours(wang, "2.5", activity=pf.make_activity(guoyuan, day=D(2023, 10, 10)))
    pf.make_hours(wang, "4.0", activity=pf.make_activity(guoyuan, day=D(2023, 11, 5), title="助老服务"))
    resident = make_resident(chaoyangli, name="张桂兰", phone="13820130000")
    care.set_risk_tier(acting_user=worker, resident=resident, tier=1, reason="独居高龄")
    pf.make_hours(
        wang, "1.5", visit=care.log_visit(acting_user=worker, resident=resident, visited_on=D(2023, 10, 15))
    )
    case = case_at(guoyuan, chaoyangli, worker2, stage=Case.Stage.INTERVENTION)
    record = ServiceRecord.objects.create(
        case=case, station=guoyuan, date=D(2023, 10, 20), form="accompany", duration_minutes=90,
        content="志愿者陪同就医", worker=worker2,
    )  # fmt: skip
    team = make_partner(guoyuan, name="爱心扫把志愿服务队", kind=Partner.Kind.VOLUNTEER_TEAM)
    ResourceUse.objects.create(
        station=guoyuan, partner=team, kind="hours", hours=Decimal("3"), date=record.date,
        created_by=worker2, service_record=record,
    )  # fmt: skip
    october = Period(D(2023, 10, 1), D(2023, 10, 31))
    assert volunteer_hours(Scope(station=guoyuan), october) == Decimal("7.0")
    assert volunteer_hours(Scope(station=guoyuan), Period(D(2023, 10, 1), D(2023, 11, 30))) == Decimal("11.0")
