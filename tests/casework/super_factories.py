"""Set-up helpers of the supervision tests (cases' closures and plans written straight to the database)."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from casework.models import CasePlan, Closure
from casework.permissions import SUPERVISOR_GROUP
from tests.casework.factories import make_case
from tests.residents.factories import make_resident


def designate(user):
    """Put a district centre user in the group 个案督导 (as a city admin does in the admin)."""
    user.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    return type(user).objects.get(pk=user.pk)  # permissions are cached on the user object


def a_case(station, community, lead, name="孙秀英", **fields):
    client = make_resident(community, name=name, birth_date=fields.pop("born", datetime.date(1950, 3, 1)))
    return make_case(station, client, lead, stage=fields.pop("stage", "intervention"), **fields)


def pending_closure(case, requested_by, head):
    return Closure.objects.create(
        case=case,
        reason=Closure.Reason.GOALS_MET,
        summary="目标达成。",
        status=Closure.Status.PENDING_DISTRICT,
        requested_by=requested_by,
        needs_district_signoff=True,
        head_approved_by=head,
        head_approved_at=timezone.now(),
    )


def submitted_plan(case, author, days_ago):
    return CasePlan.objects.create(
        case=case,
        status=CasePlan.Status.SUBMITTED,
        author=author,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
