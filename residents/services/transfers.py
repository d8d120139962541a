"""Transfers between stations (转移) and the district centre's dispatch (派单). A resident's transfer
(with their open requests and visit plan) is proposed in `resident_transfers` and decided here.

A station's staff propose; the receiving station's staff accept (choosing the community it lives in
there) or decline with a reason; the sender may withdraw while it waits. Until accepted the request stays
the sender's. Acceptance moves it (its timeline goes with it, and who may read it: scope is the request's
station) and leaves it unassigned for the receiver's triage. Every step is one transaction with its
timeline event, audit entry and messages; the decision is a conditional UPDATE on the pending status, so
two people answering at once cannot both succeed.
"""

import copy

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import dispatch, recipients
from notifications.events import Event
from residents import auditing, timeline
from residents.models import Request, Resident, TimelineEvent, Transfer
from residents.services.errors import StaleVersionError, WorkflowError, _checked, _stale_as_workflow_error
from residents.services.requests import record_event
from stations import access, figures, locking
from stations.models import Community, Station


def transfer_targets(station):
    """Stations a request of `station` may be transferred to: every other station of the city (a resident
    may move to another district; both district centres then see the transfer, and the receiving one is
    told). Ordered by code, so a district's stations come together."""
    return Station.objects.exclude(pk=station.pk).select_related("district").order_by("code")


def dispatch_targets(station):
    """Stations the district centre may dispatch a request of `station` to: those of its own district."""
    return Station.objects.filter(district_id=station.district_id).exclude(pk=station.pk).order_by("code")


def communities_of(station):
    return Community.objects.filter(street__station=station).order_by("code")


def pending_transfer(request):
    return (
        Transfer.objects.filter(request=request, status=Transfer.Status.PENDING)
        .select_related("to_station", "proposed_by")
        .first()
    )


def tell(event, transfer, people, *, actor, outcome=""):
    dispatch.notify(
        event,
        recipients=people,
        target=f"transfer:{transfer.pk}:{transfer.status}",
        url=_inbox_url(),
        context={
            "subject": "居民档案" if transfer.of_resident else "诉求",
            "reference": transfer.masked_subject if transfer.of_resident else transfer.request.reference,
            "station": transfer.from_station.name,
            "to_station": transfer.to_station.name,
            "outcome": outcome,
        },
        station=transfer.to_station if event == Event.TRANSFER_PROPOSED else transfer.from_station,
        actor=actor,
    )


def _inbox_url():
    from django.urls import reverse

    return reverse("residents:transfer-inbox")


def move_request(request, version, *, actor, station, community):
    """The request to `station`/`community`, unassigned (the receiver triages and assigns it)."""
    before = copy.copy(request)
    with _stale_as_workflow_error():
        locking.update_versioned(request, version, station=station, community=community, assignee=None)
    auditing.log_update(request, before, actor=actor)
    figures.changed(Request, before.figure_days() | request.figure_days())


def propose_transfer(*, acting_user, request, to_station, reason, reason_text="", version=None) -> Transfer:
    """The sending station proposes moving `request` to `to_station`, another station of the city."""
    access.require(access.may_change, acting_user, request)
    _checked(request.version if version is None else version, request.version)
    if not request.is_open:
        raise WorkflowError(f"当前状态为“{request.get_status_display()}”，不能转移。", code="transition")
    if to_station is None or not transfer_targets(request.station).filter(pk=to_station.pk).exists():
        raise WorkflowError({"to_station": "请选择其他社工站。"})
    reason_text = (reason_text or "").strip()
    if errors := Transfer.proposal_errors(reason, reason_text):
        raise WorkflowError(errors)
    if pending_transfer(request) is not None:
        raise WorkflowError("该诉求已有待接收的转移申请。")
    if request.resident_id and Transfer.objects.pending().filter(resident=request.resident_id).exists():
        raise WorkflowError("该诉求的居民已在转移中，诉求将随居民一同转移。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    request=request,
                    from_station=request.station,
                    to_station=to_station,
                    reason=reason,
                    reason_text=reason_text[:300],
                    proposed_by=acting_user,
                )
        except IntegrityError:  # a second proposal at the same moment (one pending per request)
            raise WorkflowError("该诉求已有待接收的转移申请。") from None
        record_event(
            request,
            actor=acting_user,
            kind=TimelineEvent.Kind.TRANSFER,
            text=timeline.transfer_proposed(
                request.station.name, to_station.name, Transfer.Reason(reason).label, reason_text
            ),
            transfer=transfer.pk,
        )
        tell(Event.TRANSFER_PROPOSED, transfer, proposal_recipients(transfer), actor=acting_user)
    return transfer


