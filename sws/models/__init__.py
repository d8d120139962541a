"""The sws app's records: the monthly reports of the cycle (报送、审核、锁定) and their approval trail."""

from sws.models.monthly import MonthlyReport, MonthlyReportQuerySet, ReportDecision  # noqa: F401
