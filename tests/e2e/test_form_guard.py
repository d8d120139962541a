"""Forms on a phone and a desktop (issue 15): the activity form's 服务社区 reads as a heading above its
choices, a double tap records one activity (the double-submit guard works on every form, even one with a
field named `method`), and a refused form shows its error where the eye is after the page reloads."""

import pytest

from projects.models import Activity, FundEntry
from tests.e2e.browser import log_in_quickly, shoot
from tests.projects import factories as pf


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_community_choices_have_a_horizontal_heading_above_them(size, request, worker, chaoyangli, client):
    page = request.getfixturevalue(size)
    log_in_quickly(page, client, worker)
    page.goto("/projects/activities/new/")

    legend = page.locator("legend", has_text="服务社区")
    box = legend.bounding_box()
    first_choice = page.get_by_label("朝阳里社区").bounding_box()
    assert box["width"] > box["height"]  # written across, not one character a line
    assert box["y"] + box["height"] <= first_choice["y"]  # above the choices, not beside them
    shoot(page, "activity-form")


def test_double_tap_on_the_activity_form_records_one_activity(phone, worker, chaoyangli, client):
    log_in_quickly(phone, client, worker)
    phone.goto("/projects/activities/new/")
    phone.get_by_label("活动名称").fill("重阳节敬老活动")
    phone.get_by_label("服务方法").select_option(label="社区")  # the field named `method`
    phone.get_by_label("朝阳里社区").check()
    posts = []
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    with phone.expect_navigation():
        phone.get_by_role("button", name="保存", exact=True).dblclick()
    phone.wait_for_load_state()

    assert len(posts) == 1
    assert Activity.objects.filter(title="重阳节敬老活动").count() == 1


def test_a_second_submit_of_any_post_form_is_held_back(desktop, worker, client):
    """The guard reads the method attribute, so a field called `method` (or `action`) cannot fool it."""
    log_in_quickly(desktop, client, worker)
    desktop.goto("/projects/activities/new/")
    held = desktop.evaluate(
        """() => {
          const form = document.querySelector('form.card');
          const first = new Event('submit', {bubbles: true, cancelable: true});
          const second = new Event('submit', {bubbles: true, cancelable: true});
          form.dispatchEvent(first);
          form.dispatchEvent(second);
          first.preventDefault();  // keep the page here
          return [first.defaultPrevented, second.defaultPrevented, form.dataset.submitting];
        }"""
    )
    assert held == [True, True, "1"]


def test_a_refused_ledger_entry_shows_its_error_in_the_first_screen(phone, worker, guoyuan, client):
    fund = pf.make_fund(guoyuan)
    for _ in range(30):
        pf.make_entry(fund, "10.00")
    log_in_quickly(phone, client, worker)
    phone.goto(f"/projects/funds/{fund.pk}/")
    form = phone.locator("form", has=phone.get_by_role("button", name="记账"))
    form.get_by_label("支出", exact=True).check()
    form.get_by_label("金额（元）").fill("99999")
    form.get_by_label("支出用途（支出）").select_option(index=1)
    form.get_by_role("button", name="记账").click()
    phone.wait_for_load_state()

    error = phone.locator(".errorlist, .form-errors").first
    box = error.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= phone.viewport_size["height"]
    assert phone.evaluate("document.documentElement.scrollHeight") > 2 * phone.viewport_size["height"]
    assert FundEntry.objects.filter(fund=fund, direction=FundEntry.Direction.OUTFLOW).count() == 0
    shoot(phone, "fund-refused-entry")
