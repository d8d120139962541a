"""The daily per-station rollup (`sws.models.StationDay`): the additive figures of the district and city
dashboards and the live reports, kept per station and day so that a page sums a few hundred rows per
day of its period instead of counting the scope's requests, activities and resources.

What it holds: requests received; resolved (and still resolved or closed), resolved on time and the sum
of their resolution times (the mean is sum ÷ count); follow-ups closed with a satisfaction answer and of
them satisfied; activities, their sessions and person-times; casework service records (sessions) and
their person-times; resources in yuan and of them money; the care programme's visits (met, nobody home,
met on time), under the station now serving the resident's community. Each keyed by the day of the
timestamp or date it is counted by (Asia/Shanghai): `received_at`, `resolved_at`, `closed_at`, `date`,
`visited_on`.

What it does not hold, and why:
- the queue as it stands now (open, overdue, unassigned): counted live from the partial index of open
  requests, a few thousand rows in the whole city whatever its age;
- the median resolution time: not additive. Counted live by `queries.median_durations` over the period's
  resolved requests (an index-only window query; measured in docs/performance.md), which a rollup could
  only replace with per-day duration histograms, an approximation;
- the visit programme's plans (distinct residents covered in a period, plans as they stand), teams and
  organisations founded by a day, projects active now, plan progress: not per-day sums.

How it is read (`period_figures`): the period's days up to `RollupState.rolled_through` from the rollup,
the days after it (today, yesterday) live from the base tables with the same queries as before, one day
or two of rows. With no rollup built every day is live, so a fresh database (or one whose rollup is
being rebuilt) shows the same figures, only slower.

How it is kept, incrementally, never recomputed as a whole:
- nightly (`roll_up`, the `rollup-days` job): the days after `rolled_through` up to two days before
  today, counted once from the base tables; `rolled_through` moves on. Two days, not one, so that a write
  dated today or yesterday never needs the rollup (the common case costs writers nothing);
- every write that changes a figure of a day the rollup already holds (a request reopened, transferred,
  given a new deadline; an activity, resource or service record entered late under the monthly lock's
  permit or moved to another date) calls `touch` with the (station, day) pairs it changed, old and new,
  in its own transaction: those rows are counted again from the base tables (a station's day: a handful
  of rows, by index) before the write commits, under a lock on `RollupState` that the nightly job also
  takes, so a day is never rolled while a write to it is in flight and two late writes cannot overwrite
  each other's recount. The write paths: `residents.services.requests` (every workflow step), request
  transfers, hotline deadline changes, and the models' save/delete (`sws.apps` connects the signals for
  requests created, activities, resources, service records and visits);
- a visit counts under its resident's station, which is not stored on the visit (visits are append-only):
  a resident moved to another community recounts the days of their visits at both stations (the signal
  sent by `residents.models.visits.follow_community`), and a community given to another street or
  streets to another station recount the stations' whole history (`restate`: the community and street
  admin's saves, and `stations.services.set_served_streets` through `stations.figures.restated`; rare);
- `manage.py rollup_build` builds it from scratch (an existing database, the benchmark's seeded city, and
  `seed_demo`, whose bulk inserts bypass the signals), month by month with progress.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from casework.models import ServiceRecord
from projects.models import Activity, Resource
from residents.models import Request, Resident, Visit
from sws.dashboards import queries as q
from sws.dashboards.periods import Period, add_months, month_end
from sws.models import RollupState, StationDay

LAG_DAYS = 2  # the rollup holds days up to two before today; today's and yesterday's writes skip it

COUNTS = [
    "received", "resolved", "resolved_on_time", "rated", "satisfied", "activities", "activity_sessions",
    "activity_person_times", "casework_sessions", "casework_person_times",
]  # fmt: skip
MONEY = ["resources_total", "resources_money"]
FIGURES = [*COUNTS, "resolution_time", *MONEY]
# The care programme's visits: kept alongside, read by sws/dashboards/visits.py (`visit_sums`).
VISITS = ["visits_seen", "visits_failed", "visits_on_time"]
ZERO = {
    **dict.fromkeys(COUNTS, 0),
    "resolution_time": datetime.timedelta(),
    **dict.fromkeys(MONEY, q.ZERO),
    **dict.fromkeys(VISITS, 0),
}
VISIT_STATION = "resident__community__street__station"


# --- the rollup's extent --------------------------------------------------------------------------------
def rolled_through() -> datetime.date | None:
    """The last day the rollup holds (None: not built)."""
    return RollupState.objects.values_list("rolled_through", flat=True).first()


def split(period: Period, through: datetime.date | None) -> tuple[Period | None, Period | None]:
    """(the period's days read from the rollup, the days counted live); either may be None."""
    if through is None or through < period.first_day:
        return None, period
    if through >= period.last_day:
        return period, None
    after = through + datetime.timedelta(days=1)
    return Period.custom(period.first_day, through), Period.custom(after, period.last_day)


# --- counting days from the base tables ------------------------------------------------------------------
def _local_day(field_name):
    return TruncDate(field_name, tzinfo=timezone.get_default_timezone())


def count_days(first_day: datetime.date, last_day: datetime.date, station_ids=None) -> dict:
    """{(station_id, day): figures} counted from the base tables for the days (and stations) given: seven
    grouped queries, each over one indexed date range."""
    bounds = Period.custom(first_day, last_day)
    rows = defaultdict(lambda: dict(ZERO))

    def add(queryset, day, station="station_id", **aggregates):
        if station_ids is not None:
            queryset = queryset.filter(**{f"{station}__in": station_ids})
        grouped = queryset.annotate(d=day).order_by().values(station, "d")
        for row in grouped.annotate(**aggregates):
            key = (row.pop(station), row.pop("d"))
            rows[key].update({name: value for name, value in row.items() if value is not None})

    requests = Request.objects.all()
    add(requests.filter(q.in_period("received_at", bounds)), _local_day("received_at"), received=Count("*"))
    add(
        q.resolved_in(requests, bounds),
        _local_day("resolved_at"),
        resolved=Count("pk"),
        resolved_on_time=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
        resolution_time=Sum(q.RESOLUTION_TIME),
    )
    add(
        requests.filter(q.in_period("closed_at", bounds)).exclude(satisfaction=""),
        _local_day("closed_at"),
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction__in=q.SATISFIED_ANSWERS)),
    )
    days = Q(date__gte=first_day, date__lte=last_day)
    add(
        Activity.objects.filter(days),
        F("date"),
        activities=Count("pk"),
        activity_sessions=Sum("sessions"),
        activity_person_times=Sum("person_times"),
    )
    add(
        ServiceRecord.objects.filter(days),
        F("date"),
        casework_sessions=Count("pk"),
        casework_person_times=Sum("person_times"),
    )
    add(
        Resource.objects.filter(days),
        F("date"),
        resources_total=Sum("amount"),
        resources_money=Sum("amount", filter=Q(kind=Resource.Kind.MONEY)),
    )
    seen = Q(outcome=Visit.Outcome.SEEN)
    add(
        Visit.objects.filter(visited_on__gte=first_day, visited_on__lte=last_day),
        F("visited_on"),
        station=VISIT_STATION,
        visits_seen=Count("pk", filter=seen),
        visits_failed=Count("pk", filter=Q(outcome=Visit.Outcome.NOBODY_HOME)),
        visits_on_time=Count("pk", filter=seen & Visit.ON_TIME),
    )
    for figures in rows.values():
        for name in MONEY:
            figures[name] = Decimal(figures[name]).quantize(q.CENT)
        # SQLite sums durations as microseconds.
        if not isinstance(figures["resolution_time"], datetime.timedelta):
            figures["resolution_time"] = datetime.timedelta(microseconds=int(figures["resolution_time"]))
    return rows


