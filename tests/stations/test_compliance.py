"""Staffing compliance: the database annotations agree with the Python rule at every boundary."""

import datetime

import pytest

from stations.models import (
    CertificationState,
    ComplianceIssue,
    Station,
    add_years,
    latest_start_due_by,
)
from tests import factories as f

D = datetime.date


def annotated(station, today):
    return Station.objects.with_compliance(today).get(pk=station.pk)


def sql_flags(station, today):
    """The issues as the database sees them, one `with_issue` query per issue."""
    return {
        issue
        for issue in ComplianceIssue
        if Station.objects.with_issue(issue, today).filter(pk=station.pk).exists()
    }


def assert_agree(station, today):
    python = set(annotated(station, today).compliance_flags(today))
    assert sql_flags(station, today) == python, today
    in_non_compliant = Station.objects.non_compliant(today).filter(pk=station.pk).exists()
    in_compliant = Station.objects.compliant(today).filter(pk=station.pk).exists()
    assert in_non_compliant == bool(python), today
    assert in_compliant == (not python), today
    return python


@pytest.fixture
def pair(guoyuan):
    """果园新村 with a certified head and a colleague who joined on 2023-03-15, uncertified."""
    head = f.make_user("head", "station_head", station=guoyuan)
    f.make_assignment(head, guoyuan, start_date=D(2023, 1, 10), is_head=True)
    f.make_certificate(head, issued_on=D(2020, 6, 1))
    colleague = f.make_user("colleague", "station_worker", station=guoyuan)
    f.make_assignment(colleague, guoyuan, start_date=D(2023, 3, 15))
    return guoyuan, colleague


def test_counts_active_and_certified_workers_once_each(pair):
    station, colleague = pair
    # A second certificate must not count the head twice; a past and a future posting do not count.
    head = station.assignments.get(is_head=True).user
    f.make_certificate(head, issued_on=D(2022, 6, 1), level="social_worker")
    former = f.make_user("former", "station_worker", station=station)
    f.make_certificate(former)
    f.make_assignment(former, station, start_date=D(2021, 9, 1), end_date=D(2022, 12, 31))
    newcomer = f.make_user("newcomer", "station_worker", station=station)
    f.make_assignment(newcomer, station, start_date=D(2024, 1, 1))

    s = annotated(station, D(2023, 6, 1))
    assert (s.active_workers, s.certified_workers) == (2, 1)
    assert s.earliest_uncertified_start == D(2023, 3, 15)
    assert s.certification_deadline == D(2025, 3, 15)
    assert s.compliance_flags(D(2023, 6, 1)) == []


def test_exactly_two_years_after_joining_is_the_last_day(pair):
    station, _ = pair
    deadline = D(2025, 3, 15)
    assert assert_agree(station, deadline) == {ComplianceIssue.DEADLINE_NEAR}
    assert assert_agree(station, deadline + datetime.timedelta(days=1)) == {ComplianceIssue.DEADLINE_PASSED}


def test_exactly_ninety_days_before_the_deadline_warns(pair):
    station, _ = pair
    deadline = D(2025, 3, 15)
    assert assert_agree(station, deadline - datetime.timedelta(days=90)) == {ComplianceIssue.DEADLINE_NEAR}
    assert assert_agree(station, deadline - datetime.timedelta(days=91)) == set()


def test_a_certificate_clears_the_deadline_from_its_date_on(pair):
    station, colleague = pair
    f.make_certificate(colleague, issued_on=D(2025, 2, 1))
    assert assert_agree(station, D(2025, 1, 31)) == {ComplianceIssue.DEADLINE_NEAR}
    assert assert_agree(station, D(2025, 2, 1)) == set()
    assert annotated(station, D(2025, 2, 1)).certified_workers == 2


@pytest.mark.parametrize("joined", [D(2024, 2, 29), D(2024, 2, 28), D(2024, 3, 1), D(2023, 3, 1)])
def test_database_and_python_agree_every_day_around_29_february(guoyuan, joined):
    head = f.make_user("head", "station_head", station=guoyuan)
    f.make_assignment(head, guoyuan, start_date=D(2023, 1, 10), is_head=True)
    f.make_certificate(head)
    colleague = f.make_user("colleague", "station_worker", station=guoyuan)
    f.make_assignment(colleague, guoyuan, start_date=joined)
    deadline = add_years(joined, 2)
    # Every day across both boundaries: the 90-day warning and the deadline itself.
    offsets = [*range(-93, -87), *range(-2, 3)]
    states = {n: assert_agree(guoyuan, deadline + datetime.timedelta(days=n)) for n in offsets}
    assert states[-91] == set()
    assert states[-90] == {ComplianceIssue.DEADLINE_NEAR}  # exactly 90 days before
    assert states[0] == {ComplianceIssue.DEADLINE_NEAR}  # the deadline itself
    assert states[1] == {ComplianceIssue.DEADLINE_PASSED}  # the day after


def test_29_february_joiner_is_due_on_28_february():
    assert add_years(D(2024, 2, 29), 2) == D(2026, 2, 28)
    # Both 28 and 29 February 2024 are due on 2026-02-28, so the latest start due by then is the 29th.
    assert latest_start_due_by(D(2026, 2, 28)) == D(2024, 2, 29)
    assert latest_start_due_by(D(2026, 2, 27)) == D(2024, 2, 27)
    assert latest_start_due_by(D(2028, 2, 29)) == D(2026, 2, 28)
    assert latest_start_due_by(D(2026, 3, 1)) == D(2024, 3, 1)


def test_understaffed_and_uncertified(guoyuan, jixianli):
    lone = f.make_user("lone", "station_head", station=guoyuan)
    f.make_assignment(lone, guoyuan, start_date=D(2023, 1, 10), is_head=True)
    today = D(2023, 6, 1)
    assert assert_agree(guoyuan, today) == {ComplianceIssue.UNDERSTAFFED, ComplianceIssue.NO_CERTIFIED}
    # No worker at all: understaffed and uncertified, but no deadline to speak of.
    assert assert_agree(jixianli, today) == {ComplianceIssue.UNDERSTAFFED, ComplianceIssue.NO_CERTIFIED}
    assert annotated(jixianli, today).certification_deadline is None


def test_assignment_certification_state(pair):
    station, colleague = pair
    assignment = station.assignments.get(user=colleague)
    assert assignment.certification_state(D(2024, 1, 1)) == CertificationState.PENDING
    assert assignment.certification_state(D(2025, 1, 1)) == CertificationState.NEAR
    assert assignment.certification_state(D(2025, 3, 16)) == CertificationState.PASSED
    f.make_certificate(colleague, issued_on=D(2025, 4, 1))
    assert assignment.certification_state(D(2025, 4, 1)) == CertificationState.CERTIFIED
    assert assignment.is_active_on(D(2025, 4, 1))
    assert not assignment.is_active_on(D(2023, 3, 14))
