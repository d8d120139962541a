"""Who hears about a case's closure: called by the casework services inside the step's transaction, so a
message exists exactly when the step committed. The texts carry the case's reference and station only,
never the client (casework/permissions.py: the records are confidential)."""

from django.contrib.auth.models import Permission
from django.db.models import Q

from casework.models import Case, Closure
from casework.permissions import SUPERVISE_PERMISSION
from notifications import dispatch, recipients
from notifications.events import Event


def district_supervisors(district_id):
    """The district centre's staff designated as casework supervisors (directly or through a group)."""
    app_label, codename = SUPERVISE_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    designated = Q(user_permissions__in=permission) | Q(groups__permissions__in=permission)
    return recipients.district_centre(district_id).filter(designated).distinct()


def _tell(event, closure: Closure, people, *, actor, **context):
    case: Case = closure.case
    return dispatch.notify(
        event,
        recipients=people,
        target=f"closure:{closure.pk}:{closure.version}",
        url=case.get_absolute_url(),
        context={"reference": case.reference, "station": case.station.name, **context},
        station=case.station,
        actor=actor,
    )


def closure_pending(closure: Closure, *, actor):
    """A closure awaiting a decision: the station head, or the district's supervisors at their step."""
    if closure.status == Closure.Status.PENDING_DISTRICT:
        people = district_supervisors(closure.case.station.district_id)
        return _tell(Event.CLOSURE_AWAITING_SIGNOFF, closure, people, actor=actor)
    return _tell(
        Event.CLOSURE_AWAITING_HEAD, closure, recipients.station_heads(closure.case.station_id), actor=actor
    )


def closure_decided(closure: Closure, *, actor):
    """The outcome, to the requester and the case's workers."""
    case = closure.case
    people = list(
        recipients.station_staff(case.station_id).filter(pk__in={closure.requested_by_id, *case.workers()})
    )
    outcome = "已批准，个案已结案" if closure.status == Closure.Status.APPROVED else "被退回"
    return _tell(Event.CLOSURE_DECIDED, closure, people, actor=actor, outcome=outcome)
