from django.urls import path

import sws.converters  # noqa: F401  (registers <export:fmt>)
from sws.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("station/<int:pk>/", views.station_dashboard, name="station"),
    path("station/<int:pk>/figures.<export:fmt>", views.station_export, name="station-export"),
    path("district/<int:pk>/", views.district_dashboard, name="district"),
    path("district/<int:pk>/stations.<export:fmt>", views.district_export, name="district-export"),
    path("city/", views.city_dashboard, name="city"),
    path("city/districts.<export:fmt>", views.city_export, name="city-export"),
]