def _store(first_day, last_day, station_ids, counted: dict) -> int:
    """Replace the rows of those days (and stations) with `counted`; rows with nothing are not kept."""
    old = StationDay.objects.filter(day__gte=first_day, day__lte=last_day)
    if station_ids is not None:
        old = old.filter(station_id__in=station_ids)
    old.delete()
    fresh = [
        StationDay(station_id=station_id, day=day, **figures)
        for (station_id, day), figures in counted.items()
        if figures != ZERO
    ]
    StationDay.objects.bulk_create(fresh, batch_size=2000)
    return len(fresh)


def _locked_state() -> RollupState:
    """The one state row, locked until the transaction ends (created on first use)."""
    state = RollupState.objects.select_for_update().order_by("pk").first()
    if state is None:
        RollupState.objects.create()
        state = RollupState.objects.select_for_update().order_by("pk").first()
    return state


def last_day_to_roll(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) - datetime.timedelta(days=LAG_DAYS)


# --- keeping it -----------------------------------------------------------------------------------------
def touch(pairs, today: datetime.date | None = None) -> None:
    """A write changed the figures of these (station_id, day) pairs: recount those the rollup holds.

    Call it inside the write's transaction, after the write, with the old and the new pairs. Days the
    rollup does not hold yet (today, yesterday: almost every write) cost nothing, not even a query.
    """
    oldest = last_day_to_roll(today)
    pairs = {(station, day) for station, day in pairs if station is not None and day and day <= oldest}
    if not pairs:
        return
    with transaction.atomic():
        through = _locked_state().rolled_through
        by_day = defaultdict(set)
        for station, day in pairs:
            if through is not None and day <= through:
                by_day[day].add(station)
        for day, stations in sorted(by_day.items()):
            _store(day, day, stations, count_days(day, day, stations))


