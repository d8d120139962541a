"""Who hears about a case's plan and its closure: called by the casework services inside the step's
transaction, so a message exists exactly when the step committed. The texts carry the case's reference
and station only, never the client (casework/permissions.py: the records are confidential)."""

from django.contrib.auth.models import Permission
from django.db.models import Q

from casework.models import Case, Closure
from casework.permissions import SUPERVISE_PERMISSION, is_case_supervisor
from notifications import dispatch, recipients
from notifications.events import Event


def _tell_plan(event, plan, people, *, actor):
    case = plan.case
    return dispatch.notify(
        event,
        recipients=people,
        target=f"case_plan:{plan.pk}:{plan.version}",
        url=case.get_absolute_url(),
        context={"reference": case.reference, "station": case.station.name, "number": plan.number},
        station=case.station,
        actor=actor,
    )


def plan_reviewers(plan):
    """Who may decide on the plan (`planning.may_review_case_plan`): the station's head, or, for a plan
    the head wrote, the district's casework supervisors who may open the case."""
    from casework.services.planning import may_review_case_plan

    case = plan.case
    heads = [user for user in recipients.station_heads(case.station_id) if user.pk != plan.author_id]
    if heads:
        return heads
    return [
        user
        for user in recipients.district_centre(case.station.district_id)
        if is_case_supervisor(user) and may_review_case_plan(user, plan)
    ]


def plan_submitted(plan, *, actor):
    _tell_plan(Event.CASE_PLAN_SUBMITTED, plan, plan_reviewers(plan), actor=actor)


def plan_reviewed(plan, *, actor):
    """The plan's author (and the case's lead worker) hear the decision."""
    event = Event.CASE_PLAN_APPROVED if plan.status == plan.Status.APPROVED else Event.CASE_PLAN_RETURNED
    case = plan.case
    people = [user for user in (plan.author, case.lead_worker) if user is not None]
    _tell_plan(event, plan, people, actor=actor)


def district_supervisors(district_id):
    """The district centre's staff designated as casework supervisors (directly or through a group)."""
    app_label, codename = SUPERVISE_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    designated = Q(user_permissions__in=permission) | Q(groups__permissions__in=permission)
    return recipients.district_centre(district_id).filter(designated).distinct()


def _tell_closure(event, closure: Closure, people, *, actor, **context):
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
        return _tell_closure(Event.CLOSURE_AWAITING_SIGNOFF, closure, people, actor=actor)
    return _tell_closure(
        Event.CLOSURE_AWAITING_HEAD, closure, recipients.station_heads(closure.case.station_id), actor=actor
    )


def closure_decided(closure: Closure, *, actor):
    """The outcome, to the requester and the case's workers."""
    case = closure.case
    people = list(
        recipients.station_staff(case.station_id).filter(pk__in={closure.requested_by_id, *case.workers()})
    )
    outcome = "已批准，个案已结案" if closure.status == Closure.Status.APPROVED else "被退回"
    return _tell_closure(Event.CLOSURE_DECIDED, closure, people, actor=actor, outcome=outcome)


def case_assigned(case: Case, assigned, *, actor, event_pk):
    """个案指派/共享给我: each person who newly leads, co-works or shares the case hears it, with their
    part (主责社工, 协同社工, 共享). One message per change (`event_pk`, its timeline entry); the actor is
    left out."""
    for user, role in assigned:
        dispatch.notify(
            Event.CASE_ASSIGNED,
            recipients=[user],
            target=f"case:{case.pk}:workers:{event_pk}:{user.pk}",
            url=case.get_absolute_url(),
            context={"reference": case.reference, "station": case.station.name, "role": role},
            station=case.station,
            actor=actor,
        )
