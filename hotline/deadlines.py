"""Due times of a work order: its deadline class's rule (`DeadlineRule`, admin data) over working time
(`stations.workdays`, which knows weekends, holidays and make-up working days)."""

import datetime

from hotline.models import DeadlineRule
from stations import workdays


def due_times(
    deadline_class: str, received_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """(sign_due_at, reply_due_at) for an order of `deadline_class` received at `received_at`.

    Raises DeadlineRule.DoesNotExist for a class the admin has not set up."""
    rule = DeadlineRule.objects.get(deadline_class=deadline_class)
    return due_times_for(rule, received_at)


def due_times_for(rule: DeadlineRule, received_at):
    sign_due = workdays.add_working_minutes(received_at, rule.sign_within_minutes)
    reply_due = workdays.add_working_days(received_at, rule.reply_within_working_days)
    return sign_due, max(reply_due, sign_due)
