"""Casework routes: the printable case file (the XLSX case register is an export: sws/case_register.py)."""

from django.urls import path

from casework.views import records

urlpatterns = [
    path("<int:pk>/file/", records.case_file, name="case-file"),
]
