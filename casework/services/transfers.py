"""A case's transfer to another station (个案转移).

The lead worker or the station head proposes, naming any other station of the city; the receiving
station's head accepts, naming the lead worker there and the client's community, or declines with a
reason; the sender may withdraw while it waits. Until accepted the sender keeps the case.

Acceptance moves, in one transaction: the case (its station; its assessments, plans, records, tasks,
parties and timeline hang off it and are read under its confidentiality rule from then on), the open
tasks to the new lead worker, and the client with their open requests (the case's own request among them)
and visit plan (`residents.services.resident_transfers.move_resident`). The client moves only when the
case is all they have open at the sender: any other open request or case refuses the proposal (and the
acceptance), naming it. Service records keep the station that delivered them: access goes with the case,
but the sender's monthly figures (and its locked reports) do not change.

Decisions are a conditional UPDATE on the pending status: two heads answering at once cannot both win,
and a pending transfer blocks nobody from reading the case.
"""

import copy

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from casework.models import Case, CaseEvent, CaseTask, CaseTransfer
from casework.services.common import CaseworkError, check_version, record_event, require_case_worker
from notifications import dispatch, recipients
from notifications.events import Event
from residents import auditing
from residents.handover import handover_colleagues
from residents.models import Request, Transfer
from residents.services import resident_transfers
from residents.services.transfers import communities_of, transfer_targets
from stations import access, locking


def receiving_workers(station):
    """Who may lead the case at `station`: its active staff posted there today."""
    return handover_colleagues(station.pk, None)


def open_work_left(case) -> list[str]:
    """What else the client has open at the case's station: other open requests (not the case's own)
    and other open cases, and a pending transfer of the client. Empty: the client may move with it."""
    client = case.client
    left = [
        f"诉求 {ref}"
        for ref in Request.objects.filter(
            resident=client, station_id=case.station_id, status__in=Request.OPEN_STATUSES
        )
        .exclude(pk=case.request_id)
        .order_by("pk")
        .values_list("reference", flat=True)[:5]
    ]
    left += [
        f"个案 {ref}"
        for ref in Case.objects.open()
        .filter(client=client, station_id=case.station_id)
        .exclude(pk=case.pk)
        .order_by("pk")
        .values_list("reference", flat=True)[:5]
    ]
    if Transfer.objects.pending().filter(resident=client).exists():
        left.append("待接收的居民转移申请")
    return left


def _refuse_if_work_left(case):
    left = open_work_left(case)
    if left:
        raise CaseworkError(
            f"服务对象在本站还有未结束的{'、'.join(left)}，居民档案无法随个案转移。请先办结或一并转移后再转移个案。"
        )


def _tell(event, transfer, people, *, actor, outcome=""):
    dispatch.notify(
        event,
        recipients=people,
        target=f"case-transfer:{transfer.pk}:{transfer.status}",
        url=reverse("casework:case-transfer-inbox"),
        context={
            "subject": "个案",
            "reference": transfer.case.reference,
            "station": transfer.from_station.name,
            "to_station": transfer.to_station.name,
            "outcome": outcome,
        },
        station=transfer.to_station if event == Event.TRANSFER_PROPOSED else transfer.from_station,
        actor=actor,
    )


def pending_case_transfer(case):
    return (
        CaseTransfer.objects.pending().filter(case=case).select_related("to_station", "proposed_by").first()
    )


def propose_case_transfer(
    *, acting_user, case, to_station, reason, reason_text="", version=None
) -> CaseTransfer:
    require_case_worker(acting_user, case)
    if not access.may_propose_case_transfer(acting_user, case):
        raise PermissionDenied
    check_version(case.version if version is None else version, case.version)
    if not case.is_open:
        raise CaseworkError(f"个案已{case.get_stage_display()}，不能转移。")
    if to_station is None or not transfer_targets(case.station).filter(pk=to_station.pk).exists():
        raise CaseworkError({"to_station": "请选择其他社工站。"})
    reason_text = (reason_text or "").strip()
    if errors := CaseTransfer.proposal_errors(reason, reason_text):
        raise CaseworkError(errors)
    if pending_case_transfer(case) is not None:
        raise CaseworkError("该个案已有待接收的转移申请。")
    _refuse_if_work_left(case)
    with transaction.atomic():
        try:
            with transaction.atomic():
                transfer = CaseTransfer.objects.create(
                    case=case,
                    from_station=case.station,
                    to_station=to_station,
                    reason=reason,
                    reason_text=reason_text[:300],
                    proposed_by=acting_user,
                )
        except IntegrityError:  # a second proposal at the same moment
            raise CaseworkError("该个案已有待接收的转移申请。") from None
        record_event(
            case,
            CaseEvent.Kind.TRANSFER,
            acting_user,
            f"提出转移：由{case.station.name}转至{to_station.name}（{transfer.reason_display()}）",
            transfer=transfer.pk,
        )
        people = list(recipients.station_heads(to_station.pk))
        if to_station.district_id != case.station.district_id:
            people += list(recipients.district_centre(to_station.district_id))
        _tell(Event.TRANSFER_PROPOSED, transfer, people, actor=acting_user)
    return transfer


