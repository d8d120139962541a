"""Casework pages. Each part of the work keeps its routes in its own module, included here."""

from django.urls import include, path

from casework.views import cases

app_name = "casework"

urlpatterns = [
    path("<int:pk>/", cases.case_detail, name="case-detail"),
    path("", include("casework.urls_intake")),
    path("", include("casework.urls_closure")),
    path("", include("casework.urls_supervision")),
    path("", include("casework.urls_records")),
    path("", include("casework.urls_transfers")),
]
