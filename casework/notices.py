"""Who hears about a case's plan: called by the planning services inside the step's transaction, so a
message exists exactly when the step committed. Texts name the case's reference, never its client."""

from casework.permissions import is_case_supervisor
from notifications import dispatch, recipients
from notifications.events import Event


def _tell(event, plan, people, *, actor):
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
    _tell(Event.CASE_PLAN_SUBMITTED, plan, plan_reviewers(plan), actor=actor)


def plan_reviewed(plan, *, actor):
    """The plan's author (and the case's lead worker) hear the decision."""
    event = Event.CASE_PLAN_APPROVED if plan.status == plan.Status.APPROVED else Event.CASE_PLAN_RETURNED
    case = plan.case
    people = [user for user in (plan.author, case.lead_worker) if user is not None]
    _tell(event, plan, people, actor=actor)