def _decide(transfer, to_status, *, acting_user, note, **changes):
    if not transfer.decide_once(to_status, acting_user=acting_user, note=note, **changes):
        raise CaseworkError("该转移申请已被处理，请刷新后查看。", code="stale")


def accept_case_transfer(*, acting_user, transfer, lead_worker, community, note="") -> CaseTransfer:
    if not access.may_decide_case_transfer(acting_user, transfer):
        raise PermissionDenied
    if not transfer.is_pending:
        raise CaseworkError("该转移申请已被处理。")
    to_station = transfer.to_station
    if lead_worker is None or not receiving_workers(to_station).filter(pk=lead_worker.pk).exists():
        raise CaseworkError({"lead_worker": "请选择本站在岗的社工担任主责社工。"})
    if community is None or not communities_of(to_station).filter(pk=community.pk).exists():
        raise CaseworkError({"community": "请选择本站服务的社区。"})
    note = (note or "").strip()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("client__community__street", "station")
            .get(pk=transfer.case_id)
        )
        _decide(
            transfer,
            CaseTransfer.Status.ACCEPTED,
            acting_user=acting_user,
            note=note,
            lead_worker=lead_worker,
            to_community=community,
        )
        if case.station_id != transfer.from_station_id or not case.is_open:
            raise CaseworkError("该个案已不在转出站或已结束，转移未执行。")
        _refuse_if_work_left(case)  # opened at the sender after the proposal
        from_station = case.station
        before = copy.copy(case)
        locking.update_versioned(
            case, case.version, station=to_station, lead_worker=lead_worker, co_worker=None
        )
        auditing.log_update(case, before, actor=acting_user)
        case.shared_with.clear()  # colleagues at the sender shared with no longer read it
        for task in CaseTask.objects.open().filter(case=case).select_for_update().order_by("pk"):
            before = copy.copy(task)
            locking.update_versioned(task, task.version, owner=lead_worker)
            auditing.log_update(task, before, actor=acting_user)
        text = f"{to_station.name}已接收转移，主责社工：{lead_worker}" + (f"：{note}" if note else "")
        counts = resident_transfers.move_resident(
            acting_user=acting_user,
            resident=case.client,
            from_station=from_station,
            to_station=to_station,
            community=community,
            text=f"随个案 {case.reference} 转移：{text}",
            case_transfer=transfer.pk,
        )
        record_event(
            case,
            CaseEvent.Kind.TRANSFER,
            acting_user,
            f"{text}。服务对象档案及未办结诉求 {counts['requests']} 件随同转移",
            transfer=transfer.pk,
            from_station=from_station.pk,
            to_station=to_station.pk,
            lead_worker=lead_worker.pk,
        )
        _tell(
            Event.TRANSFER_DECIDED,
            transfer,
            recipients.station_staff(transfer.from_station_id),
            actor=acting_user,
            outcome="已接收",
        )
    return transfer


def decline_case_transfer(*, acting_user, transfer, note) -> CaseTransfer:
    if not access.may_decide_case_transfer(acting_user, transfer):
        raise PermissionDenied
    if not transfer.is_pending:
        raise CaseworkError("该转移申请已被处理。")
    note = (note or "").strip()
    if not note:
        raise CaseworkError({"note": "请填写拒绝接收的原因。"})
    with transaction.atomic():
        _decide(transfer, CaseTransfer.Status.DECLINED, acting_user=acting_user, note=note)
        record_event(
            transfer.case,
            CaseEvent.Kind.TRANSFER,
            acting_user,
            f"{transfer.to_station.name}拒绝接收转移：{note}",
            transfer=transfer.pk,
        )
        _tell(
            Event.TRANSFER_DECIDED,
            transfer,
            recipients.station_staff(transfer.from_station_id),
            actor=acting_user,
            outcome=f"拒绝接收（{note}）",
        )
    return transfer


def cancel_case_transfer(*, acting_user, transfer) -> CaseTransfer:
    case = transfer.case
    require_case_worker(acting_user, case)
    if case.station_id != transfer.from_station_id or not access.may_propose_case_transfer(acting_user, case):
        raise PermissionDenied
    if not transfer.is_pending:
        raise CaseworkError("该转移申请已被处理。")
    with transaction.atomic():
        _decide(transfer, CaseTransfer.Status.CANCELLED, acting_user=acting_user, note="")
        record_event(case, CaseEvent.Kind.TRANSFER, acting_user, "撤回转移申请", transfer=transfer.pk)
    return transfer


def describe_open_cases(resident, station_id) -> list[str]:
    """For a resident's own transfer (residents.services.resident_transfers): their open cases at the
    station, which move by a case transfer, not with the resident."""
    return [
        f"个案 {ref}"
        for ref in Case.objects.open()
        .filter(client=resident, station_id=station_id)
        .order_by("pk")
        .values_list("reference", flat=True)[:5]
    ]
