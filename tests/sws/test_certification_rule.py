"""A worker's certification state has one source, `CertificationState.of` (stations.models): the model
method, the station's compliance flags, the workforce figures, the station dashboard and the monthly report
builder all follow it, so changing the rule changes every one of them."""

import datetime

import pytest
from django.urls import reverse

from stations.models import Assignment, CertificationState, Station, User
from sws.dashboards import queries as q
from sws.reports import builders
from tests import factories as f

TODAY = datetime.date(2026, 4, 10)  # tests/sws/conftest.py NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(frozen, guoyuan):
    """One worker in each state on TODAY (the station's own workers from tests/conftest.py aside)."""
    certified = f.make_user("certified", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(certified, guoyuan, start_date=datetime.date(2020, 1, 1))
    f.make_certificate(certified, issued_on=datetime.date(2021, 1, 1))
    near = f.make_user("near", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(near, guoyuan, start_date=datetime.date(2024, 7, 1))  # deadline in 82 days
    passed = f.make_user("passed", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(passed, guoyuan, start_date=datetime.date(2024, 4, 9))  # deadline yesterday
    pending = f.make_user("pending", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(pending, guoyuan, start_date=datetime.date(2025, 1, 1))
    return guoyuan


def _states(station):
    active = Assignment.objects.active(TODAY).filter(station=station).prefetch_related("user__certificates")
    return {a.user.username: a.certification_state(TODAY) for a in active}


def test_every_place_follows_the_one_rule(staff, city_user):
    states = _states(staff)
    assert {states[name] for name in ("certified", "near", "passed", "pending")} == set(CertificationState)

    figures = q.workforce(q.Scope(city_user), "station")[staff.pk]
    assert figures["certified"] == sum(s == CertificationState.CERTIFIED for s in states.values())
    assert figures["deadline_near"] == sum(s == CertificationState.NEAR for s in states.values())
    assert figures["deadline_passed"] == sum(s == CertificationState.PASSED for s in states.values())

    rows = {row["name"]: row for row in builders._workers(city_user, q.Scope(city_user), TODAY)}
    for assignment in Assignment.objects.active(TODAY).filter(station=staff).select_related("user"):
        row = rows[assignment.user.get_full_name()]
        certified = states[assignment.user.username] == CertificationState.CERTIFIED
        assert (row["certified"] != "未持证") == certified
        assert (row["deadline"] is None) == certified


def test_changing_the_rule_changes_the_figures_flags_and_dashboard(staff, city_user, client, monkeypatch):
    """Were any of them to restate the rule, it would not follow this change."""
    monkeypatch.setattr(
        CertificationState, "of", classmethod(lambda cls, **kwargs: CertificationState.PASSED)
    )
    figures = q.workforce(q.Scope(city_user), "station")[staff.pk]
    assert figures["deadline_passed"] == figures["workers"] and figures["certified"] == 0

    station = Station.objects.with_compliance(TODAY).get(pk=staff.pk)
    assert "持证期限已过" in [str(label) for label in station.compliance_issues(TODAY)]

    client.force_login(city_user)
    response = client.get(reverse("dashboards:station", args=[staff.pk]))
    assert response.status_code == 200
    assert all(worker["deadline_passed"] for worker in response.context["workers"])
