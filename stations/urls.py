from django.urls import path

from stations import views

app_name = "stations"

urlpatterns = [
    path("<int:pk>/", views.station_detail, name="station-detail"),
    path("districts/", views.district_list, name="district-list"),
    path("districts/<int:pk>/", views.district_detail, name="district-detail"),
]
