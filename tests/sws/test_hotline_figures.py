"""The 12345 work orders' figures against a hand-built March 2026 (station, district and city; dashboards,
reports and the reports' XLSX alike).

- 果园新村: O1 received 3-02 10:00, signed 11:00 (due 12:00), answered 3-06 (due 3-09), 满意;
  O2 received 3-10, signed 14:00 (due 12:00: late), answered 3-18 (due 3-17: late), 不满意;
  O3 received 3-20, returned (退回); O4 received 3-25, signed on time, extension approved to 4-10,
  answered 4-08 (on time), 基本满意; O5 received 2-27 (February: not counted).
  → received 4, signed on time 2 (50 %), answered on time 2 (50 %), returned 1, extended 1, rated 3,
  dissatisfied 1, satisfaction 2/3.
- 集贤里: O6 received 3-31 16:00, signed on time, not answered → received 1, signed on time 1.
- 北辰区: the stations' 5 and O7, received 3-15 and not placed (未能定位) → received 6, signed on time 3.
- 南开区 (广开): O8 received 3-05, signed on time. The city: received 7, signed on time 4.
"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from sws.dashboards import figures
from sws.dashboards.periods import Period
from sws.reports import builders
from tests.hotline.factories import store_work_order

pytestmark = pytest.mark.django_db
MARCH = Period.month(datetime.date(2026, 3, 1))
TODAY = datetime.date(2026, 4, 15)


def at(month, day, hour=10, minute=0):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


@pytest.fixture
def march(beichen, nankai, guoyuan, jixianli, guangkai, worker, other_worker):
    hour = datetime.timedelta(hours=1)
    store_work_order(
        district=beichen, station=guoyuan, received_at=at(3, 2), signed_at=at(3, 2, 11),
        replied_at=at(3, 6, 15), satisfaction="satisfied",
    )  # fmt: skip
    store_work_order(
        district=beichen, station=guoyuan, received_at=at(3, 10), signed_at=at(3, 10, 14),
        replied_at=at(3, 18, 9), satisfaction="dissatisfied",
    )  # fmt: skip
    store_work_order(
        district=beichen, station=guoyuan, received_at=at(3, 20), state="returned", return_reason="非本站辖区"
    )
    store_work_order(
        district=beichen, station=guoyuan, received_at=at(3, 25), signed_at=at(3, 25) + hour,
        extended_by=worker, extended_to=at(4, 10, 17), replied_at=at(4, 8, 16), satisfaction="fairly",
    )  # fmt: skip
    store_work_order(district=beichen, station=guoyuan, received_at=at(2, 27), signed_at=at(2, 27) + hour)
    store_work_order(
        district=beichen, station=jixianli, received_at=at(3, 31, 16), signed_at=at(3, 31, 16, 30)
    )
    store_work_order(district=beichen, received_at=at(3, 15))
    store_work_order(district=nankai, station=guangkai, received_at=at(3, 5), signed_at=at(3, 5) + hour)


def _values(result):
    return {f["key"]: f["value"] for f in result["key_figures"]}


def test_a_stations_figures(march, worker, guoyuan):
    values = _values(figures.hotline_figures(worker, MARCH, station=guoyuan))
    assert values == {
        "received": 4,
        "signed_on_time": 2,
        "signed_on_time_share": 0.5,
        "answered_on_time": 2,
        "answered_on_time_share": 0.5,
        "returned": 1,
        "extended": 1,
        "rated": 3,
        "dissatisfied": 1,
        "satisfaction": pytest.approx(2 / 3),
    }


def test_a_districts_figures_count_its_unplaced_orders_and_list_its_stations(march, district_user, beichen):
    result = figures.hotline_figures(district_user, MARCH, district=beichen)
    assert result["totals"]["received"] == 6 and result["totals"]["unplaced"] == 1
    assert result["totals"]["signed_on_time"] == 3
    rows = {row["name"]: row for row in result["rows"]}
    assert [row["received"] for row in result["rows"]] == [4, 1]  # 果园新村, 集贤里 (by code)
    assert all(row["signed_on_time"] >= 1 for row in rows.values())


def test_the_citys_figures_and_another_districts(march, city_user, other_district_user, nankai):
    city = figures.hotline_figures(city_user, MARCH)
    assert (city["totals"]["received"], city["totals"]["signed_on_time"]) == (7, 4)
    assert sorted(row["received"] for row in city["rows"]) == [1, 6]
    nankai_only = figures.hotline_figures(other_district_user, MARCH, district=nankai)
    assert nankai_only["totals"]["received"] == 1


def test_the_dashboards_show_the_section(client, march, worker, district_user, beichen, guoyuan):
    client.force_login(worker)
    page = client.get(
        reverse("dashboards:station", args=[guoyuan.pk]), {"period": "month", "from": "2026-03-01"}
    )
    assert page.status_code == 200
    assert _values(page.context["hotline"])["received"] == 4
    html = page.content.decode()
    assert "12345热线工单" in html and "按时签收率" in html
    client.force_login(district_user)
    page = client.get(
        reverse("dashboards:district", args=[beichen.pk]), {"period": "month", "from": "2026-03-01"}
    )
    assert page.context["hotline"]["totals"]["received"] == 6
    assert "各社工站热线工单" in page.content.decode()


def test_the_reports_and_their_xlsx(client, march, district_user, beichen):
    report = builders.district_report(district_user, beichen, 2026, 3, today=TODAY)
    assert report.hotline["totals"]["received"] == 6
    client.force_login(district_user)
    html = client.get(reverse("reports:district", args=[beichen.pk, 2026, 3])).content.decode()
    assert "12345热线工单" in html
    response = client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["12345热线工单"]
    rows = [[c.value for c in row][: 1 + len(report.hotline["columns"])] for row in sheet.iter_rows()]
    assert [r[:2] for r in rows if r[0] == "本期接收工单"][0] == ["本期接收工单", 6]
    assert [r[:2] for r in rows if r[0] == "按时签收"][0] == ["按时签收", 3]
    header = next(r for r in rows if r and r[0] == "单位")
    assert header[1] == "本期接收工单"
    assert [r[1] for r in rows[rows.index(header) + 1 :]] == [4, 1]  # 果园新村, 集贤里
