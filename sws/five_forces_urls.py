from django.urls import path

from sws import five_forces

app_name = "five_forces"

urlpatterns = [
    path("", five_forces.index, name="index"),
    path("station/<int:pk>/", five_forces.station_report, name="station"),
    path("station/<int:pk>/xlsx/", five_forces.station_xlsx, name="station-xlsx"),
    path("district/<int:pk>/", five_forces.district_report, name="district"),
    path("district/<int:pk>/xlsx/", five_forces.district_xlsx, name="district-xlsx"),
    path("city/", five_forces.city_report, name="city"),
    path("city/xlsx/", five_forces.city_xlsx, name="city-xlsx"),
]
