"""District centre staff on a large screen: the dashboard, sorting the station table, drilling into a
station, downloading the export; the same sorting without JavaScript; the city and station dashboards."""

import datetime
import io
from pathlib import Path

import openpyxl
from django.utils import timezone

from residents.models import Request
from tests.e2e.browser import check_a11y, log_in_quickly, login, shoot, wait_until
from tests.sws import factories as sf

GUOYUAN = "北辰区果园新村街道社工站"
JIXIANLI = "北辰区集贤里街道社工站"


def _requests(guoyuan, jixianli):
    """Four requests at 果园新村 (one overdue), one at 集贤里, all received moments ago (this period)."""
    now = timezone.now()
    for seconds in (1, 2, 3):
        sf.store_request(guoyuan, received_at=now - datetime.timedelta(seconds=seconds))
    sf.store_request(
        guoyuan,
        received_at=now - datetime.timedelta(seconds=4),
        due_at=now - datetime.timedelta(seconds=2),
        status=Request.Status.IN_PROGRESS,
    )
    sf.store_request(jixianli, received_at=now - datetime.timedelta(seconds=5))


def _station_order(page):
    return page.locator("table.compare-table tbody td.card-title a").all_inner_texts()


def test_district_user_sorts_drills_down_and_exports(desktop, district_user, guoyuan, jixianli, worker):
    _requests(guoyuan, jixianli)

    login(desktop, district_user)
    assert desktop.locator("h1").inner_text() == "北辰区社工站对比"
    check_a11y(desktop)
    shoot(desktop, "flow-district-dashboard")

    received = desktop.locator("table.compare-table thead th", has_text="受理诉求")
    received.get_by_role("link").click()  # figures sort largest first
    assert received.get_attribute("aria-sort") == "descending"
    assert _station_order(desktop) == [GUOYUAN, JIXIANLI]
    received.get_by_role("link").click()  # a second click reverses
    assert received.get_attribute("aria-sort") == "ascending"
    assert _station_order(desktop) == [JIXIANLI, GUOYUAN]
    assert "sort=received" in desktop.url

    # The export follows the order on screen, with Chinese headers.
    with desktop.expect_download() as download_info:
        desktop.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    # openpyxl goes by the file name's extension, and the browser's download file has none.
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "社工站")  # after the title rows
    header, body = rows[start], rows[start + 1 :]
    assert "受理诉求" in header
    assert [row[0] for row in body[:2]] == [JIXIANLI, GUOYUAN]
    assert [row[header.index("受理诉求")] for row in body[:2]] == [1, 4]

    # Drill into a station.
    desktop.get_by_role("table").get_by_role("link", name=GUOYUAN).click()
    desktop.wait_for_load_state()
    assert GUOYUAN in desktop.locator("h1").inner_text()
    check_a11y(desktop)
    shoot(desktop, "flow-district-station-dashboard")


def test_station_table_sorts_without_javascript(desktop_nojs, district_user, guoyuan, jixianli, client):
    _requests(guoyuan, jixianli)
    log_in_quickly(desktop_nojs, client, district_user)

    desktop_nojs.goto(f"/dashboards/district/{district_user.district_id}/")
    desktop_nojs.locator("table.compare-table thead th", has_text="受理诉求").get_by_role("link").click()
    desktop_nojs.wait_for_load_state()
    assert "sort=-received" in desktop_nojs.url
    assert _station_order(desktop_nojs) == [GUOYUAN, JIXIANLI]
    header = desktop_nojs.locator("table.compare-table thead th", has_text="受理诉求")
    assert header.get_attribute("aria-sort") == "descending"


def test_district_dashboard_on_a_phone(phone, district_user, guoyuan, jixianli, client):
    _requests(guoyuan, jixianli)
    log_in_quickly(phone, client, district_user)

    phone.goto("/")
    assert phone.locator("h1").inner_text() == "北辰区社工站对比"
    # The table becomes one card per station: nothing sticks out sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "flow-district-dashboard")


def test_city_dashboard(desktop, phone, city_user, guoyuan, jixianli, guangkai, client):
    _requests(guoyuan, jixianli)
    for page in (desktop, phone):
        log_in_quickly(page, client, city_user)
        page.goto("/")
        assert page.locator("h1").count() == 1
        check_a11y(page)
        shoot(page, "flow-city-dashboard")


def test_station_dashboard(desktop, phone, worker, guoyuan, jixianli, client):
    _requests(guoyuan, jixianli)
    for page in (desktop, phone):
        log_in_quickly(page, client, worker)
        page.goto("/")
        assert GUOYUAN in page.locator("h1").inner_text()
        check_a11y(page)
        shoot(page, "flow-station-dashboard")


