"""Casework's aggregate figures (个案管理): open cases by stage and risk, what waits for approval, overdue
tasks, average time per stage and goal attainment.

Counts, never records: the figures are read by station (whatever the confidentiality rule lets one user
open), so the station's head and workers, the district centre and the municipal centre see how many cases
there are, not whose. Called from `figures.casework_figures`, never from a view.

Figures of a period:
- 本期新开个案 (opened): cases opened (接案) in the period; 本期结案 (closed): cases closed in it;
- 平均停留时长 (stage durations): for each stage move in the period (a timeline event with a from-stage
  and a to-stage), the time since the case's previous stage move (or its opening), averaged per stage left;
- 目标达成 (goal attainment): the goals judged in evaluations written in the period, by attainment.
As it stands now (the page says so): open cases by stage and risk, plans awaiting the head's approval,
closures awaiting the head's approval or the district supervisor's sign-off, overdue tasks.

Each query groups by station or district (or not at all): a fixed number of queries whatever the data.
"""

import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from casework.models import Case, CaseEvent, CasePlan, CaseTask, Closure, Goal, GoalAttainment
from stations.models import Station
from sws.dashboards import queries as q
from sws.dashboards.periods import Period

CASE_ROWS = [
    ("opened", "本期新开个案", "int"),
    ("closed", "本期结案", "int"),
    ("open", "当前在办个案", "int"),
    ("high_risk", "其中高风险", "int"),
    ("plans_pending", "待审批服务计划", "int"),
    ("closures_pending_head", "待站长批准结案", "int"),
    ("closures_pending_district", "待区督导签批结案", "int"),
    ("overdue_tasks", "当前逾期待办", "int"),
    ("goals_judged", "本期评估目标", "int"),
    ("goals_met", "其中完全达成", "int"),
    ("goals_partly", "其中部分达成", "int"),
    ("goal_attainment", "目标完全达成率", "share"),
]
OPEN_STAGES = [stage for stage in Case.Stage if stage not in Case.ENDED_STAGES]
# Open cases by stage and risk, counted in the same query as the rest (one cell a key).
CELLS = {
    (stage.value, risk.value): f"open_{stage.value}_{risk.value}"
    for stage in OPEN_STAGES
    for risk in Case.Risk
}
ADDITIVE = [key for key, _label, kind in CASE_ROWS if kind == "int"] + list(CELLS.values())
EMPTY = dict.fromkeys(ADDITIVE, 0)
# The stages a case spends time in before moving on (the ended ones are left only by reopening).
TIMED_STAGES = [*OPEN_STAGES, Case.Stage.CLOSED]


def stations_of(scope: q.Scope):
    """The scope's stations the user sees (cases are counted by station, not by reader): a district's as
    the list of its station ids (`Scope.station_ids`, read once per dashboard), which lets PostgreSQL read
    each station's cases by index; as a subquery, it hashed every case in the city (~8 ms a query at
    1,000,000 requests, docs/performance.md)."""
    stations = Station.objects.visible_to(scope.user)
    if scope.station is not None:
        return stations.filter(pk=scope.station.pk).values("pk")
    if scope.district is not None:
        return scope.station_ids
    return stations.values("pk")


def _narrow(scope: q.Scope, queryset, station: str):
    return queryset.filter(**{f"{station}__in": stations_of(scope)})


def _grouped(queryset, station: str, by: str | None, **aggregates) -> dict:
    if by is None:
        return {None: queryset.aggregate(**aggregates)}
    key = station if by == "station" else f"{station}__district"
    return {row.pop(key): row for row in queryset.order_by().values(key).annotate(**aggregates)}


