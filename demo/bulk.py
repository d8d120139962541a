"""Writing demo data at city scale: rows as plain tuples, keys handed out before the rows exist, one
COPY (PostgreSQL) or executemany per batch, progress with a rate. Used by the residents demo seeder; no
query per row anywhere.
"""

import json
import time

from django.db import connection
from django.db.models import Max

from residents.models import ReferenceCounter


class TableWriter:
    """Append rows to one table: COPY on PostgreSQL, executemany elsewhere.

    Rows are tuples in the order of `columns` (attnames), already in database terms: aware datetimes,
    dates, JSON as text. Columns left out must be nullable or have a default (filled in here), so a
    field added to the model later does not break the seeder silently. Fields that are not plain
    values (say, an encrypted field) go through the field's own `get_db_prep_save`.
    """

    PLAIN = {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "JSONField",  # given as JSON text
    }

    def __init__(self, model, columns):
        opts = model._meta
        self.table = opts.db_table
        self.postgres = connection.vendor == "postgresql"
        fields = [opts.get_field(name) for name in columns]
        given = {f.attname for f in fields}
        self.constants = []
        for f in opts.concrete_fields:
            if f.attname in given or (f.primary_key and f.attname not in given):
                continue
            if f.has_default():
                value = f.get_default()
                self.constants.append(
                    (f, json.dumps(value) if f.get_internal_type() == "JSONField" else value)
                )
            elif not f.null:
                raise ValueError(f"{model.__name__}.{f.name} is required: the demo seeder must fill it in")
        fields += [f for f, _ in self.constants]
        self.constant_values = tuple(value for _, value in self.constants)
        self.columns = [f.column for f in fields]
        self.adapters = [(i, adapter) for i, f in enumerate(fields) if (adapter := self._adapter(f))]

    def _adapter(self, f):
        kind = f.get_internal_type()
        if kind in self.PLAIN:
            return None
        if kind == "DateTimeField":
            return None if self.postgres else self._naive_datetime(connection.timezone)
        if kind == "DateField":
            return None if self.postgres else connection.ops.adapt_datefield_value
        return lambda value: f.get_db_prep_save(value, connection)

    @staticmethod
    def _naive_datetime(tz):
        """What Django's SQLite backend stores for an aware datetime (naive, in the connection's time
        zone), without its per-value settings and connection lookups: a tenth of the cost."""

        def adapt(value):
            return None if value is None else str(value.astimezone(tz).replace(tzinfo=None))

        return adapt

    def _prepared(self, rows):
        for row in rows:
            row = row + self.constant_values if self.constant_values else row
            if self.adapters:
                row = list(row)
                for i, adapter in self.adapters:
                    row[i] = adapter(row[i])
            yield row

    def write(self, rows):
        if not rows:
            return
        quote = connection.ops.quote_name
        table, columns = quote(self.table), ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self._prepared(rows):
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(self._prepared(rows))
                )


class Keys:
    """Primary keys handed out before the rows exist (from the sequence on PostgreSQL; elsewhere, one
    writer in a transaction, after the current maximum)."""

    def __init__(self, model, block=1000):
        self.model, self.block = model, block
        self.next, self.pool = None, []

    def take(self, count):
        if count <= 0:
            return []
        if connection.vendor == "postgresql":
            table = self.model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if self.next is None:
            self.next = (self.model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        keys = list(range(self.next, self.next + count))
        self.next += count
        return keys

    def one(self):
        """A single key from a block taken in advance (one query per `block` keys, not per row)."""
        if not self.pool:
            self.pool = self.take(self.block)[::-1]
        return self.pool.pop()


class Progress:
    def __init__(self, out, label, total):
        self.out, self.label, self.total, self.started = out, label, total, time.monotonic()

    def report(self, done):
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.out.write(f"  {self.label}: {done:,}/{self.total:,} ({done / elapsed:,.0f}/s)")


class ReferenceNumbers:
    """Per-station, per-year sequence numbers, continued from ReferenceCounter and saved back at the
    end, so that the live intake carries on after the seeded numbers."""

    def __init__(self, last):
        self.last = last  # (station pk, year) → last number used
        self.loaded = dict(last)

    @classmethod
    def load(cls):
        return cls(
            {
                (s, y): n
                for s, y, n in ReferenceCounter.objects.values_list("station_id", "year", "last_number")
            }
        )

    def next(self, station, year):
        number = self.last.get((station.pk, year), 0) + 1
        self.last[(station.pk, year)] = number
        return f"{station.code}-{year}-{number:05d}"

    def save(self):
        """One upsert for all the counters that moved (a city has ~750 station-years)."""
        changed = [
            ReferenceCounter(station_id=station_id, year=year, last_number=number)
            for (station_id, year), number in self.last.items()
            if self.loaded.get((station_id, year)) != number
        ]
        ReferenceCounter.objects.bulk_create(
            changed,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["station", "year"],
            update_fields=["last_number"],
        )
        self.loaded = dict(self.last)
