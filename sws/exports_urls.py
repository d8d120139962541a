"""Downloads of the lists: /exports/requests.csv?…, /exports/residents.xlsx?… (see sws.list_exports)."""

from django.urls import path

import sws.converters  # noqa: F401  (registers <export:fmt>)
from sws import list_exports

app_name = "exports"

urlpatterns = [
    path("<slug:name>.<export:fmt>", list_exports.list_export, name="list"),
]
