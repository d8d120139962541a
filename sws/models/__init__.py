"""The sws app's own records: the monthly reports of the cycle (报送、审核、锁定) and their approval trail,
the yearly evaluation of stations' service contracts (考核评估), and the dashboards' daily per-station
rollup (日汇总)."""

from sws.models.evaluation import (  # noqa: F401
    Dimension,
    Evaluation,
    EvaluationEvent,
    Indicator,
    IndicatorSet,
    Rectification,
    Score,
    ServiceContract,
)
from sws.models.monthly import MonthlyReport, MonthlyReportQuerySet, ReportDecision  # noqa: F401
from sws.models.rollup import RollupState, StationDay  # noqa: F401
