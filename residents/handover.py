"""When a worker leaves: what she holds at a station, handed to a colleague in one step.

Each kind of work registers a part (`register_part`): residents its requests and visit plans (below, in
apps.ready), casework its cases (as lead or co-worker) and open case tasks (residents imports no
casework: the arrows point one way). A part names its `label`, lists what `held(user_id, station_id)`
(open items only: closed ones stay as they were, history), and `hand_over(acting_user, leaving, to_user,
items)` changes each one with its version bumped, its audit entry and its own timeline's line.
`hand_over_open_work` runs every part in one transaction and writes one audit entry with the counts.

Who may do it (`access.may_hand_over`): the station's own staff, the guidance centre of its district,
admins.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from residents import auditing, notices, timeline
from residents.models import Request, ResidentEvent, TimelineEvent, VisitPlan
from residents.services.errors import WorkflowError, _stale_as_workflow_error
from residents.services.requests import _save, record_event
from stations import access, locking
from stations.models import Assignment, User


@dataclass(frozen=True)
class HandoverPart:
    key: str
    label: str  # e.g. "未办结诉求"
    held: Callable  # (user_id, station_id) -> QuerySet, open items only
    hand_over: Callable  # (acting_user, leaving, to_user, items: list) -> None
    columns: Callable | None = None  # (item) -> (reference, what, state) for the handover page


_parts: dict[str, HandoverPart] = {}


def register_part(part: HandoverPart) -> None:
    _parts[part.key] = part


def parts() -> list[HandoverPart]:
    return list(_parts.values())


def handover_colleagues(station_id, leaving_user_id, today=None):
    """Who may take over: the station's active accounts with an assignment there today, but the leaver."""
    posted = Assignment.objects.active(today).filter(station_id=station_id).values("user_id")
    return (
        User.objects.filter(pk__in=posted, is_active=True)
        .exclude(pk=leaving_user_id)
        .order_by("-role", "name", "username")
    )


# --- residents' own parts: open requests and visit plans ---------------------------------------------
def open_requests_held(user_id, station_id):
    """The open requests `user_id` holds at `station_id` (the worker whose assignment ends)."""
    return Request.objects.filter(
        station_id=station_id, assignee_id=user_id, status__in=Request.OPEN_STATUSES
    )


def hand_over_requests(acting_user, leaving, to_user, held):
    for request in held:
        _save(request, request.version, actor=acting_user, assignee=to_user)
        event = record_event(
            request,
            actor=acting_user,
            kind=TimelineEvent.Kind.ASSIGNED,
            text=timeline.handed_over(to_user, leaving),
            assignee=to_user.pk,
            previous_assignee=leaving.pk,
        )
        notices.assigned(request, assignee=to_user, actor=acting_user, occurrence=event.pk)


def visit_plans_held(user_id, station_id):
    return VisitPlan.objects.filter(
        worker_id=user_id, active=True, resident__community__street__station_id=station_id
    ).select_related("resident")


def hand_over_visit_plans(acting_user, leaving, to_user, held):
    for plan in held:
        before = copy.copy(plan)
        with _stale_as_workflow_error():
            locking.update_versioned(plan, plan.version, worker=to_user)
        auditing.log_update(plan, before, actor=acting_user)
        ResidentEvent.objects.create(
            resident_id=plan.resident_id,
            kind=ResidentEvent.Kind.UPDATED,
            actor=acting_user,
            text=f"离任移交：探访责任社工改为{to_user}（原：{leaving}）",
            data={"visit_plan": plan.pk, "worker": to_user.pk, "previous_worker": leaving.pk},
        )


def hand_over_open_work(*, acting_user, assignment, to_user) -> dict[str, int]:
    """Everything the worker of `assignment` holds open at its station (every registered part: requests,
    visit plans, cases, case tasks) to `to_user`, a colleague posted there today: one transaction, each
    item on its own timeline, and one audit entry naming the counts. Closed items are left as they are.
    Returns {label: count}."""
    from stations.audit import AuditLogEntry

    access.require(access.may_hand_over, acting_user, assignment)
    if (
        to_user is None
        or not handover_colleagues(assignment.station_id, assignment.user_id).filter(pk=to_user.pk).exists()
    ):
        raise WorkflowError({"to": "只能移交给本站在岗的其他社工。"})
    leaving = assignment.user
    counts = {}
    with transaction.atomic():
        for part in parts():
            held = list(
                part.held(leaving.pk, assignment.station_id).select_for_update(of=("self",)).order_by("pk")
            )
            part.hand_over(acting_user, leaving, to_user, held)
            counts[part.label] = len(held)
        AuditLogEntry.objects.log_create(
            assignment,
            action=AuditLogEntry.Action.UPDATE,
            changes={label: ["", str(count)] for label, count in counts.items()}
            | {"移交给": [str(leaving), str(to_user)]},
            actor=acting_user,
            additional_data={"handover": True, "from": leaving.pk, "to": to_user.pk, **counts},
            force_log=True,
        )
    return counts
