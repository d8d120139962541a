"""Supervision coverage (督导覆盖): how many supervision sessions each station had in the period, which
stations had none, and the action items still open, of a district (a row per station) or of the city (a
row per district). Called from `figures.supervision_figures`, never from a view.

- 本期督导（次） sessions: supervision sessions dated in the period;
- 已督导社工站 / 社工站 (supervised / stations): stations with at least one session in the period, of the
  unit's stations; 督导覆盖率 coverage = supervised / stations;
- 未完成改进事项 / 其中逾期 (items_open / items_overdue): action items not done, as they stand today
  (the page says so), of sessions up to the period's last day.

One query whatever the data or the number of stations (the dashboards' query budgets are tight).
"""

import datetime

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from casework.models import SupervisionActionItem, SupervisionSession
from sws.dashboards import queries as q
from sws.dashboards.periods import Period

SUPERVISION_ROWS = [
    ("sessions", "本期督导（次）", "int"),
    ("supervised", "本期已督导社工站", "int"),
    ("stations", "社工站", "int"),
    ("coverage", "督导覆盖率", "share"),
    ("items_open", "当前未完成改进事项", "int"),
    ("items_overdue", "其中已逾期", "int"),
]
ADDITIVE = ["sessions", "supervised", "stations", "items_open", "items_overdue"]
EMPTY = dict.fromkeys(ADDITIVE, 0)


def _count(queryset, station_ref="station"):
    """A correlated count per station (a subquery), 0 when none."""
    counted = queryset.filter(**{station_ref: OuterRef("pk")}).order_by().values(station_ref)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def station_rows(user, period: Period, stations, today: datetime.date) -> list[dict]:
    """One row per station of `stations` (code order) with its figures: a single query, whatever the
    number of stations or sessions (each figure a correlated count)."""
    sessions = SupervisionSession.objects.visible_to(user).filter(
        date__gte=period.first_day, date__lte=period.last_day
    )
    items = SupervisionActionItem.objects.visible_to(user).filter(
        done_on__isnull=True, session__date__lte=period.last_day
    )
    rows = (
        stations.order_by("code")
        .annotate(
            n_sessions=_count(sessions),
            n_open=_count(items, "session__station"),
            n_overdue=_count(items.filter(due_on__lt=today), "session__station"),
        )
        .values(
            "pk",
            "name",
            "district_id",
            "district__name",
            "district__code",
            "n_sessions",
            "n_open",
            "n_overdue",
        )
    )
    return [
        {
            "pk": row["pk"],
            "name": row["name"],
            "district": (row["district__code"], row["district_id"], row["district__name"]),
            **complete(
                {
                    "sessions": row["n_sessions"],
                    "supervised": 1 if row["n_sessions"] else 0,
                    "stations": 1,
                    "items_open": row["n_open"],
                    "items_overdue": row["n_overdue"],
                }
            ),
        }
        for row in rows
    ]


def by_district(rows: list[dict]) -> list[dict]:
    """The stations' rows summed per district (code order)."""
    groups = {}
    for row in rows:
        groups.setdefault(row["district"], []).append(row)
    return [{"pk": pk, "name": name, **summed(group)} for (_code, pk, name), group in sorted(groups.items())]


def complete(figures: dict) -> dict:
    figures["coverage"] = q.ratio(figures["supervised"], figures["stations"])
    return figures


def summed(rows) -> dict:
    total = dict(EMPTY)
    for row in rows:
        for key in ADDITIVE:
            total[key] += row[key]
    return complete(total)