def proposal_recipients(transfer):
    """Who hears of a proposal: the receiving station's staff, and the receiving district's centre when
    the transfer crosses districts (it did not see the request before and answers for its stations)."""
    people = list(recipients.station_staff(transfer.to_station_id))
    if transfer.to_station.district_id != transfer.from_station.district_id:
        people += list(recipients.district_centre(transfer.to_station.district_id))
    return people


def _decide(transfer, to_status, *, acting_user, note, **changes):
    """StaleVersionError when someone answered first."""
    if not transfer.decide_once(to_status, acting_user=acting_user, note=note, **changes):
        raise StaleVersionError("该转移申请已被处理，请刷新后查看。")


def accept_transfer(*, acting_user, transfer, community, note="") -> Transfer:
    """The receiving station takes the request (or the resident, with their open requests and visit plan:
    `resident_transfers`) in, in `community` (one it serves)."""
    if not access.may_decide_transfer(acting_user, transfer):
        raise PermissionDenied
    if not transfer.is_pending:
        raise WorkflowError("该转移申请已被处理。")
    if community is None or not communities_of(transfer.to_station).filter(pk=community.pk).exists():
        raise WorkflowError({"community": "请选择本站服务的社区。"})
    note = (note or "").strip()
    with transaction.atomic():
        if transfer.of_resident:
            _accept_resident(transfer, acting_user=acting_user, community=community, note=note)
        else:
            _accept_request(transfer, acting_user=acting_user, community=community, note=note)
        tell(
            Event.TRANSFER_DECIDED,
            transfer,
            recipients.station_staff(transfer.from_station_id),
            actor=acting_user,
            outcome="已接收",
        )
    return transfer


def _accept_request(transfer, *, acting_user, community, note):
    request = Request.objects.select_for_update().get(pk=transfer.request_id)
    if not request.is_open:
        raise WorkflowError(f"该诉求已{request.get_status_display()}，不能接收。")
    _decide(transfer, Transfer.Status.ACCEPTED, acting_user=acting_user, note=note, to_community=community)
    if request.station_id != transfer.from_station_id:
        raise WorkflowError("该诉求已不在转出站，转移未执行。")
    move_request(
        request, request.version, actor=acting_user, station=transfer.to_station, community=community
    )
    record_event(
        request,
        actor=acting_user,
        kind=TimelineEvent.Kind.TRANSFER,
        text=timeline.transfer_decided(transfer.to_station.name, True, note),
        transfer=transfer.pk,
        from_station=transfer.from_station_id,
        to_station=transfer.to_station_id,
    )


def _accept_resident(transfer, *, acting_user, community, note):
    from residents.services import resident_transfers

    resident = (
        Resident.objects.select_for_update().select_related("community__street").get(pk=transfer.resident_id)
    )
    _decide(transfer, Transfer.Status.ACCEPTED, acting_user=acting_user, note=note, to_community=community)
    if resident_transfers.resident_station_id(resident) != transfer.from_station_id:
        raise WorkflowError("该居民已不在转出站，转移未执行。")
    stranded = resident_transfers.open_work_elsewhere(resident, transfer.from_station_id)
    if stranded:  # opened at the sender after the proposal
        raise WorkflowError(f"该居民在转出站还有未结束的{'、'.join(stranded)}，转移未执行。")
    resident_transfers.move_resident(
        acting_user=acting_user,
        resident=resident,
        from_station=transfer.from_station,
        to_station=transfer.to_station,
        community=community,
        text=timeline.transfer_decided(transfer.to_station.name, True, note),
        transfer=transfer.pk,
    )


def decline_transfer(*, acting_user, transfer, note) -> Transfer:
    """The receiving station declines, with the reason; the request (or resident) stays with the sender."""
    if not access.may_decide_transfer(acting_user, transfer):
        raise PermissionDenied
    if not transfer.is_pending:
        raise WorkflowError("该转移申请已被处理。")
    note = (note or "").strip()
    if not note:
        raise WorkflowError({"note": "请填写拒绝接收的原因。"})
    with transaction.atomic():
        _decide(transfer, Transfer.Status.DECLINED, acting_user=acting_user, note=note)
        _note(transfer, acting_user, timeline.transfer_decided(transfer.to_station.name, False, note))
        tell(
            Event.TRANSFER_DECIDED,
            transfer,
            recipients.station_staff(transfer.from_station_id),
            actor=acting_user,
            outcome=f"拒绝接收（{note}）",
        )
    return transfer


