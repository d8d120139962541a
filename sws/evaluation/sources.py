"""Where an evaluation's computed values come from: the monthly figures of the period's months.

ONE seam. A month whose station report was approved (and so locked) gives its approved snapshot's
figures (`MonthlyReport.snapshot["figures"]`, frozen by `sws.reports.snapshots`) and says locked=True;
a month not yet approved gives the live report's figures (`sws.reports.builders.station_report`), which
may still change, and says locked=False. Nothing else in the evaluation reads reports.
"""

import datetime

from sws.models import MonthlyReport
from sws.reports import builders, snapshots


def system_reader():
    """The reader the figures are computed as: they are the station's own figures whoever looks at them
    (an evaluator, whose own scope is her evaluations, must read the same numbers as the district). An
    unsaved municipal-scope user, never logged in, never stored; it only narrows nothing."""
    from stations.access import Role
    from stations.models import User

    return User(username="evaluation-figures", role=Role.CITY_STAFF, is_active=True)


def month_figures(station, year: int, month: int) -> tuple[dict, bool]:
    """(figures, locked): the station's monthly report figures for the month, and whether they are the
    approved, locked ones (False: live figures, which may still change)."""
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
    report = builders.station_report(system_reader(), station, year, month)
    return report.figures, False
