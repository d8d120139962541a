"""Where an evaluation's computed values come from: the monthly figures of the period's months.

ONE seam. A month whose station report was approved (and so locked) gives its approved snapshot's
figures (`MonthlyReport.snapshot["figures"]`, frozen by `sws.reports.snapshots`) and says locked=True;
a month not yet approved gives the live report's figures (`sws.reports.builders.station_figures`), which
may still change, and says locked=False. Nothing else in the evaluation reads reports.
"""

import datetime

from stations import access
from sws.models import MonthlyReport
from sws.reports import builders, snapshots


def month_figures(station, year: int, month: int) -> tuple[dict, bool]:
    """(figures, locked): the station's monthly report figures for the month, and whether they are the
    approved, locked ones (False: live figures, which may still change). They are the station's own
    figures whoever asks, so they are read as the station (`access.station_reader`)."""
    snapshot = (
        MonthlyReport.objects.filter(
            level=MonthlyReport.Level.STATION,
            station=station,
            month=datetime.date(year, month, 1),
            status=MonthlyReport.Status.APPROVED,
        )
        .values_list("snapshot", flat=True)
        .first()
    )
    if snapshot:
        return snapshots.thaw_value(snapshot["figures"]), True
    return builders.station_figures(access.station_reader(station), station, year, month), False
