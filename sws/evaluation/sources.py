"""Where an evaluation's computed values come from: the monthly figures of the period's months.

ONE seam. Today it computes the live monthly report's figures (`sws.reports.builders.station_report`)
and says they are not locked; once monthly reports are approved and locked, it reads the approved
snapshot's figures (the same dict) and says locked=True. Nothing else in the evaluation reads reports.
"""

from sws.reports import builders


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
    report = builders.station_report(system_reader(), station, year, month)
    return report.figures, False
