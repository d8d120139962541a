"""The signal a write sends when it changes the figures of some stations' days (`days_changed`).

Apps below `sws` cannot call the dashboards' daily rollup (sws/dashboards/rollup.py); their service
functions send this signal instead, inside the write's transaction, with the (station id, day) pairs
whose figures the write changed, before and after. `sws` connects the rollup to it (sws/apps.py), which
recounts the pairs it already holds in the same transaction. Lives in `stations`, which imports nothing of
ours, so that every app may send it.
"""

from django.dispatch import Signal

# Sent with `pairs`: an iterable of (station_id, datetime.date).
days_changed = Signal()
# Sent with `station_ids` when whole communities changed station (streets handed to another station): the
# figures counted by the residents' station (their visits) move with them, on every day.
stations_changed = Signal()


def changed(sender, pairs) -> None:
    days_changed.send(sender=sender, pairs=set(pairs))


def restated(sender, station_ids) -> None:
    station_ids = set(station_ids) - {None}
    if station_ids:
        stations_changed.send(sender=sender, station_ids=station_ids)
