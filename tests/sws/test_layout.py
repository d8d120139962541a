"""The shared layout: base.html, the role navigation and the no-inline-code rule the CSP depends on."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sws.context_processors import _mark_current

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


def test_login_page_has_labelled_fields_and_no_navigation(client, db):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'id="site-nav"' not in html  # nobody logged in: no role navigation


def _render_base(user, session, messages=()):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    request.session = session
    storage = FallbackStorage(request)
    for level, text in messages:
        storage.add(level, text)
    request._messages = storage
    return render_to_string("base.html", request=request)


def test_logged_in_page_shows_role_and_logout(client, worker):
    html = _render_base(worker, client.session)

    assert "徐芃泽" in html and "站长" in html
    assert 'action="/logout/"' in html
    assert 'aria-controls="site-nav"' in html  # the phone menu button points at the navigation


def test_messages_are_announced_and_errors_are_alerts(client, worker):
    from django.contrib.messages import constants

    html = _render_base(
        worker, client.session, [(constants.SUCCESS, "已登记"), (constants.ERROR, "保存失败")]
    )

    assert '<div class="message message-success" role="status">已登记</div>' in html
    assert '<div class="message message-error" role="alert">保存失败</div>' in html


def test_current_nav_entry_is_the_longest_matching_prefix():
    items = [{"label": "工作台", "url": "/stations/5/"}, {"label": "年度方案", "url": "/stations/5/plan/"}]

    _mark_current(items, "/stations/5/plan/2026/")
    assert [i["current"] for i in items] == [False, True]

    _mark_current(items, "/stations/5/")
    assert [i["current"] for i in items] == [True, False]

    _mark_current(items, "/residents/")
    assert [i["current"] for i in items] == [False, False]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_ATTR = re.compile(r"\son(click|change|submit|load|input|keyup|keydown)\s*=", re.IGNORECASE)
HX_ON = re.compile(r"\shx-on[:-]", re.IGNORECASE)


def test_no_template_carries_inline_code_or_styles():
    """The Content-Security-Policy forbids inline script and style: JSON for charts goes via json_script."""
    offenders = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        # json_script output is <script type="application/json">, allowed by CSP; templates never write it.
        for pattern, what in [
            (INLINE_SCRIPT, "inline <script>"),
            (STYLE_BLOCK, "<style> block"),
            (STYLE_ATTR, 'style="" attribute'),
            (EVENT_ATTR, "on* event attribute"),
            (HX_ON, "hx-on (evaluated inline script)"),
        ]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES_DIR)}:{line}: {what}")
    assert offenders == []


def test_no_template_comment_spans_lines():
    """Django's {# #} comments are single-line: a multi-line one is printed on the page as text."""
    offenders = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.count("{#") > line.count("#}"):
                offenders.append(f"{path.relative_to(TEMPLATES_DIR)}:{number}")
    assert offenders == [], "use {% comment %}…{% endcomment %} for these"


def test_station_nav_lists_daily_pages_first_and_folds_the_rest(worker):
    from django.test import RequestFactory

    from sws.context_processors import navigation

    request = RequestFactory().get(reverse("residents:request-queue"))
    request.user = worker
    nav = navigation(request)

    primary = [item["label"] for item in nav["nav_items"] if not item["more"]]
    assert primary[:3] == ["概览", "队列", "登记"]
    assert "二维码海报" in [item["label"] for item in nav["nav_more"]]
    assert [item["label"] for item in nav["nav_items"] if item["current"]] == ["队列"]
    assert nav["nav_more_current"] is False


def test_every_role_reaches_its_dashboard_from_the_nav(worker, district_user, city_user):
    from django.test import RequestFactory

    from sws.context_processors import navigation

    for user, url in [
        (worker, reverse("dashboards:station", args=[worker.station_id])),
        (district_user, reverse("dashboards:district", args=[district_user.district_id])),
        (city_user, reverse("dashboards:city")),
    ]:
        request = RequestFactory().get("/")
        request.user = user
        assert navigation(request)["nav_items"][0]["url"] == url


def test_a_third_party_evaluator_is_shown_her_one_page(client, db):
    """The evaluator sees only her evaluations: the navigation offers them (it was empty) and nothing else."""
    from tests.sws import evaluation_factories as ef

    html = _render_base(ef.make_evaluator(), client.session)

    nav = html[html.index('id="site-nav"') :]
    assert 'href="/evaluations/"' in nav
    assert 'href="/reports/"' not in nav and 'href="/residents/' not in nav


@pytest.mark.parametrize("who", ["worker", "district_user", "city_user"])
def test_the_evaluations_are_in_the_navigation_of_those_who_take_part(client, who, request):
    """Stations respond to their evaluation and centres open them: both reach the list from the menu;
    a station reaches the partner registry it refers to, the centres the 五社联动 report."""
    html = _render_base(request.getfixturevalue(who), client.session)

    nav = html[html.index('id="site-nav"') :]
    assert 'href="/evaluations/"' in nav
    assert ('href="/partners/"' in nav) == (who == "worker")
    assert ('href="/five-forces/"' in nav) == (who != "worker")
