"""The case page (issue 13): on a phone the steps come before the growing timeline; on a desktop they sit
beside the facts and the timeline stays under the facts. Deadlines read relative to now."""

from django.utils import timezone

from residents.models import TimelineEvent
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.factories import make_request


def _long_timeline(request, worker):
    for n in range(25):
        TimelineEvent.objects.create(
            request=request,
            actor=worker,
            kind=TimelineEvent.Kind.NOTE,
            at=timezone.now(),
            text=f"第{n + 1}次电话联系",
        )


def test_on_a_phone_the_steps_come_before_the_timeline(phone, worker, guoyuan, client):
    request = make_request(guoyuan, status="referred")
    _long_timeline(request, worker)
    log_in_quickly(phone, client, worker)
    phone.goto(request.get_absolute_url())

    steps = phone.get_by_role("complementary", name="办理").bounding_box()
    timeline = phone.locator("section", has=phone.locator("#timeline-title")).bounding_box()
    assert steps["y"] + steps["height"] <= timeline["y"]
    assert phone.get_by_role("button", name="继续办理").is_visible()
    assert "剩" in phone.locator("dt:has-text('办理期限') + dd").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "case-page")


def test_on_a_desktop_the_steps_sit_beside_the_facts(desktop, worker, guoyuan, client):
    request = make_request(guoyuan, status="referred")
    _long_timeline(request, worker)
    log_in_quickly(desktop, client, worker)
    desktop.goto(request.get_absolute_url())

    facts = desktop.locator("section", has=desktop.locator("#facts-title")).bounding_box()
    steps = desktop.get_by_role("complementary", name="办理").bounding_box()
    timeline = desktop.locator("section", has=desktop.locator("#timeline-title")).bounding_box()
    assert steps["x"] >= facts["x"] + facts["width"]  # beside
    assert steps["y"] < facts["y"] + facts["height"]
    assert timeline["x"] == facts["x"] and timeline["y"] >= facts["y"] + facts["height"]
    shoot(desktop, "case-page")