def case_counts(scope: q.Scope, period: Period, by: str | None, today: datetime.date) -> dict:
    """{station or district pk (None for the scope): figures}, five queries whatever the data."""
    cases = _narrow(scope, Case.objects.all(), "station")
    ended = Q(stage__in=Case.ENDED_STAGES)
    parts = [
        _grouped(
            cases,
            "station",
            by,
            opened=Count("pk", filter=q.in_period("opened_at", period)),
            closed=Count("pk", filter=q.in_period("closed_at", period) & Q(stage=Case.Stage.CLOSED)),
            open=Count("pk", filter=~ended),
            high_risk=Count("pk", filter=~ended & Q(risk=Case.Risk.HIGH)),
            **{key: Count("pk", filter=Q(stage=stage, risk=risk)) for (stage, risk), key in CELLS.items()},
        ),
        _grouped(
            _narrow(scope, CasePlan.objects.filter(status=CasePlan.Status.SUBMITTED), "case__station"),
            "case__station",
            by,
            plans_pending=Count("pk"),
        ),
        _grouped(
            _narrow(scope, Closure.objects.all(), "case__station"),
            "case__station",
            by,
            closures_pending_head=Count("pk", filter=Q(status=Closure.Status.PENDING_HEAD)),
            closures_pending_district=Count("pk", filter=Q(status=Closure.Status.PENDING_DISTRICT)),
        ),
        _grouped(
            _narrow(scope, CaseTask.objects.overdue(today), "case__station"),
            "case__station",
            by,
            overdue_tasks=Count("pk"),
        ),
        _grouped(
            _narrow(scope, GoalAttainment.objects.all(), "evaluation__case__station").filter(
                q.in_period("evaluation__created_at", period)
            ),
            "evaluation__case__station",
            by,
            goals_judged=Count("pk"),
            goals_met=Count("pk", filter=Q(attainment=Goal.Attainment.MET)),
            goals_partly=Count("pk", filter=Q(attainment=Goal.Attainment.PARTLY)),
        ),
    ]
    rows = {}
    for key in set().union(*parts):
        figures = dict(EMPTY)
        for part in parts:
            figures.update({k: v or 0 for k, v in part.get(key, {}).items()})
        rows[key] = complete(figures)
    if by is None and None not in rows:
        rows[None] = complete(dict(EMPTY))
    return rows


def complete(figures: dict) -> dict:
    figures["goal_attainment"] = q.ratio(figures["goals_met"], figures["goals_judged"])
    return figures


def summed(rows) -> dict:
    total = dict(EMPTY)
    for row in rows:
        for key in ADDITIVE:
            total[key] += row[key]
    return complete(total)


def stage_risk_matrix(figures: dict) -> list[dict]:
    """Open cases by stage (rows) and risk (columns), as they stand now, from the figures' cells."""
    rows = []
    for stage in OPEN_STAGES:
        cells = [figures[CELLS[stage.value, risk.value]] for risk in Case.Risk]
        rows.append({"label": str(stage.label), "stage": stage.value, "cells": cells, "total": sum(cells)})
    return rows


def stage_durations(scope: q.Scope, period: Period) -> list[dict]:
    """The average time cases spent in each stage, over the stage moves of the period: one query.

    A move's time in its from-stage runs from the case's previous stage move (or its opening) to the move.
    """
    moves = CaseEvent.objects.exclude(from_stage="").exclude(to_stage="")
    previous = moves.filter(case=OuterRef("case"), at__lt=OuterRef("at")).order_by("-at", "-pk")
    since = Coalesce(Subquery(previous.values("at")[:1]), F("case__opened_at"))
    spent = ExpressionWrapper(F("at") - since, output_field=DurationField())
    rows = (
        _narrow(scope, moves, "case__station")
        .filter(q.in_period("at", period))
        .order_by()
        .values("from_stage")
        .annotate(moves=Count("pk"), average=Avg(spent))
    )
    by_stage = {row["from_stage"]: row for row in rows}
    return [
        {
            "label": str(stage.label),
            "stage": stage.value,
            "moves": by_stage.get(stage.value, {}).get("moves", 0),
            "average": _duration(by_stage.get(stage.value, {}).get("average")),
        }
        for stage in TIMED_STAGES
    ]


def _duration(value):
    """Avg of a duration: a timedelta on PostgreSQL, microseconds on SQLite."""
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=value)
