"""A resident's transfer to another station (moved house, 搬家): the record with their open requests and
their visit plan (探访名单).

Proposing names the receiving station; until it accepts, the sender keeps everything. Acceptance (in
`transfers.accept_transfer`, with the community the receiver chooses) moves, in one transaction:
- the resident's community (their scope: the record, its history, visits, statuses and tier changes are
  read by the station serving that community from then on, and by nobody at the sender);
- every OPEN request of the resident at the sender, unassigned for the receiver's triage;
- the visit plan, without its worker (the receiver's head names one);
- and ends the resident's household membership (the household stays where it lives; a move ends it).

Closed requests (resolved, closed, withdrawn, rejected) stay with the station that handled them: they are
that station's work and its reports must not change after the fact. The resident's timeline and each moved
request's timeline say so, and both stations see the transfer in their inbox.

Open work the residents app cannot move (another app's, e.g. an open case: casework registers
`register_open_work`) refuses the proposal with a message naming it; that work moves by its own transfer.
"""

import copy
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.events import Event
from residents import auditing, timeline
from residents.models import HouseholdMembership, Request, ResidentEvent, TimelineEvent, Transfer, VisitPlan
from residents.models.visits import follow_community
from residents.services.errors import WorkflowError, _checked, _stale_as_workflow_error
from residents.services.requests import record_event
from stations import access, locking

# (resident, station_id) -> ["个案 GY-2026-0001（计划）", …]: open work elsewhere that a move would strand.
_open_work: list[Callable] = []


def register_open_work(describe: Callable) -> None:
    _open_work.append(describe)


def resident_station_id(resident):
    return resident.community.street.station_id


def open_requests_of(resident, station_id):
    return Request.objects.filter(resident=resident, station_id=station_id, status__in=Request.OPEN_STATUSES)


def open_work_elsewhere(resident, station_id) -> list[str]:
    """What of the resident another app holds open at `station_id` (registered describers)."""
    return [item for describe in _open_work for item in describe(resident, station_id)]


def pending_resident_transfer(resident):
    return Transfer.objects.filter(resident=resident, status=Transfer.Status.PENDING).first()


def propose_resident_transfer(
    *, acting_user, resident, to_station, reason, reason_text="", version=None
) -> Transfer:
    """The resident's station proposes moving the resident (with their open requests and visit plan) to
    `to_station`, any other station of the city."""
    from residents.services.transfers import proposal_recipients, tell, transfer_targets

    access.require(access.may_change, acting_user, resident)
    _checked(resident.version if version is None else version, resident.version)
    from_station = resident.community.street.station
    if to_station is None or not transfer_targets(from_station).filter(pk=to_station.pk).exists():
        raise WorkflowError({"to_station": "请选择其他社工站。"})
    reason_text = (reason_text or "").strip()
    if errors := Transfer.proposal_errors(reason, reason_text):
        raise WorkflowError(errors)
    if pending_resident_transfer(resident) is not None:
        raise WorkflowError("该居民已有待接收的转移申请。")
    stranded = open_work_elsewhere(resident, from_station.pk)
    if stranded:
        raise WorkflowError(f"该居民还有未结束的{'、'.join(stranded)}，请先转移或结束后再转移居民。")
    waiting = Transfer.objects.pending().filter(request__in=open_requests_of(resident, from_station.pk))
    if waiting.exists():
        raise WorkflowError("该居民的诉求有待接收的转移申请，请待其处理后再转移居民。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    resident=resident,
                    from_station=from_station,
                    to_station=to_station,
                    reason=reason,
                    reason_text=reason_text[:300],
                    proposed_by=acting_user,
                )
        except IntegrityError:  # a second proposal at the same moment (one pending per resident)
            raise WorkflowError("该居民已有待接收的转移申请。") from None
        note_on_resident(
            transfer,
            acting_user,
            timeline.transfer_proposed(
                from_station.name, to_station.name, Transfer.Reason(reason).label, reason_text
            ),
        )
        tell(Event.TRANSFER_PROPOSED, transfer, proposal_recipients(transfer), actor=acting_user)
    return transfer


def note_on_resident(transfer, actor, text, **data):
    ResidentEvent.objects.create(
        resident_id=transfer.resident_id,
        kind=ResidentEvent.Kind.TRANSFER,
        actor=actor,
        text=text[:500],
        data={"transfer": transfer.pk, **data},
    )


def move_resident(*, acting_user, resident, from_station, to_station, community, text, **data) -> dict:
    """Move `resident` to `community` (served by `to_station`) with their open requests at `from_station`
    and their visit plan, ending their household membership; each change audited and on its timeline
    (`text` and `data` name the transfer). The caller holds the transaction and has checked who may.
    Returns {"requests": n, "visit_plan": 0/1, "household": 0/1}."""
    from residents.services.transfers import move_request

    before = copy.copy(resident)
    with _stale_as_workflow_error():
        locking.update_versioned(resident, resident.version, community=community)
    follow_community([resident.pk])  # the visit plan's copy of the community (VisitPlan.community)
    auditing.log_update(resident, before, actor=acting_user)
    moved = list(open_requests_of(resident, from_station.pk).select_for_update().order_by("pk"))
    for request in moved:
        move_request(request, request.version, actor=acting_user, station=to_station, community=community)
        record_event(request, actor=acting_user, kind=TimelineEvent.Kind.TRANSFER, text=text, **data)
    plan = VisitPlan.objects.select_for_update().filter(resident=resident).first()
    if plan is not None and plan.worker_id is not None:
        before = copy.copy(plan)
        with _stale_as_workflow_error():
            locking.update_versioned(plan, plan.version, worker=None)  # the receiver's head names one
        auditing.log_update(plan, before, actor=acting_user)
    ended = HouseholdMembership.objects.filter(resident=resident, end_date__isnull=True).update(
        end_date=timezone.localdate()
    )
    counts = {"requests": len(moved), "visit_plan": int(plan is not None), "household": ended}
    ResidentEvent.objects.create(
        resident_id=resident.pk,
        kind=ResidentEvent.Kind.TRANSFER,
        actor=acting_user,
        text=(
            f"{text}。随同转移：未办结诉求 {len(moved)} 件"
            + ("、探访计划（待接收站指定责任社工）" if plan is not None else "")
            + ("；原家庭成员关系已结束" if ended else "")
        )[:500],
        data={**data, **counts, "from_station": from_station.pk, "to_station": to_station.pk},
    )
    return counts