def remember_dated(sender, instance, **kwargs):
    """pre_save of an activity, resource or service record: the station and date it had (one query, only
    when an existing row is saved), so that moving it to another day recounts both."""
    instance._rollup_before = None
    if instance.pk is not None and not instance._state.adding:
        instance._rollup_before = (
            sender._default_manager.filter(pk=instance.pk).values_list("station_id", "date").first()
        )


def dated_saved(sender, instance, **kwargs):
    """post_save/post_delete of an activity, resource or service record: recount its day(s)."""
    pairs = {(instance.station_id, instance.date)}
    before = getattr(instance, "_rollup_before", None)
    if before:
        pairs.add(before)
    touch(pairs)


def visit_saved(sender, instance, **kwargs):
    """post_save/post_delete of a visit (append-only: a new one, or one deleted with its resident): recount
    its day at the resident's station, only when the rollup may hold that day."""
    if instance.visited_on > last_day_to_roll():
        return
    station = (
        Resident.objects.filter(pk=instance.resident_id)
        .values_list("community__street__station", flat=True)
        .first()
    )
    touch({(station, instance.visited_on)})


def remember_station(sender, instance, **kwargs):
    """pre_save of a community or a street: the station it was served by (one query, existing rows)."""
    instance._rollup_station = None
    if instance.pk is not None and not instance._state.adding:
        lookup = "street__station" if sender._meta.model_name == "community" else "station"
        instance._rollup_station = sender._default_manager.filter(pk=instance.pk).values_list(lookup).first()


def station_changed(sender, instance, **kwargs):
    """post_save of a community or a street: given to another station, both stations' visits move."""
    before = getattr(instance, "_rollup_station", None)
    now = instance.street.station_id if sender._meta.model_name == "community" else instance.station_id
    if before is not None and before[0] != now:
        restate({before[0], now} - {None})


def restate(station_ids) -> int:
    """Recount every day the rollup holds for these stations (their residents' visits moved between
    stations with a community or a street). Returns the rows written."""
    with transaction.atomic():
        through = _locked_state().rolled_through
        first = _first_day()
        if through is None or first is None or not station_ids:
            return 0
        return _store(first, through, station_ids, count_days(first, through, station_ids))


def roll_up(today: datetime.date | None = None) -> int:
    """The nightly step: count the days after `rolled_through` up to two days before today (the whole
    history, by `rebuild`, when nothing is built yet). Returns the rows written."""
    last = last_day_to_roll(today)
    if rolled_through() is None:
        return rebuild(today)
    with transaction.atomic():
        state = _locked_state()
        through = state.rolled_through
        if through >= last:
            return 0
        first = through + datetime.timedelta(days=1)
        written = _store(first, last, None, count_days(first, last))
        state.rolled_through = last
        state.save(update_fields=["rolled_through"])
    return written


