"""Pages of the stations app: a station, a district's stations, and the city's districts.

Thin function views: scope comes from `stations.access` (outside it is a 404), the data from named
querysets, so each page runs the same handful of queries whatever the size of the city.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from stations import access
from stations.filters import StationFilter
from stations.models import (
    DEADLINE_WARNING_DAYS,
    WORKROOM_COVERAGE_DEFINITION,
    CertificationState,
    District,
    Station,
    Street,
)


@login_required
def station_detail(request, pk):
    today = timezone.localdate()
    station = access.get_visible_or_404(Station.objects.for_detail_page(today), request.user, pk=pk)
    assignments = list(station.assignments.all())
    current = [a for a in assignments if a.is_active_on(today)]
    for assignment in current:
        assignment.state = assignment.certification_state(today)
        if assignment.state != CertificationState.CERTIFIED:
            assignment.days_left = (assignment.certification_deadline - today).days
    streets = list(station.streets.all())
    communities = [c for street in streets for c in street.communities.all()]
    contract_days_left = (station.contract_end - today).days if station.contract_end else None
    return render(
        request,
        "stations/station_detail.html",
        {
            "station": station,
            "flags": station.compliance_flags(today),
            "current": current,
            "upcoming": [a for a in assignments if a.start_date > today],
            "former": [a for a in assignments if a.end_date and a.end_date < today],
            "streets": streets,
            "community_count": len(communities),
            "workroom_count": sum(1 for c in communities if c.has_workroom),
            "contract_days_left": contract_days_left,
            "warning_days": DEADLINE_WARNING_DAYS,
            "can_see_district": access.is_district_user(request.user) or access.sees_whole_city(request.user),
            "today": today,
        },
    )


@login_required
def district_detail(request, pk):
    today = timezone.localdate()
    district = access.get_visible_or_404(District.objects.with_coverage(), request.user, pk=pk)
    stations = Station.objects.visible_to(request.user).filter(district=district).for_list(today)
    station_filter = StationFilter(request.GET, queryset=stations, today=today)
    all_rows = _with_flags(stations, today)
    # Unfiltered, the table is the district's stations: no second query.
    rows = _with_flags(station_filter.qs, today) if request.GET.get("compliance") else all_rows
    context = {
        "district": district,
        "filter": station_filter,
        "rows": rows,
        "summary": _summary(all_rows),
        "uncovered": Street.objects.townships().filter(district=district, station__isnull=True),
        "workroom_share": _share(district.n_workrooms, district.n_committees),
        "today": today,
    }
    if request.headers.get("HX-Request"):
        return render(request, "stations/_station_table.html", context)
    return render(request, "stations/district_detail.html", context)


@login_required
@access.role_required(access.sees_whole_city)
def district_list(request):
    today = timezone.localdate()
    districts = list(District.objects.visible_to(request.user).with_coverage())
    rows = _with_flags(Station.objects.visible_to(request.user).with_compliance(today), today)
    per_district = {d.pk: [] for d in districts}
    for station in rows:
        per_district.setdefault(station.district_id, []).append(station)
    for district in districts:
        district.summary = _summary(per_district[district.pk])
    totals = {
        key: sum(getattr(d, key) for d in districts)
        for key in ("n_stations", "n_townships", "n_covered", "n_committees", "n_workrooms")
    }
    totals["workroom_share"] = _share(totals["n_workrooms"], totals["n_committees"])
    return render(
        request,
        "stations/district_list.html",
        {
            "districts": districts,
            "totals": totals,
            "summary": _summary(rows),
            "today": today,
            "workroom_definition": WORKROOM_COVERAGE_DEFINITION,
        },
    )


def _with_flags(stations, today):
    rows = list(stations)
    for station in rows:
        station.flags = station.compliance_flags(today)
    return rows


def _share(part, whole):
    return part * 100 / whole if whole else 0


def _summary(stations):
    """Workforce and compliance figures over stations annotated by `with_compliance`."""
    return {
        "stations": len(stations),
        "workers": sum(s.active_workers for s in stations),
        "certified": sum(s.certified_workers for s in stations),
        "non_compliant": sum(1 for s in stations if s.flags),
        "understaffed": sum(1 for s in stations if s.active_workers < 2),
    }
