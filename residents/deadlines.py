"""How a deadline or a duration reads to a social worker: one place, used by the case page, the queue and
the dashboards, so they always agree.

- A deadline reads relative to now: "今天 22:25 · 剩 4 小时", "明天 09:00 · 剩 14 小时",
  "12-06 09:00 · 剩 2 天", "昨天 10:00 · 超期 1 天". The date says 今天/明天/昨天 when it can,
  else MM-DD (with the year when it is not this year); what is left (or how late it is) counts
  whole minutes under an hour, whole hours under a day, else whole days (rounded down:
  "剩 4 小时" at 4 h 35 min).
- A duration reads in days once it is a day or more ("9.4 天"), in hours under a day ("23.5 小时").
"""

import datetime

from django.utils import timezone

MINUTE, HOUR, DAY = 60, 3600, 86400


def _amount(seconds: float) -> str:
    if seconds < HOUR:
        return f"{max(int(seconds // MINUTE), 1)} 分钟"
    if seconds < DAY:
        return f"{int(seconds // HOUR)} 小时"
    return f"{int(seconds // DAY)} 天"


def relative_deadline(due: datetime.datetime, now: datetime.datetime | None = None, tz=None) -> str:
    """`due` as the worker should read it, seen from `now` in `tz` (default: the current time zone)."""
    tz = tz or timezone.get_current_timezone()
    now = now or timezone.now()
    local_due, today = due.astimezone(tz), now.astimezone(tz).date()
    days = (local_due.date() - today).days
    if days == 0:
        day = "今天"
    elif days == 1:
        day = "明天"
    elif days == -1:
        day = "昨天"
    elif local_due.year == today.year:
        day = f"{local_due:%m-%d}"
    else:
        day = f"{local_due:%Y-%m-%d}"
    left = (due - now).total_seconds()
    state = f"剩 {_amount(left)}" if left >= 0 else f"超期 {_amount(-left)}"
    return f"{day} {local_due:%H:%M} · {state}"


def readable_duration(duration: datetime.timedelta | None) -> str:
    """A duration (e.g. from receipt to resolution) in days, or in hours when under a day; "—" if none."""
    if duration is None:
        return "—"
    seconds = duration.total_seconds()
    if seconds >= DAY:
        return f"{seconds / DAY:.1f} 天"
    return f"{seconds / HOUR:.1f} 小时"
