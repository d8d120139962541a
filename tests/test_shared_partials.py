"""One home for the form-field and pagination partials (templates/_partials/), and list templates of the
residents and projects apps that name no URL of the sws app (their export links come from sws's context
processor)."""

import re
from pathlib import Path

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _page(number, count=60, per_page=25):
    return Paginator(list(range(count)), per_page).get_page(number)


def test_one_field_and_one_pagination_partial():
    names = {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("_*.html")}
    assert {n for n in names if n.endswith(("/_field.html", "/_pagination.html"))} == {
        "_partials/_field.html",
        "_partials/_pagination.html",
    }


def test_page_links_keep_the_filters_and_name_the_page_parameter():
    request = RequestFactory().get("/projects/groups/", {"q": "维修", "tpage": "2", "opage": "1"})
    html = render_to_string(
        "_partials/_pagination.html", {"page": _page(2), "param": "tpage"}, request=request
    )
    assert 'href="?q=%E7%BB%B4%E4%BF%AE&amp;tpage=1&amp;opage=1"' in html
    assert 'href="?q=%E7%BB%B4%E4%BF%AE&amp;tpage=3&amp;opage=1"' in html
    assert 'aria-label="分页"' in html and "2 / 3" in html


def test_page_links_default_to_page_and_take_a_label():
    request = RequestFactory().get("/audit/residents/1/", {"changes_page": "2"})
    html = render_to_string(
        "_partials/_pagination.html",
        {"page": _page(1), "param": "access_page", "aria_label": "访问记录分页"},
        request=request,
    )
    assert 'href="?changes_page=2&amp;access_page=2"' in html
    assert '<span class="disabled">上一页</span>' in html and 'aria-label="访问记录分页"' in html
    plain = render_to_string("_partials/_pagination.html", {"page": _page(3)}, request=request)
    assert 'href="?changes_page=2&amp;page=2"' in plain


def test_no_single_page_navigation():
    request = RequestFactory().get("/")
    assert (
        render_to_string("_partials/_pagination.html", {"page": _page(1, count=3)}, request=request).strip()
        == ""
    )


def test_residents_and_projects_templates_name_no_url_of_sws():
    # "reporting" is the residents app's own namespace (the reporters' pages, residents/urls_reporting.py).
    own = {"residents", "reporting", "public", "projects", "stations", "admin"}
    for folder in ("residents", "projects"):
        for path in (TEMPLATES / folder).rglob("*.html"):
            namespaces = set(re.findall(r"{% url ['\"](\w+):", path.read_text()))
            assert namespaces <= own, (path, namespaces - own)
