"""URL converters shared by the dashboards' and reports' URL modules."""

from django.urls import register_converter


class ExportFormat:
    """`csv` or `xlsx`, the two download formats of every table."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export")
