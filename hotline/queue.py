"""The work order's two deadlines in the triage queue (residents/queue_rows.py): 签收期限 until it is
signed, 办结期限 until it is answered, read with the rows' own query (a join to the order, no query
more). Registered in HotlineConfig.ready()."""

from django.db.models import F

from residents.deadlines import relative_deadline

ANNOTATIONS = {
    "hotline_sign_due": F("work_order__sign_due_at"),
    "hotline_signed_at": F("work_order__signed_at"),
    "hotline_reply_due": F("work_order__reply_due_at"),
    "hotline_replied_at": F("work_order__replied_at"),
}


def _line(label, due, done_at, done_label, now, tz):
    if done_at is not None:
        return (label, f"{done_label}（{done_at.astimezone(tz):%m-%d %H:%M}）", False)
    return (label, relative_deadline(due, now, tz), due < now)


def describe(r, now, tz) -> list[tuple[str, str, bool]]:
    sign_due = getattr(r, "hotline_sign_due", None)
    if sign_due is None:
        return []  # not a work order's request
    return [
        _line("签收期限", sign_due, r.hotline_signed_at, "已签收", now, tz),
        _line("办结期限", r.hotline_reply_due, r.hotline_replied_at, "已回复", now, tz),
    ]
