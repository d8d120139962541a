"""Staffing and coverage figures: certified workers per station or district, and the city's coverage by
stations and workrooms."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from stations.models import Assignment, CertificationState, Community, Street
from sws.dashboards.scope import Scope, _grouped, group_lookup


# --- staffing ---------------------------------------------------------------------------------------------
def workforce(scope: Scope, by: str, today: datetime.date | None = None) -> dict:
    """{group: {"workers", "certified", "deadline_near", "deadline_passed"}} of the active workers.

    One query returning one row per active assignment (a few hundred in the whole city, however much
    case data there is); each worker's state is the one rule (`stations.models.CertificationState.of`).
    """
    today = today or timezone.localdate()
    assignments = scope.narrow(Assignment.objects.active(today))
    key = group_lookup(assignments, by)
    rows = (
        assignments.annotate(
            certified=Count("user__certificates", filter=Q(user__certificates__issued_on__lte=today))
        )
        .order_by()
        .values_list(key, "start_date", "certified")
    )
    result = defaultdict(lambda: {"workers": 0, "certified": 0, "deadline_near": 0, "deadline_passed": 0})
    for group, start_date, certificates in rows:
        figures = result[group]
        figures["workers"] += 1
        state = CertificationState.of(certified=bool(certificates), start_date=start_date, today=today)
        if state == CertificationState.CERTIFIED:
            figures["certified"] += 1
        elif state == CertificationState.PASSED:
            figures["deadline_passed"] += 1
        elif state == CertificationState.NEAR:
            figures["deadline_near"] += 1
    return result


# --- coverage (municipal) ---------------------------------------------------------------------------------
def coverage(user) -> dict:
    """Streets with a station out of the 252 townships; committees with a workroom out of the committees of
    those townships (`CommunityQuerySet.coverage_base`, the one definition the districts page uses too).

    Two grouped queries, per district; the city totals are their sums.
    """
    streets = _grouped(
        Street.objects.visible_to(user).townships(),
        "district",
        streets=Count("pk"),
        covered=Count("pk", filter=Q(station__isnull=False)),
    )
    committees = _grouped(
        Community.objects.visible_to(user).coverage_base(),
        "district",
        committees=Count("pk"),
        workrooms=Count("pk", filter=Q(workroom_opened_on__isnull=False)),
    )
    per_district = defaultdict(lambda: {"streets": 0, "covered": 0, "committees": 0, "workrooms": 0})
    for part in (streets, committees):
        for district, values in part.items():
            per_district[district].update(values)
    totals = {
        k: sum(d[k] for d in per_district.values()) for k in ("streets", "covered", "committees", "workrooms")
    }
    return {"per_district": per_district, "totals": totals}
