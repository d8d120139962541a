from django.urls import path

from sws.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("station/<int:pk>/<int:year>/<int:month>/", views.station_report, name="station"),
    path("station/<int:pk>/<int:year>/<int:month>.xlsx", views.station_report_xlsx, name="station-xlsx"),
    path("district/<int:pk>/<int:year>/<int:month>/", views.district_report, name="district"),
    path("district/<int:pk>/<int:year>/<int:month>.xlsx", views.district_report_xlsx, name="district-xlsx"),
    path("city/<int:year>/<int:month>/", views.city_report, name="city"),
    path("city/<int:year>/<int:month>.xlsx", views.city_report_xlsx, name="city-xlsx"),
]
