"""Templates ask the access module's predicates (`{% if roles.is_station_user %}`, from
stations.context_processors.roles), never compare roles themselves: a grep over every template."""

import re
from pathlib import Path

from stations import access
from stations.models import User

ROOT = Path(__file__).resolve().parent.parent.parent
# The project's templates and any app's own (bench/templates …).
TEMPLATE_DIRS = [ROOT / "templates", *(p for p in ROOT.glob("*/templates") if p.is_dir())]

ROLE_VALUES = "|".join(re.escape(value) for value in User.Role.values)
FORBIDDEN = [
    re.compile(r"\brole\s*(==|!=|\bin\b)"),  # {% if user.role == … %}
    re.compile(rf"""["']({ROLE_VALUES})["']"""),  # a role's value as a string
    re.compile(r"\buser\.(is_station_user|is_district_user|is_city_user|is_station_head|is_auditor)\b"),
]


def _templates():
    paths = sorted({path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")})
    assert len(paths) > 50  # the walk found the templates
    return [(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")) for path in paths]


def test_no_template_compares_role_strings():
    offending = [
        f"{name}: {match.group(0)}"
        for name, text in _templates()
        for pattern in FORBIDDEN
        for match in pattern.finditer(text)
    ]
    assert offending == []


def test_templates_ask_only_predicates_the_access_module_has():
    asked = {name for _, text in _templates() for name in re.findall(r"\broles\.(\w+)", text)}
    assert {"is_station_user", "sees_whole_city"} <= asked  # the projects lists, the district page
    assert asked <= set(access.PREDICATES)


def test_the_patterns_catch_what_they_forbid():
    for line in (
        "{% if user.role == 'station_head' %}",
        '{% if request.user.role != "admin" %}',
        "{% if user.is_station_user %}",
        "{% if user.is_city_user %}",
    ):
        assert any(pattern.search(line) for pattern in FORBIDDEN), line
    assert not any(pattern.search('<div role="alert">') for pattern in FORBIDDEN)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lists_offer_creating_to_station_staff_only(client, worker, district_user, city_user):
    from django.urls import reverse

    for name, create in [
        ("projects:project-list", "projects:project-create"),
        ("projects:fund-list", "projects:fund-create"),
        ("projects:partner-list", "projects:partner-create"),
        ("projects:group-list", "projects:team-create"),
        ("projects:resource-list", "projects:resource-create"),
        ("projects:activity-list", "projects:activity-create"),
    ]:
        url, link = reverse(name), f'href="{reverse(create)}"'
        assert link in _page(client, worker, url), name
        for reader in (district_user, city_user):
            assert link not in _page(client, reader, url), name


def test_the_district_page_leads_the_city_back_to_all_districts(client, beichen, district_user, city_user):
    from django.urls import reverse

    url = reverse("stations:district-detail", args=[beichen.pk])
    breadcrumb = f'<p class="breadcrumbs"><a href="{reverse("stations:district-list")}">全市各区</a>'
    assert breadcrumb in _page(client, city_user, url)
    assert breadcrumb not in _page(client, district_user, url)