def _first_day() -> datetime.date | None:
    """The earliest day any figure is counted on (None: nothing to count)."""
    days = [
        *(
            timezone.localdate(moment)
            for moment in (Request.objects.order_by("received_at").values_list("received_at", flat=True)[:1])
        ),
        *(
            model.objects.order_by("date").values_list("date", flat=True).first()
            for model in (Activity, Resource, ServiceRecord)
        ),
        Visit.objects.order_by("visited_on").values_list("visited_on", flat=True).first(),
    ]
    days = [day for day in days if day is not None]
    return min(days) if days else None


def rebuild(today: datetime.date | None = None, progress=None) -> int:
    """Build the rollup from scratch, oldest month first, a month per transaction (`progress(month, rows)`
    after each); returns the rows written.

    Each month is counted under the state lock and `rolled_through` moves to its last day in the same
    transaction, so the pages stay right throughout (the months not built yet are counted live) and a
    late write to a month is either counted by it (the write committed first: `touch` holds the lock to
    the end of its transaction) or recounts its day itself (the month was built first).
    """
    last = last_day_to_roll(today)
    with transaction.atomic():
        state = _locked_state()
        state.rolled_through = None
        state.save(update_fields=["rolled_through"])
        StationDay.objects.all().delete()
    first = _first_day()
    written = 0
    month = first.replace(day=1) if first is not None else None
    while month is not None and month <= last:
        end = min(month_end(month), last)
        with transaction.atomic():
            state = _locked_state()
            rows = _store(month, end, None, count_days(month, end))
            state.rolled_through = end
            state.save(update_fields=["rolled_through"])
        written += rows
        if progress:
            progress(month, rows)
        month = add_months(month, 1)
    if first is None or first > last:
        with transaction.atomic():
            state = _locked_state()
            state.rolled_through = last
            state.save(update_fields=["rolled_through"])
    return written


# --- reading --------------------------------------------------------------------------------------------
def sums(scope: q.Scope, period: Period, by: str) -> dict:
    """{group: figures} summed from the rollup over the period's days (one query); a group whose days hold
    only visits has none of these figures, and no row, as when counted live."""
    summed = _summed(scope, period, by, FIGURES)
    return {group: _read(values) for group, values in summed.items() if any(values.values())}


def _summed(scope: q.Scope, period: Period, by: str | None, names) -> dict:
    rows = scope.narrow(StationDay.objects.filter(day__gte=period.first_day, day__lte=period.last_day))
    aggregates = {name: Sum(name) for name in names}
    if by is None:
        return {None: rows.aggregate(**aggregates)}
    return q._grouped(rows, by, **aggregates)


def visit_sums(scope: q.Scope, period: Period, by: str | None) -> dict:
    """{group (None for the whole scope): {visits_seen, visits_failed, visits_on_time}} over the period's
    days the rollup holds (one query)."""
    return {
        group: {name: values[name] or 0 for name in VISITS}
        for group, values in _summed(scope, period, by, VISITS).items()
    }


def _read(values: dict) -> dict:
    figures = dict(ZERO)
    figures.update({name: value for name, value in values.items() if value is not None})
    if not isinstance(figures["resolution_time"], datetime.timedelta):
        figures["resolution_time"] = datetime.timedelta(microseconds=int(figures["resolution_time"]))
    for name in MONEY:
        figures[name] = Decimal(figures[name]).quantize(q.CENT)
    return figures


