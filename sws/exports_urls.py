"""Downloads of the lists: /exports/requests.csv?…, /exports/residents.xlsx?… (see sws.list_exports)."""

from django.urls import path

import sws.converters  # noqa: F401  (registers <export:fmt>)
from sws import case_register, list_exports

app_name = "exports"

urlpatterns = [
    # The case register (个案台账): before the lists' pattern, which would take "cases.xlsx" for a list.
    path("cases.xlsx", case_register.case_register, name="case-register"),
    path("<slug:name>.<export:fmt>", list_exports.list_export, name="list"),
]
