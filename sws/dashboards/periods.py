"""Reporting periods: last month, this month, quarter, year or custom dates, bounded at local midnight.

A period is a range of calendar days in Asia/Shanghai (the project's TIME_ZONE). Queries use the half-open
interval [start, end) of aware datetimes at local midnight, so a request received at 23:59:59 on the last
day belongs to the period and one received at 00:00 the next day does not, whatever the server's clock
zone or the database's session zone.

A period that contains today is partial (`is_partial`): it is compared with the same number of days at
the start of the previous period (`comparison`, "截至同日"), never with the whole previous period, and
charts mark its month as partial. Monthly reports default to the last complete month (`last_complete_month`).
"""

import calendar
import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

MAX_CUSTOM_DAYS = 366 * 5  # a custom range longer than this is refused (and would be slow to read)
# Periods within these years: the comparison with the previous period and the local-midnight bounds
# need room on both sides (year 1 or 9999 overflowed: a 500).
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The aware datetime at 00:00 of `day` in the project's time zone (Asia/Shanghai)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter", "year" or "custom"
    first_day: datetime.date
    last_day: datetime.date  # inclusive

    # --- construction ----------------------------------------------------------------------------
    @classmethod
    def month(cls, day: datetime.date) -> "Period":
        first = day.replace(day=1)
        return cls("month", first, month_end(first))

    @classmethod
    def quarter(cls, day: datetime.date) -> "Period":
        first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return cls("quarter", first, month_end(add_months(first, 2)))

    @classmethod
    def year(cls, day: datetime.date) -> "Period":
        return cls("year", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))

    @classmethod
    def custom(cls, first_day: datetime.date, last_day: datetime.date) -> "Period":
        return cls("custom", first_day, last_day)

    # --- bounds ----------------------------------------------------------------------------------
    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """Exclusive: midnight after the last day."""
        return local_midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> "Period":
        """The period of the same kind just before: last month, last quarter, last year, or as many days."""
        if self.kind == "month":
            return Period.month(add_months(self.first_day, -1))
        if self.kind == "quarter":
            return Period.quarter(add_months(self.first_day, -3))
        if self.kind == "year":
            return Period.year(self.first_day.replace(year=self.first_day.year - 1))
        last = self.first_day - datetime.timedelta(days=1)
        return Period.custom(last - datetime.timedelta(days=self.days - 1), last)

    def is_partial(self, today: datetime.date | None = None) -> bool:
        """True while the period is running: it contains today, so its figures are not final."""
        today = today or timezone.localdate()
        return self.first_day <= today <= self.last_day

    def elapsed(self, today: datetime.date | None = None) -> int:
        """Days of the period up to and including today (all its days once it is over, 0 before it)."""
        today = today or timezone.localdate()
        if today < self.first_day:
            return 0
        return min(self.days, (today - self.first_day).days + 1)

    def comparison(self, today: datetime.date | None = None) -> "Period":
        """What the period is compared with: the previous period, like with like.

        A complete period is compared with the whole previous one (March with February). A partial period
        is compared with as many days at the start of the previous period as have passed of this one
        (3 December with 1-3 November; 31 March with the whole of February, which has no more days).
        """
        previous = self.previous()
        if not self.is_partial(today) or self.elapsed(today) == self.days:  # over, or on its last day
            return previous
        days = min(self.elapsed(today), previous.days)
        if days == previous.days:
            return previous
        return Period.custom(previous.first_day, previous.first_day + datetime.timedelta(days=days - 1))

    def comparison_label(self, today: datetime.date | None = None) -> str:
        """How the page names the comparison: "上期" or "上期同期（…）" for a partial period."""
        comparison = self.comparison(today)
        if comparison == self.previous():
            return f"上期（{comparison.label}）"
        return f"上期截至同日（{comparison.first_day:%m-%d} 至 {comparison.last_day:%m-%d}）"

    def trend_months(self, count: int = 12) -> list[datetime.date]:
        """First days of the `count` months ending with the month of the period's last day."""
        last = self.last_day.replace(day=1)
        return [add_months(last, offset) for offset in range(-count + 1, 1)]

    # --- display ---------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first_day.year}年{self.first_day.month}月"
        if self.kind == "quarter":
            return f"{self.first_day.year}年第{(self.first_day.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.first_day.year}年"
        return f"{self.first_day:%Y-%m-%d} 至 {self.last_day:%Y-%m-%d}"

    @property
    def slug(self) -> str:
        """For file names: 2026-03, 2026-Q1, 2026, 20260301-20260315."""
        if self.kind == "month":
            return f"{self.first_day:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first_day.year)
        return f"{self.first_day:%Y%m%d}-{self.last_day:%Y%m%d}"

    def query(self) -> dict[str, str]:
        """The query parameters that select this period again (for links and exports)."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        if self.first_day == current(self.kind).first_day:
            return {"period": self.kind}
        return {"period": self.kind, "from": self.first_day.isoformat()}


def current(kind: str, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    if kind == "last_month":
        return last_complete_month(today)
    return {"month": Period.month, "quarter": Period.quarter, "year": Period.year}[kind](today)


def last_complete_month(today: datetime.date | None = None) -> Period:
    """上月: the month before today's (what a monthly report is normally about)."""
    today = today or timezone.localdate()
    return Period.month(add_months(today, -1))


class PeriodForm(forms.Form):
    """The period picker of the dashboards (GET). Invalid input falls back to this month, with errors."""

    KIND_CHOICES = [
        ("last_month", "上月"),
        ("month", "本月"),
        ("quarter", "本季度"),
        ("year", "本年"),
        ("custom", "自定义"),
    ]

    # Unbound, the picker shows what the page shows: this month.
    period = forms.ChoiceField(label="统计期间", choices=KIND_CHOICES, required=False, initial="month")
    # For month/quarter/year, `from` picks another month/quarter/year (any day in it); for custom the range.
    from_ = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    to = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def add_prefix(self, field_name):
        # The query parameter is `from` (a Python keyword, hence the field name `from_`).
        return "from" if field_name == "from_" else super().add_prefix(field_name)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period") or "month"
        first, last = cleaned.get("from_"), cleaned.get("to")
        if any(day and not EARLIEST <= day <= LATEST for day in (first, last)):
            raise forms.ValidationError("日期须在2000年至2099年之间。")
        if kind == "custom":
            if not first or not last:
                raise forms.ValidationError("自定义期间请填写开始日期和结束日期。")
            if last < first:
                raise forms.ValidationError("结束日期不能早于开始日期。")
            if (last - first).days + 1 > MAX_CUSTOM_DAYS:
                raise forms.ValidationError("自定义期间最长五年，请缩短日期范围。")
        cleaned["period"] = kind
        return cleaned

    def get_period(self, today: datetime.date | None = None) -> Period:
        """The chosen period; this month when nothing (valid) was chosen."""
        today = today or timezone.localdate()
        if not self.is_bound or not self.is_valid():
            return Period.month(today)
        kind, first = self.cleaned_data["period"], self.cleaned_data.get("from_")
        if kind == "custom":
            return Period.custom(first, self.cleaned_data["to"])
        if kind == "last_month":
            return last_complete_month(today)
        return {"month": Period.month, "quarter": Period.quarter, "year": Period.year}[kind](first or today)


def period_from_request(request, today: datetime.date | None = None) -> tuple[Period, PeriodForm]:
    form = PeriodForm(request.GET if "period" in request.GET else None)
    return form.get_period(today), form
