"""A report frozen as JSON (`freeze`) and brought back (`thaw`): what a submitted or approved monthly
report shows and exports, forever, whatever is recorded afterwards.

Everything the `Report` holds is kept: figures, summary rows, breakdowns, the side-by-side table, care,
supervision, casework, hotline, plan rows, workers (the names and certificates the report shows, nothing
more), issues and late entries. Values JSON cannot hold are tagged and restored to their types:
Decimal {"$decimal": "12.50"}, timedelta {"$seconds": 3600.0}, date {"$date": "2026-11-30"}, datetime
{"$datetime": …}, and the report's own objects (columns, rows, tables, plan rows, periods) {"$<kind>": …}.
Ints, floats, strings and None are stored as they are, so `snapshot["figures"]["received"]` is a plain
number; `thaw_value(snapshot["figures"])` gives back the very dict `Report.figures` held.
"""

import dataclasses
import datetime
import enum
from decimal import Decimal
from types import SimpleNamespace

from django.utils.functional import Promise

from projects.progress import ProgressRow
from sws.dashboards.attention import Reason
from sws.dashboards.periods import Period
from sws.dashboards.tables import Column, Row, Table
from sws.reports.builders import Report

SNAPSHOT_VERSION = 1
_FIELDS = [f.name for f in dataclasses.fields(Report)]


def freeze(report: Report) -> dict:
    """The report as a JSON-ready dict (one key per field of `Report`, plus the format's version)."""
    frozen = {name: _encode(getattr(report, name)) for name in _FIELDS}
    frozen["format"] = SNAPSHOT_VERSION
    return frozen


def thaw(snapshot: dict) -> Report:
    """The `Report` a snapshot was frozen from: the page, the print and the XLSX render it as they would
    the live one."""
    values = {name: thaw_value(snapshot.get(name)) for name in _FIELDS if name in snapshot}
    return Report(**values)


def thaw_value(value):
    return _decode(value)


# --- encoding ----------------------------------------------------------------------------------------


def _encode(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime.timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Period):
        return {"$period": [value.kind, value.first_day.isoformat(), value.last_day.isoformat()]}
    if isinstance(value, Column):
        return {"$column": _fields(value)}
    if isinstance(value, Table):
        return {
            "$table": {
                "columns": _encode(value.columns),
                "rows": [_encode(row) for row in value.rows],
                "totals": _encode(value.totals),
                "sort": value.sort,
            }
        }
    if isinstance(value, Row):
        return {
            "$row": {
                "key": value.key,
                "name": value.name,
                "url": value.url,
                "figures": _encode(value.figures),
                "attention": _encode(value.attention),
            }
        }
    if isinstance(value, ProgressRow):
        return {"$plan_row": _fields(value)}
    if isinstance(value, Reason):
        return {"$reason": _fields(value)}
    if dataclasses.is_dataclass(value):
        return {"$object": _fields(value)}
    return str(value)  # anything else is shown by its text (a staffing issue's label)


def _fields(obj) -> dict:
    return {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


# --- decoding ----------------------------------------------------------------------------------------

_SCALAR_TAGS = {
    "$decimal": Decimal,
    "$seconds": lambda v: datetime.timedelta(seconds=v),
    "$date": datetime.date.fromisoformat,
    "$datetime": datetime.datetime.fromisoformat,
}


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag in _SCALAR_TAGS:
            return _SCALAR_TAGS[tag](inner)
        if tag == "$period":
            kind, first, last = inner
            return Period(kind, datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))
        if tag == "$column":
            return Column(**inner)
        if tag == "$table":
            return Table(
                columns=_decode(inner["columns"]),
                rows=[_decode(r) for r in inner["rows"]],
                totals=_decode(inner["totals"]),
                sort=inner.get("sort", ""),
            )
        if tag == "$row":
            return Row(**{k: _decode(v) for k, v in inner.items()})
        if tag == "$plan_row":
            return ProgressRow(**{k: _decode(v) for k, v in inner.items()})
        if tag == "$reason":
            return Reason(**inner)
        if tag == "$object":
            return SimpleNamespace(**{k: _decode(v) for k, v in inner.items()})
    return {k: _decode(v) for k, v in value.items()}