def live(scope: q.Scope, period: Period, by: str) -> dict:
    """{group: figures} counted from the base tables (the days the rollup does not hold)."""
    requests = scope.requests()
    counted = defaultdict(lambda: dict(ZERO))
    for part in (
        q.received_counts(requests, period, by),
        q.resolved_counts(requests, period, by),
        q.satisfaction_counts(requests, period, by),
        q.resource_sums(scope, period, by),
    ):
        for group, values in part.items():
            counted[group].update({k: v for k, v in values.items() if v is not None})
    # Activities with casework's service records (`activity_counts` adds them in, and keeps them apart).
    for group, values in q.activity_counts(scope, period, by).items():
        row = counted[group]
        row["activities"] = values.get("activities") or 0
        for name in ("sessions", "person_times"):
            row[f"casework_{name}"] = values.get(f"casework_{name}", 0)
            row[f"activity_{name}"] = (values.get(name) or 0) - row[f"casework_{name}"]
    return counted


def period_figures(scope: q.Scope, period: Period, by: str) -> dict:
    """{group: the additive figures of the period}: the rollup's days and the live days added up, with
    the figures the pages read derived (sessions and person-times with casework's, the mean resolution
    time)."""
    rolled, fresh = split(period, scope.rolled_through)
    merged = defaultdict(lambda: dict(ZERO))
    for part in (sums(scope, rolled, by) if rolled else {}, live(scope, fresh, by) if fresh else {}):
        for group, values in part.items():
            row = merged[group]
            for name in FIGURES:
                row[name] += values.get(name, ZERO[name])
    return {group: derived(values) for group, values in merged.items()}


def received(scope: q.Scope, period: Period) -> int:
    """Requests received in the period in the whole scope (what a period is compared by): one query for
    the rollup's days, one for the live days."""
    rolled, fresh = split(period, scope.rolled_through)
    total = 0
    if rolled:
        days = StationDay.objects.filter(day__gte=rolled.first_day, day__lte=rolled.last_day)
        total += scope.narrow(days).aggregate(n=Sum("received"))["n"] or 0
    if fresh:
        total += scope.requests().filter(q.in_period("received_at", fresh)).count()
    return total


def request_months(
    scope: q.Scope, months: list[datetime.date], *, cache_key: str | None = None, today=None
) -> list[dict]:
    """Requests received and resolved per month, one dict per month in `months` (the 12-month trend).

    The months' days the rollup holds are summed from it (one query), the days after it counted live
    (`queries.count_in_periods`, two queries); with `cache_key` (the dashboard's `Scope.cache_key`),
    months that are over come from the cache (`queries.closed_months_cached`) and only the missing
    ones are counted.
    """
    return q.closed_months_cached(
        "trend", months, lambda missing: _months(scope, missing), cache_key=cache_key, today=today
    )


def _months(scope: q.Scope, months: list[datetime.date]) -> dict:
    through = scope.rolled_through
    counted = {month: {"received": 0, "resolved": 0} for month in months}
    rolled = [month for month in months if through is not None and month <= through]
    if rolled:
        days = StationDay.objects.filter(day__gte=min(rolled), day__lte=min(through, month_end(max(rolled))))
        rows = (
            scope.narrow(days)
            .annotate(month=TruncMonth("day"))
            .order_by()
            .values("month")
            .annotate(received=Sum("received"), resolved=Sum("resolved"))
        )
        for row in rows:
            if row["month"] in counted:
                counted[row["month"]] = {"received": row["received"], "resolved": row["resolved"]}
    after = through + datetime.timedelta(days=1) if through is not None else None
    fresh = {
        month: Period.custom(max(month, after) if after else month, month_end(month))
        for month in months
        if through is None or month_end(month) > through
    }
    if fresh:
        for month, values in q.count_in_periods(scope.requests(), fresh).items():
            for name, value in values.items():
                counted[month][name] += value
    return counted


def derived(figures: dict) -> dict:
    """The figures the tables show, from the stored ones."""
    figures["sessions"] = figures["activity_sessions"] + figures["casework_sessions"]
    figures["person_times"] = figures["activity_person_times"] + figures["casework_person_times"]
    resolved = figures["resolved"]
    figures["avg_resolution"] = figures["resolution_time"] / resolved if resolved else None
    return figures


def totals(rows) -> dict:
    """The additive figures of several groups added up (a district's of its stations', the city's)."""
    total = dict(ZERO)
    for values in rows:
        for name in FIGURES:
            total[name] += values.get(name, ZERO[name])
    return derived(total)
