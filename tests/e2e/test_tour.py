"""A tour of the main pages on the demo city, as each role sees them, at phone and desktop width.

Every page: one <h1>, no axe violation of serious or critical impact, nothing sticking out sideways on a
phone, no console error (the fixtures fail the test on any). Screenshots of each page go to screenshots/.
The demo seeder builds the data, so the pictures show what `make demo` shows.
"""

import datetime
import importlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from residents.models import Request, Resident
from stations.models import Community, Station, User
from tests.e2e.browser import PASSWORD, check_a11y, log_in_quickly, shoot

GUOYUAN = "120113001"  # 北辰区果园新村街道 (demo/stations.py)
# Headings that go down more than one level at once (an h3 straight after the h1), as "h1→h3 text".
SKIPPED_HEADINGS = """() => {
  const out = []; let last = 0;
  for (const h of document.querySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6")) {
    if (!h.offsetParent && getComputedStyle(h).position !== "fixed") continue;  // not shown
    const level = Number(h.tagName[1]);
    if (last && level > last + 1) out.push(`h${last}→h${level} ${h.textContent.trim().slice(0, 20)}`);
    last = level;
  }
  return out;
}"""
PRINTED = {"poster", "report", "district-dashboard"}  # also screenshot as printed (print stylesheet)
# The outermost elements that stick out past the right edge (to say what to fix).
WIDEST = """width => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right <= width + 1) continue;
    if (out.some(o => o.contains(el))) continue;
    out.push(el);
  }
  const name = el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim() : "");
  return out.slice(0, 5).map(name);
}"""


@pytest.fixture
def demo_city(transactional_db):
    # Browser tests run on a flushed database (live server): the rows the data migrations made (request
    # categories, vulnerability tags, response targets) are gone after the first test; put them back.
    from django.apps import apps

    defaults = importlib.import_module("residents.migrations.0004_default_tags_categories_targets")
    defaults.load(apps, None)
    call_command("seed_demo", requests=400, password=PASSWORD, stdout=io.StringIO())


def _first_pk(queryset):
    return queryset.order_by("pk").values_list("pk", flat=True).first()


def _station_pages(user):
    from projects.models import AnnualPlan, CommunityFund, Project

    station = user.station
    pages = [
        ("station-dashboard", reverse("dashboards:station", args=[station.pk])),
        ("queue", reverse("residents:request-queue")),
        ("intake", reverse("residents:intake")),
        ("residents", reverse("residents:resident-list")),
        ("resident-new", reverse("residents:resident-create")),
        ("projects", reverse("projects:project-list")),
        ("activities", reverse("projects:activity-list")),
        ("resources", reverse("projects:resource-list")),
        ("groups", reverse("projects:group-list")),
        ("funds", reverse("projects:fund-list")),
        ("plans", reverse("projects:plan-list")),
        ("posters", reverse("public:poster-list")),
        ("station", reverse("stations:station-detail", args=[station.pk])),
        ("reports", reverse("reports:index")),
    ]
    # The report's own case at 果园新村: the elderly man living alone who needed a light bulb changed.
    story = Request.objects.filter(station=station, description__contains="灯泡").order_by("pk").first()
    request_pk = story.pk if story else _first_pk(Request.objects.filter(station=station))
    details = [
        ("request-detail", "residents:request-detail", request_pk),
        ("resident-detail", "residents:resident-detail", _first_pk(Resident.objects.visible_to(user))),
        ("project-detail", "projects:project-detail", _first_pk(Project.objects.visible_to(user))),
        ("plan-detail", "projects:plan-detail", _first_pk(AnnualPlan.objects.visible_to(user))),
        ("fund-detail", "projects:fund-detail", _first_pk(CommunityFund.objects.visible_to(user))),
    ]
    # The demo always has requests and residents at 果园新村; the other records may be missing.
    assert request_pk and details[1][2], "the demo city has no request or resident at 果园新村"
    pages += [(name, reverse(url, args=[pk])) for name, url, pk in details if pk]
    community = Community.objects.filter(street__station=station).order_by("code").first()
    pages.append(("poster", reverse("public:poster", args=[community.code])))
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    pages.append(("report", reverse("reports:station", args=[station.pk, last_month.year, last_month.month])))
    return pages


def _district_pages(user):
    return [
        ("district-dashboard", reverse("dashboards:district", args=[user.district_id])),
        ("district-stations", reverse("stations:district-detail", args=[user.district_id])),
        ("plans-pending", reverse("projects:plan-pending")),
        ("district-reports", reverse("reports:index")),
    ]


def _city_pages(user):
    return [
        ("city-dashboard", reverse("dashboards:city")),
        ("city-districts", reverse("stations:district-list")),
    ]


def _auditor_pages(user):
    return [
        ("audit-changes", reverse("security:audit-changes")),
        ("audit-access", reverse("security:audit-access")),
        ("audit-logins", reverse("security:audit-logins")),
        ("audit-resident-lookup", reverse("security:audit-resident-lookup")),
        ("two-factor", reverse("security:two-factor-enrol")),
    ]


def _tour(page, pages, problems):
    for name, path in pages:
        response = page.goto(path)
        if response.status != 200:
            problems.append(f"{name} {path}: HTTP {response.status}")
            continue
        headings = page.locator("h1").count()
        if headings != 1:
            problems.append(f"{name} {path}: {headings} <h1> elements")
        skipped = page.evaluate(SKIPPED_HEADINGS)
        if skipped:
            problems.append(f"{name} {path}: heading levels skipped: {skipped}")
        width = page.viewport_size["width"]
        if width < 400:
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if overflow > width:
                culprits = page.evaluate(WIDEST, width)
                problems.append(f"{name} {path}: {overflow} px wide on a {width} px phone: {culprits}")
        try:
            check_a11y(page)
        except AssertionError as error:
            problems.append(f"{name}: {error}")
        shoot(page, name)
        if name in PRINTED and width > 400:
            page.emulate_media(media="print")
            shoot(page, f"{name}-print")
            page.emulate_media(media="screen")


@pytest.mark.parametrize(
    "username, pages_for",
    [
        ("xupengze", _station_pages),
        ("dc-120113", _district_pages),
        ("city", _city_pages),
        ("auditor", _auditor_pages),
    ],
    ids=["station", "district", "city", "auditor"],
)
def test_main_pages_on_the_demo_city(demo_city, phone, desktop, client, username, pages_for):
    user = User.objects.select_related("station").get(username=username)
    pages = pages_for(user)
    problems = []
    for page in (phone, desktop):
        log_in_quickly(page, client, user)
        _tour(page, pages, problems)
    assert not problems, "\n".join(problems)


def test_public_pages_on_the_demo_city(demo_city, phone, desktop):
    community = Community.objects.filter(street__station__code=GUOYUAN).order_by("code").first()
    assert Station.objects.filter(code=GUOYUAN).exists()
    problems = []
    for page in (phone, desktop):
        _tour(
            page,
            [
                ("public-intake", reverse("public:intake", args=[community.code])),
                ("public-status", reverse("public:status")),
                ("login", reverse("login")),
            ],
            problems,
        )
    assert not problems, "\n".join(problems)
