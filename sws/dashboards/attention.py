"""需关注: which stations (on the district dashboard) and districts (on the city dashboard) need a look,
why, and how badly. A flag must mean something: one late request at a small station is a day's work,
not a pattern, so each rule has a threshold, named here with the reason for its value.

A reason is (severity, text); a row's reasons are listed worst first and rows are sorted by their worst
reason, then by how many they have. Severity 3 (严重) is a rule broken (DESIGN §2: a station needs a
certified worker) or a backlog out of hand; 2 (关注) is a trend worth a call.
"""

import datetime
from dataclasses import dataclass

from stations.models import ComplianceIssue

SERIOUS, WARNING = 3, 2
SEVERITY_LABELS = {SERIOUS: "严重", WARNING: "关注"}

# Overdue requests, as a share of the requests open now. Below OVERDUE_MIN late requests nothing is
# flagged whatever the share (a station with 4 open requests and 1 late is 25 %: noise, not backlog).
OVERDUE_MIN = 3
OVERDUE_SHARE_WARNING = 0.10  # one open request in ten past its deadline: the queue is slipping
OVERDUE_SHARE_SERIOUS = 0.25  # one in four: the station is not keeping up
# Satisfaction (满意 + 基本满意) below this share, once enough follow-ups were rated to mean anything.
LOW_SATISFACTION = 0.80
MIN_RATED_STATION = 5  # a station rates a handful a month: fewer than 5 answers say little
MIN_RATED_DISTRICT = 20
# The annual plan "far behind": completion under half of the share of the year gone by, judged from
# the second quarter on (in January every plan is at 0 % and on time).
PLAN_BEHIND_RATIO = 0.5
PLAN_JUDGED_FROM = 0.25  # share of the year gone by
# Districts: staffing problems at more than this share of its stations.
STAFFING_SHARE_WARNING = 0.25
# Districts: certified workers below half (each station must have one certified worker of two).
CERTIFIED_SHARE_FLOOR = 0.5

STATION_STAFFING = {
    ComplianceIssue.NO_CERTIFIED: SERIOUS,
    ComplianceIssue.DEADLINE_PASSED: SERIOUS,
    ComplianceIssue.UNDERSTAFFED: WARNING,
    # DEADLINE_NEAR is shown in the staffing column, not flagged: 90 days is time enough to act.
}


@dataclass(frozen=True)
class Reason:
    severity: int
    text: str

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    def __str__(self):
        return self.text


def year_elapsed(day: datetime.date) -> float:
    start = datetime.date(day.year, 1, 1)
    return ((day - start).days + 1) / ((datetime.date(day.year + 1, 1, 1) - start).days)


def _common(figures: dict, as_of: datetime.date, min_rated: int) -> list[Reason]:
    reasons = []
    overdue, open_now = figures.get("overdue") or 0, figures.get("open") or 0
    if overdue >= OVERDUE_MIN and open_now:
        share = overdue / open_now
        if share > OVERDUE_SHARE_WARNING:
            severity = SERIOUS if share > OVERDUE_SHARE_SERIOUS else WARNING
            reasons.append(Reason(severity, f"超期未办{overdue}件，占在办{share * 100:.0f}%"))
    satisfaction = figures.get("satisfaction")
    if (
        satisfaction is not None
        and (figures.get("rated") or 0) >= min_rated
        and satisfaction < LOW_SATISFACTION
    ):
        reasons.append(Reason(WARNING, f"满意率{satisfaction * 100:.0f}%，低于{LOW_SATISFACTION * 100:.0f}%"))
    completion, elapsed = figures.get("plan_completion"), year_elapsed(as_of)
    if completion is not None and elapsed >= PLAN_JUDGED_FROM and completion < elapsed * PLAN_BEHIND_RATIO:
        reasons.append(
            Reason(WARNING, f"实施方案完成{completion * 100:.0f}%，不到时间进度{elapsed * 100:.0f}%的一半")
        )
    return reasons


def station_reasons(figures: dict, flags: list, as_of: datetime.date) -> list[Reason]:
    """Why a station needs attention, worst first; `flags` are its `compliance_flags`."""
    reasons = [Reason(STATION_STAFFING[flag], str(flag.label)) for flag in flags if flag in STATION_STAFFING]
    reasons += _common(figures, as_of, MIN_RATED_STATION)
    return sorted(reasons, key=lambda reason: -reason.severity)  # stable: the order above within a level


def district_reasons(figures: dict, as_of: datetime.date) -> list[Reason]:
    """Why a district needs attention, worst first."""
    reasons = []
    workers, certified_share = figures.get("workers") or 0, figures.get("certified_share")
    if workers and certified_share is not None and certified_share < CERTIFIED_SHARE_FLOOR:
        reasons.append(Reason(SERIOUS, f"持证率{certified_share * 100:.0f}%，不足一半"))
    stations, with_issues = figures.get("stations") or 0, figures.get("stations_with_issues") or 0
    if stations and with_issues / stations > STAFFING_SHARE_WARNING:
        reasons.append(
            Reason(WARNING, f"{with_issues}个站人员配置有问题（占{with_issues / stations * 100:.0f}%）")
        )
    reasons += _common(figures, as_of, MIN_RATED_DISTRICT)
    return sorted(reasons, key=lambda reason: -reason.severity)  # stable: the order above within a level


def by_severity(rows) -> list:
    """The rows that need attention, the most serious first (then the most reasons, then the table order)."""
    flagged = [row for row in rows if row.attention]
    return sorted(flagged, key=lambda row: (-row.attention[0].severity, -len(row.attention)))