# The charts (static/js/charts.js): the chart library is fetched only when the first chart nears the screen,
# each chart drawn as it comes within a screen of the view; printing draws them all.
FIGURES = "figure[data-chart]"
DRAWN = "figure[data-chart].chart-ready"


def _library_requests(page):
    fetched = []
    page.on("request", lambda request: "vendor/echarts/" in request.url and fetched.append(request.url))
    return fetched


def _tops(page):
    return page.evaluate(
        f"Array.from(document.querySelectorAll('{FIGURES}'), f => f.getBoundingClientRect().top + scrollY)"
    )


def test_charts_wait_until_scrolled_to_and_move_nothing(phone, worker, guoyuan, jixianli, client):
    _requests(guoyuan, jixianli)
    fetched = _library_requests(phone)
    log_in_quickly(phone, client, worker)
    phone.goto("/")
    phone.wait_for_load_state("load")

    # The first screen carries no chart code: the library is not fetched, no chart drawn, the boxes kept.
    figures = phone.locator(FIGURES)
    assert figures.count() == 4
    assert fetched == []
    assert phone.evaluate("typeof window.echarts") == "undefined"
    assert phone.locator(f"{FIGURES}.chart-pending").count() == 4
    assert phone.locator(f"{FIGURES} .chart-data").first.is_hidden()  # the table waits aside
    charts_end = "document.querySelector('section.charts').getBoundingClientRect().bottom + scrollY"
    before = phone.evaluate(charts_end)

    figures.first.scroll_into_view_if_needed()
    wait_until(phone, f"document.querySelectorAll('{DRAWN} canvas').length === 4")
    assert len(fetched) == 1
    assert phone.locator(f"{FIGURES}.chart-failed, {FIGURES}.chart-pending").count() == 0
    # Drawing moved nothing below the charts (their boxes were reserved), and nothing sticks out sideways.
    assert phone.evaluate(charts_end) == before
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # Each chart's numbers are a tap away.
    first = figures.first
    assert first.locator(".chart-data").is_hidden()
    first.get_by_role("button", name="查看数据").click()
    assert first.locator(".chart-data").is_visible()
    assert first.get_by_role("button", name="隐藏数据").get_attribute("aria-expanded") == "true"
    check_a11y(phone)


def test_charts_drawn_as_they_near_the_view_and_all_before_printing(
    desktop, worker, guoyuan, jixianli, client
):
    _requests(guoyuan, jixianli)
    log_in_quickly(desktop, client, worker)
    desktop.goto("/")
    desktop.wait_for_load_state("load")

    # Two charts a row: scroll until the first row is within a screen of the view, the second not yet.
    first_row, _, second_row, _ = _tops(desktop)
    assert second_row > first_row
    height = desktop.viewport_size["height"]
    desktop.evaluate(f"window.scrollTo(0, {first_row - 2 * height + 60})")
    wait_until(desktop, f"document.querySelectorAll('{DRAWN} canvas').length === 2")
    desktop.wait_for_timeout(300)
    assert desktop.locator(f"{FIGURES}.chart-pending").count() == 2

    # Ctrl+P: the library is here, so the rest are drawn before the page is laid out for paper.
    desktop.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert desktop.locator(f"{DRAWN} canvas").count() == 4


def test_print_button_draws_every_chart_first(desktop, district_user, guoyuan, jixianli, client):
    _requests(guoyuan, jixianli)
    log_in_quickly(desktop, client, district_user)
    desktop.goto("/")
    desktop.wait_for_load_state("load")
    assert desktop.locator(FIGURES).count() == 4
    assert desktop.locator(DRAWN).count() == 0
    # The print dialog, stood in for: what it would print.
    desktop.evaluate(f"""() => {{
        window.print = () => {{ window.printed = document.querySelectorAll('{DRAWN} canvas').length; }};
    }}""")
    desktop.get_by_role("button", name="打印").click()
    wait_until(desktop, "window.printed !== undefined")
    assert desktop.evaluate("window.printed") == 4


def test_tables_come_back_when_the_chart_library_does_not(phone, worker, guoyuan, jixianli, client):
    _requests(guoyuan, jixianli)
    phone.problems.expect("Failed to load resource")
    phone.problems.expect("vendor/echarts/")
    phone.route("**/vendor/echarts/**", lambda route: route.fulfill(status=503, body=""))
    log_in_quickly(phone, client, worker)
    phone.goto("/")
    phone.locator(FIGURES).first.scroll_into_view_if_needed()
    wait_until(phone, f"document.querySelectorAll('{FIGURES}.chart-failed').length === 4")
    first = phone.locator(FIGURES).first
    assert first.locator(".chart-data").is_visible()
    assert first.locator(".chart").is_hidden()
    assert first.get_by_role("button", name="查看数据").is_hidden()  # nothing to toggle
