from django.urls import path

from sws.reports import cycle_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("station/<int:pk>/<int:year>/<int:month>/", views.station_report, name="station"),
    path("station/<int:pk>/<int:year>/<int:month>.xlsx", views.station_report_xlsx, name="station-xlsx"),
    path("station/<int:pk>/<int:year>/<int:month>/cycle/", cycle_views.station_cycle, name="station-cycle"),
    path("district/<int:pk>/<int:year>/<int:month>/", views.district_report, name="district"),
    path("district/<int:pk>/<int:year>/<int:month>.xlsx", views.district_report_xlsx, name="district-xlsx"),
    path(
        "district/<int:pk>/<int:year>/<int:month>/cycle/", cycle_views.district_cycle, name="district-cycle"
    ),
    path("city/<int:year>/<int:month>/", views.city_report, name="city"),
    path("city/<int:year>/<int:month>.xlsx", views.city_report_xlsx, name="city-xlsx"),
    path("city/<int:year>/<int:month>/cycle/", cycle_views.city_cycle, name="city-cycle"),
    # 月报报送: who has submitted what
    path("submissions/district/<int:pk>/", cycle_views.district_submissions, name="district-submissions"),
    path("submissions/city/", cycle_views.city_submissions, name="city-submissions"),
    # 补录: late-entry requests and the district's decisions
    path("late-entries/", cycle_views.late_entries, name="late-entries"),
    path("late-entries/<int:pk>/decide/", cycle_views.late_entry_decide, name="late-entry-decide"),
]