def cancel_transfer(*, acting_user, transfer) -> Transfer:
    """The sender withdraws a proposal that still waits."""
    from residents.services.resident_transfers import resident_station_id

    access.require(access.may_change, acting_user, transfer.subject)
    if transfer.of_resident:
        still_there = resident_station_id(transfer.resident) == transfer.from_station_id
    else:
        still_there = transfer.request.station_id == transfer.from_station_id
    if not still_there:
        raise PermissionDenied
    if not transfer.is_pending:
        raise WorkflowError("该转移申请已被处理。")
    with transaction.atomic():
        _decide(transfer, Transfer.Status.CANCELLED, acting_user=acting_user, note="")
        _note(transfer, acting_user, timeline.transfer_cancelled())
    return transfer


def _note(transfer, actor, text):
    """A line on the timeline of what the transfer moves: the request's, or the resident's."""
    if transfer.of_resident:
        from residents.services.resident_transfers import note_on_resident

        note_on_resident(transfer, actor, text)
    else:
        record_event(
            transfer.request, actor=actor, kind=TimelineEvent.Kind.TRANSFER, text=text, transfer=transfer.pk
        )


# --- The district centre's dispatch (派单) ------------------------------------------------------------
def awaiting_dispatch(user):
    """Open requests of `user`'s district that a receiving station declined and that wait for no other
    transfer: the district decides where they belong. (Unlocated 12345 orders, which have no request yet,
    wait in the hotline's 未能定位 queue and are placed there.)"""
    # Requests' transfers only: a resident's has no request_id, and a NULL in NOT IN matches nothing.
    of_requests = Transfer.objects.filter(request__isnull=False)
    declined = of_requests.filter(status=Transfer.Status.DECLINED).values("request_id")
    pending = of_requests.filter(status=Transfer.Status.PENDING).values("request_id")
    return (
        Request.objects.visible_to(user)
        .open()
        .filter(pk__in=declined)
        .exclude(pk__in=pending)
        .select_related("station", "community", "category")
        .order_by("due_at", "pk")
    )


def dispatch_request(*, acting_user, request, to_station, community, note="", version=None) -> Transfer:
    """The district centre sends an open request of its district to one of its stations, at once (no
    acceptance step: the centre decides). Recorded as an accepted, dispatched transfer for both sides."""
    if not access.may_dispatch(acting_user, request.station):
        raise PermissionDenied
    version = _checked(request.version if version is None else version, request.version)
    if not request.is_open:
        raise WorkflowError(f"当前状态为“{request.get_status_display()}”，不能派单。", code="transition")
    if to_station is None or not access.may_dispatch(acting_user, to_station):
        raise WorkflowError({"to_station": "只能派至本区的社工站。"})
    if to_station.pk == request.station_id:
        raise WorkflowError({"to_station": "该诉求已在此社工站。"})
    if community is None or not communities_of(to_station).filter(pk=community.pk).exists():
        raise WorkflowError({"community": "请选择该社工站服务的社区。"})
    if pending_transfer(request) is not None:
        raise WorkflowError("该诉求有待接收的转移申请，请待其处理后再派单。")
    note = (note or "").strip()
    from_station = request.station
    with transaction.atomic():
        now = timezone.now()
        transfer = Transfer.objects.create(
            request=request,
            from_station=from_station,
            to_station=to_station,
            to_community=community,
            reason=Transfer.Reason.OTHER,
            reason_text="区级派单",
            status=Transfer.Status.ACCEPTED,
            proposed_by=acting_user,
            proposed_at=now,
            decided_by=acting_user,
            decided_at=now,
            decision_note=note[:300],
            dispatched=True,
        )
        move_request(request, version, actor=acting_user, station=to_station, community=community)
        record_event(
            request,
            actor=acting_user,
            kind=TimelineEvent.Kind.DISPATCHED,
            text=timeline.dispatched(acting_user, from_station.name, to_station.name, note),
            transfer=transfer.pk,
            from_station=from_station.pk,
            to_station=to_station.pk,
        )
        people = [*recipients.station_staff(to_station.pk), *recipients.station_staff(from_station.pk)]
        tell(Event.TRANSFER_DECIDED, transfer, people, actor=acting_user, outcome="区级派单")
    return transfer
