"""The count of plans waiting for approval where a district reviewer looks (issue 16): on the menu
entry at 1440 px, on the menu button at 375 px, and as a figure on the district dashboard."""

import datetime

from django.utils import timezone

from projects.models import AnnualPlan
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.projects import factories as pf


def _waiting(guoyuan, jixianli):
    for station, days in ((guoyuan, 40), (jixianli, 3)):
        pf.make_plan(
            station,
            year=2026,
            status=AnnualPlan.Status.SUBMITTED,
            submitted_at=timezone.now() - datetime.timedelta(days=days),
        )


def test_reviewer_sees_the_count_on_a_desktop(desktop, district_user, guoyuan, jixianli, client):
    _waiting(guoyuan, jixianli)
    log_in_quickly(desktop, client, district_user)
    desktop.goto("/")
    entry = desktop.get_by_role("navigation", name="主导航").get_by_role("link", name="待审批方案")
    assert entry.locator(".nav-count").inner_text() == "2"
    figure = desktop.locator("a.stat-card", has_text="待审批方案")
    assert figure.locator(".stat").inner_text() == "2" and "最久已等 40 天" in figure.inner_text()
    figure.click()
    desktop.wait_for_load_state()
    assert desktop.url.endswith("/projects/plans/pending/")
    check_a11y(desktop)


def test_reviewer_sees_the_count_on_a_phone(phone, district_user, guoyuan, jixianli, client):
    _waiting(guoyuan, jixianli)
    log_in_quickly(phone, client, district_user)
    phone.goto("/")
    toggle = phone.get_by_role("button", name="菜单")
    assert toggle.locator(".badge").inner_text() == "2"
    toggle.click()
    assert phone.get_by_role("link", name="待审批方案").locator(".nav-count").is_visible()
    check_a11y(phone)
    shoot(phone, "pending-plans-menu")
