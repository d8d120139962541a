"""Template filters of the dashboards and reports: figures read the same on the page and in exports."""

from django import template

from residents.deadlines import readable_duration
from sws.dashboards.tables import Column

register = template.Library()

_KINDS = {kind: Column("", "", kind) for kind in ("int", "money", "hours", "share", "text")}


@register.filter
def show(value, column):
    """`{{ value|show:column }}`, or with a kind name: `{{ value|show:"money" }}`."""
    if isinstance(column, str):
        column = _KINDS[column]
    return column.display(value)


@register.filter
def on_page(value, column):
    """`show` for a page: a duration reads "9.4 天" (hours under a day) where the exports keep hours, so
    a heading shows without its "（小时）" (`|cut:"（小时）"`)."""
    if isinstance(column, str):
        column = _KINDS[column]
    if column.kind == "hours":
        return readable_duration(value)
    return column.display(value)


@register.filter
def care_value(row, column):
    """A row of the care figures' per-unit table (figures.care_figures), as the page shows it."""
    return on_page(row.get(column.key), column)


# The figures a comparison card shows on a phone; the rest are behind 更多指标 (sws.css, _compare_table).
KEY_COLUMNS = {
    "received",
    "overdue",
    "satisfaction",
    "compliance",
    "stations",
    "street_coverage",
    "certified_share",
}


@register.filter
def is_key(column) -> bool:
    return column.key in KEY_COLUMNS


@register.filter
def sort_value(value):
    """A number for client-side sorting (data-sort); blanks sort last."""
    if value is None or value == "":
        return ""
    if hasattr(value, "total_seconds"):
        return value.total_seconds()
    return value
