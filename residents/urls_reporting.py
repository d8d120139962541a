"""The reporters' pages: 上报需求 and 我上报的 (居委会 staff and volunteer reporters)."""

from django.urls import path

from residents import views_reporting

app_name = "reporting"

urlpatterns = [
    path("", views_reporting.my_reports, name="mine"),
    path("new/", views_reporting.report_create, name="new"),
]
