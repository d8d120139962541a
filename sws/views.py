"""Pages that compose the apps: the home page sends each role to its place."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from stations import access


@login_required
def home(request):
    user = request.user
    if access.is_station_user(user):
        return redirect("dashboards:station", pk=user.station_id)
    if access.is_district_user(user):
        return redirect("dashboards:district", pk=user.district_id)
    if access.sees_whole_city(user):
        return redirect("dashboards:city")
    if access.is_auditor(user):
        return redirect("security:audit-changes")
    if access.is_reporter(user):
        return redirect("reporting:mine")
    if access.is_evaluator(user):
        return redirect("evaluation:list")
    return render(request, "home_no_scope.html", status=403)
