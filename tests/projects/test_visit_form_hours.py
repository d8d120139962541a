"""Volunteer hours on the visit form itself (探访): the rows are saved with the visit in one transaction,
a bad row refuses the whole visit in Chinese, the rows read the volunteers once, and the form fits a
375 px phone (one column of fields, no fixed widths)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ServiceHours
from residents import care
from residents.models import Visit, VisitPlan
from tests.projects import factories as pf
from tests.residents.care_factories import ensure_care_defaults
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(worker, chaoyangli):
    ensure_care_defaults()
    resident = make_resident(chaoyangli, name="张桂兰", phone="13820130000")
    care.set_risk_tier(acting_user=worker, resident=resident, tier=1, reason="独居高龄")
    return resident


def _post(resident, rows):
    data = {
        "version": VisitPlan.objects.get(resident=resident, active=True).version,
        "visited_on": datetime.date.today().isoformat(),
        "form": "home",
        "outcome": "seen",
        "hours-TOTAL_FORMS": str(len(rows)),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for i, (volunteer, hours) in enumerate(rows):
        data |= {
            f"hours-{i}-volunteer": volunteer,
            f"hours-{i}-hours": hours,
            f"hours-{i}-content": "陪同探访",
        }
    return data


def test_the_visit_and_its_hours_are_saved_together(client, worker, resident):
    wang = pf.make_volunteer(worker.station, "王秀英")
    zhang = pf.make_volunteer(worker.station, "张桂兰")
    client.force_login(worker)
    url = reverse("residents:visit-log", args=[resident.pk])
    response = client.post(url, _post(resident, [(wang.pk, "1.5"), (zhang.pk, "2"), ("", "")]))
    assert response.status_code == 302
    visit = Visit.objects.get(resident=resident)
    assert sorted((h.volunteer.name, h.hours, h.date) for h in ServiceHours.objects.filter(visit=visit)) == [
        ("张桂兰", Decimal("2.0"), visit.visited_on),
        ("王秀英", Decimal("1.5"), visit.visited_on),
    ]


@pytest.mark.parametrize(
    "row, message",
    [(("wang", ""), "请填写服务时长"), (("wang", "30"), "24"), (("foreign", "2"), "有效的选项")],
)
def test_a_bad_row_saves_no_visit_and_no_hours(client, worker, other_worker, resident, row, message):
    volunteers = {
        "wang": pf.make_volunteer(worker.station, "王秀英").pk,
        "foreign": pf.make_volunteer(other_worker.station, "外站志愿者").pk,
    }
    client.force_login(worker)
    url = reverse("residents:visit-log", args=[resident.pk])
    response = client.post(url, _post(resident, [(volunteers[row[0]], row[1])]))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Visit.objects.filter(resident=resident).exists() and not ServiceHours.objects.exists()


def test_a_one_tap_post_without_rows_still_logs_the_visit(client, worker, resident):
    client.force_login(worker)
    data = {"version": VisitPlan.objects.get(resident=resident, active=True).version, "outcome": "seen"}
    response = client.post(reverse("residents:visit-log", args=[resident.pk]), data)
    assert response.status_code == 302 and Visit.objects.filter(resident=resident).count() == 1


@pytest.mark.parametrize("volunteers", [1, 15])
def test_the_form_with_hours_rows_is_bounded_and_fits_a_phone(
    client, worker, resident, volunteers, django_assert_max_num_queries
):
    for i in range(volunteers):
        pf.make_volunteer(worker.station, f"志愿者{i}")
    client.force_login(worker)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("residents:visit-log", args=[resident.pk])).content.decode()
    assert 'name="viewport" content="width=device-width' in page
    assert 'class="hours-rows field-full"' in page and "志愿者服务时长" in page
    assert page.count('name="hours-0-volunteer"') == 1
    assert f"志愿者{volunteers - 1}" in page  # every volunteer offered, read in one query
    assert 'style="width' not in page  # no fixed widths that would overflow 375 px
