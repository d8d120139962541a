"""接案: opening a case (directly for a registered resident, or from a request: 转为个案), its parties and
consent, the eligibility decision (立案 or 不予立案), and who works the case (lead, co-worker, shared)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import notices
from casework.models import Case, CaseConsent, CaseEvent, CaseParty, CaseReferenceCounter
from casework.models.cases import REVIEW_INTERVAL
from casework.services.common import (
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)
from residents.models import Request, Resident, TimelineEvent
from residents.services import next_in_sequence, station_workers
from residents.services.requests import record_event as record_request_event
from stations import access, locking

REFERENCE_PREFIX = "GA"
# A request that is still being worked, or was just resolved, may become a case; not one withdrawn,
# refused or closed after follow-up (open a case for the resident directly instead).
CONVERTIBLE_STATUSES = (*Request.OPEN_STATUSES, Request.Status.RESOLVED)


def next_case_reference(station, year: int) -> str:
    """The next case reference of `station` in `year`, e.g. GA-120113001-2026-00007 (the requests'
    counter mechanism, its own sequence)."""
    number = next_in_sequence(CaseReferenceCounter, station=station, year=year)
    return f"{REFERENCE_PREFIX}-{station.code}-{year}-{number:05d}"


def lock_case(case, version) -> None:
    """Check the version the user saw against the row of the case (or of one of its versioned records,
    e.g. a party), read under a row lock (the caller holds the transaction): two people submitting at
    once cannot both pass."""
    check_version(version, locking.locked_version(case))


def _bump(case, *fields) -> None:
    """Save `fields` of the case (or its versioned record) with the next version."""
    case.version += 1
    case.save(update_fields=[*fields, "version"])


def _station_worker(station_id, user, label):
    """`user` if they are active staff of the station, else a refusal naming the field."""
    if user is not None and not station_workers(station_id).filter(pk=user.pk).exists():
        raise CaseworkError({label: "只能选择本站在岗社工。"})
    return user


def _check_workers(case_station_id, client, lead_worker, co_worker):
    _station_worker(case_station_id, lead_worker, "lead_worker")
    _station_worker(case_station_id, co_worker, "co_worker")
    if co_worker is not None and co_worker.pk == lead_worker.pk:
        raise CaseworkError({"co_worker": "协同社工不能与主责社工为同一人。"})
    probe = Case(client=client, sensitive=False)
    for field, user in (("lead_worker", lead_worker), ("co_worker", co_worker)):
        if user is not None and not access.may_open(user, probe):
            raise CaseworkError(
                {field: f"{user}没有查看未成年人及敏感档案的权限，不能负责该服务对象的个案。"}
            )


def _refuse_second_open_case(station_id, client):
    existing = Case.objects.open().filter(station_id=station_id, client=client).first()
    if existing is not None:
        raise CaseworkError(f"{client.name}已有在办个案 {existing.reference}，请在该个案中继续服务。")


def _create_case(
    *,
    acting_user,
    station,
    client,
    source,
    presenting_problem,
    lead_worker,
    co_worker,
    risk,
    sensitive,
    request=None,
    text="",
):
    presenting_problem = (presenting_problem or "").strip()
    if not presenting_problem:
        raise CaseworkError({"presenting_problem": "请填写服务对象的主要问题。"})
    if source not in Case.Source.values:
        raise CaseworkError({"source": "请选择个案来源。"})
    if risk not in Case.Risk.values:
        raise CaseworkError({"risk": "请选择风险等级。"})
    lead_worker = lead_worker or acting_user
    _check_workers(station.pk, client, lead_worker, co_worker)
    _refuse_second_open_case(station.pk, client)
    now = timezone.now()
    case = Case(
        station=station,
        client=client,
        request=request,
        source=source,
        presenting_problem=presenting_problem,
        lead_worker=lead_worker,
        co_worker=co_worker,
        risk=risk,
        sensitive=bool(sensitive),
        opened_at=now,
        stage_since=now,
        created_by=acting_user,
    )
    case.reference = next_case_reference(station, timezone.localdate(now).year)
    case.save()
    record_event(case, CaseEvent.Kind.OPENED, acting_user, text, to_stage=Case.Stage.INTAKE)
    return case


def open_case(
    *,
    acting_user,
    client: Resident,
    source,
    presenting_problem,
    lead_worker=None,
    co_worker=None,
    risk=Case.Risk.LOW,
    sensitive=False,
) -> Case:
    """Open a case (接案) for a registered resident of the acting worker's station. The acting user is
    the station's staff and may open the resident's record (minors, sensitive tags); the lead worker
    (the acting user unless named) and the co-worker are active staff of the station who may too."""
    if not (access.is_station_user(acting_user) and access.works_at(acting_user, client)):
        raise PermissionDenied
    if not access.may_open(acting_user, client):
        raise PermissionDenied
    if source == Case.Source.REQUEST:
        raise CaseworkError({"source": "由诉求转为个案请在诉求页面操作“转为个案”。"})
    with transaction.atomic():
        return _create_case(
            acting_user=acting_user,
            station=acting_user.station,
            client=client,
            source=source,
            presenting_problem=presenting_problem,
            lead_worker=lead_worker,
            co_worker=co_worker,
            risk=risk,
            sensitive=sensitive,
        )


def open_case_from_request(
    *,
    acting_user,
    request: Request,
    presenting_problem=None,
    lead_worker=None,
    co_worker=None,
    risk=Case.Risk.LOW,
    sensitive=False,
) -> Case:
    """转为个案: a request that needs casework becomes a case of its station, for its resident. The
    request links to the case (`request.case`) and both timelines say so; a request becomes a case once."""
    if not access.works_at(acting_user, request):
        raise PermissionDenied
    if request.resident_id is None:
        raise CaseworkError("该诉求未关联登记居民，请先登记居民并关联到诉求，再转为个案。")
    if not access.may_open(acting_user, request.resident):
        raise PermissionDenied
    try:
        with transaction.atomic():
            # The request's row lock: two workers converting it at once wait for each other here.
            Request.objects.select_for_update().filter(pk=request.pk).values_list("pk").get()
            existing = Case.objects.filter(request_id=request.pk).values_list("reference", flat=True).first()
            if existing:
                raise CaseworkError(f"该诉求已转为个案 {existing}，不能重复转换。", code="converted")
            status = Request.objects.filter(pk=request.pk).values_list("status", flat=True).get()
            if status not in CONVERTIBLE_STATUSES:
                raise CaseworkError(f"诉求当前为“{Request.Status(status).label}”，不能转为个案。")
            case = _create_case(
                acting_user=acting_user,
                station=request.station,
                client=request.resident,
                source=Case.Source.REQUEST,
                presenting_problem=request.description if presenting_problem is None else presenting_problem,
                lead_worker=lead_worker,
                co_worker=co_worker,
                risk=risk,
                sensitive=sensitive,
                request=request,
                text=f"由诉求 {request.reference} 转为个案。",
            )
            record_request_event(
                request,
                actor=acting_user,
                kind=TimelineEvent.Kind.NOTE,
                text=f"转为个案 {case.reference}，由{case.lead_worker}主责跟进。",
                case=case.pk,
                case_reference=case.reference,
            )
    except IntegrityError:
        # The one-to-one link refused a second case for the request (a race the lock did not see).
        raise CaseworkError("该诉求已转为个案，不能重复转换。", code="converted") from None
    return case


# --- Parties and consent -----------------------------------------------------------------------------


def _require_open(case: Case):
    if not case.is_open:
        raise CaseworkError(f"个案已{case.get_stage_display()}，不能再修改。")


def _clean_party(acting_user, case: Case, *, relation, resident, name, is_guardian, phone, note) -> dict:
    """The party's fields checked (a registered resident of the user's scope, never the client), or a
    refusal naming the field."""
    relation = (relation or "").strip()
    name = (name or "").strip()
    if not relation:
        raise CaseworkError({"relation": "请填写与服务对象的关系。"})
    if resident is None and not name:
        raise CaseworkError({"name": "请填写姓名，或选择已登记的居民。"})
    if resident is not None:
        if not Resident.objects.visible_to(acting_user).filter(pk=resident.pk).exists():
            raise CaseworkError({"resident": "只能选择本站服务范围内的居民。"})
        if resident.pk == case.client_id:
            raise CaseworkError({"resident": "相关人员不能是服务对象本人。"})
    return {
        "resident": resident,
        "name": name or (resident.name if resident else ""),
        "relation": relation,
        "is_guardian": bool(is_guardian),
        "phone": (phone or "").strip(),
        "note": (note or "").strip(),
    }


def _party_text(party: CaseParty) -> str:
    return f"{party.name}，{party.relation}" + ("（监护人）" if party.is_guardian else "")


def add_case_party(
    *, acting_user, case: Case, relation, resident=None, name="", is_guardian=False, phone="", note=""
) -> CaseParty:
    """A person around the client: a registered resident of the station's scope, or a name."""
    require_case_worker(acting_user, case)
    _require_open(case)
    fields = _clean_party(
        acting_user,
        case,
        relation=relation,
        resident=resident,
        name=name,
        is_guardian=is_guardian,
        phone=phone,
        note=note,
    )
    with transaction.atomic():
        party = CaseParty.objects.create(case=case, **fields)
        record_event(case, CaseEvent.Kind.NOTE, acting_user, f"添加相关人员：{_party_text(party)}")
    return party


def update_case_party(
    *,
    acting_user,
    party: CaseParty,
    version,
    relation,
    resident=None,
    name="",
    is_guardian=False,
    phone="",
    note="",
) -> CaseParty:
    """修改相关人员, by the case's workers while it is open; a stale page is refused (two workers)."""
    case = party.case
    require_case_worker(acting_user, case)
    _require_open(case)
    fields = _clean_party(
        acting_user,
        case,
        relation=relation,
        resident=resident,
        name=name,
        is_guardian=is_guardian,
        phone=phone,
        note=note,
    )
    with transaction.atomic():
        lock_case(party, version)
        before = _party_text(party)
        for field, value in fields.items():
            setattr(party, field, value)
        _bump(party, *fields)
        record_event(case, CaseEvent.Kind.NOTE, acting_user, f"修改相关人员：{before} → {_party_text(party)}")
    return party


def remove_case_party(*, acting_user, party: CaseParty, version) -> None:
    """删除相关人员, by the case's workers while it is open. The client is not a party (it is the case's
    `client`), so the client can never be removed this way."""
    case = party.case
    require_case_worker(acting_user, case)
    _require_open(case)
    with transaction.atomic():
        lock_case(party, version)
        text = _party_text(party)
        party.delete()
        record_event(case, CaseEvent.Kind.NOTE, acting_user, f"删除相关人员：{text}")


def record_consent(
    *, acting_user, case: Case, given_by, given_on, method, relation="本人", witness=""
) -> CaseConsent:
    """知情同意: who gave it, when, how. A signed form (its scan is attached to the consent) or verbal
    consent before a witness; a minor's consent is given by a guardian."""
    require_case_worker(acting_user, case)
    _require_open(case)
    given_by, relation, witness = (given_by or "").strip(), (relation or "").strip(), (witness or "").strip()
    errors = {}
    if not given_by:
        errors["given_by"] = "请填写同意人。"
    if not relation:
        errors["relation"] = "请填写同意人与服务对象的关系。"
    if method not in CaseConsent.Method.values:
        errors["method"] = "请选择同意方式。"
    elif method == CaseConsent.Method.VERBAL and not witness:
        errors["witness"] = "口头同意需填写见证人。"
    if not isinstance(given_on, datetime.date):
        errors["given_on"] = "请填写同意日期。"
    elif given_on > timezone.localdate():
        errors["given_on"] = "同意日期不能晚于今天。"
    elif given_on < timezone.localtime(case.opened_at).date() - datetime.timedelta(days=30):
        errors["given_on"] = "同意日期不能早于接案日期一个月以上。"
    if case.client.is_minor and relation == "本人" and not errors.get("relation"):
        errors["relation"] = "服务对象为未成年人，应由监护人表示同意。"
    if errors:
        raise CaseworkError(errors)
    with transaction.atomic():
        consent = CaseConsent.objects.create(
            case=case,
            given_by=given_by,
            relation=relation,
            given_on=given_on,
            method=method,
            witness=witness,
            recorded_by=acting_user,
        )
        how = consent.get_method_display() + (f"，见证人{witness}" if witness else "")
        record_event(
            case, CaseEvent.Kind.CONSENT, acting_user, f"{given_by}（{relation}）{given_on:%Y-%m-%d}：{how}"
        )
    return consent


# --- Eligibility ---------------------------------------------------------------------------------------


def accept_case(*, acting_user, case: Case, eligibility_note="", version=None) -> Case:
    """立案: the case meets the criteria and the client consented; it moves on to 预估, and its first
    review falls due in `REVIEW_INTERVAL`."""
    require_case_worker(acting_user, case)
    with transaction.atomic():
        lock_case(case, case.version if version is None else version)
        if case.stage != Case.Stage.INTAKE:
            raise CaseworkError(
                f"个案当前处于“{case.get_stage_display()}”阶段，不能立案。", code="transition"
            )
        if not case.consents.exists():
            raise CaseworkError("请先记录服务对象的知情同意，再立案。", code="consent")
        now = timezone.now()
        case.eligible = True
        case.eligibility_note = (eligibility_note or "").strip()
        case.accepted_at = now
        case.review_due_on = timezone.localdate(now) + REVIEW_INTERVAL
        case.save(update_fields=["eligible", "eligibility_note", "accepted_at", "review_due_on"])
        move_stage(case, Case.Stage.ASSESSMENT, acting_user, CaseEvent.Kind.ACCEPTED, case.eligibility_note)
    return case


def decline_case(*, acting_user, case: Case, reason, version=None) -> Case:
    """不予立案, with the reason (also on the source request's timeline)."""
    require_case_worker(acting_user, case)
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError({"reason": "请填写不予立案的原因。"})
    with transaction.atomic():
        lock_case(case, case.version if version is None else version)
        if case.stage != Case.Stage.INTAKE:
            raise CaseworkError(
                f"个案当前处于“{case.get_stage_display()}”阶段，不能不予立案。", code="transition"
            )
        case.eligible = False
        case.declined_reason = reason
        case.save(update_fields=["eligible", "declined_reason"])
        move_stage(case, Case.Stage.DECLINED, acting_user, CaseEvent.Kind.DECLINED, reason)
        if case.request_id:
            record_request_event(
                case.request,
                actor=acting_user,
                kind=TimelineEvent.Kind.NOTE,
                text=f"个案 {case.reference} 不予立案：{reason}",
                case=case.pk,
            )
    return case


# --- Who works the case ----------------------------------------------------------------------------------


def may_change_workers(user, case: Case, *, works=None) -> bool:
    """The station head, or the case's lead worker handing it on. `works`: the caller already knows
    whether the user works the case (the case page); else it is read."""
    works = access.works_at(user, case) if works is None else works
    return works and (access.is_station_head(user) or user.pk == case.lead_worker_id)


def change_case_workers(*, acting_user, case: Case, lead_worker, co_worker=None, version=None) -> Case:
    """更换社工: a new lead worker and/or co-worker, of the case's station."""
    require_case_worker(acting_user, case)
    if not may_change_workers(acting_user, case):
        raise CaseworkError("只有站长或主责社工可以更换个案社工。", code="not_allowed")
    _require_open(case)
    if lead_worker is None:
        raise CaseworkError({"lead_worker": "请选择主责社工。"})
    _check_workers(case.station_id, case.client, lead_worker, co_worker)
    if case.sensitive:
        for field, user in (("lead_worker", lead_worker), ("co_worker", co_worker)):
            if user is not None and not access.may_open(user, case):
                raise CaseworkError({field: f"{user}没有查看敏感档案的权限，不能负责该个案。"})
    if lead_worker.pk == case.lead_worker_id and (co_worker and co_worker.pk) == case.co_worker_id:
        raise CaseworkError("社工没有变化。")
    before = f"主责{case.lead_worker}" + (f"、协同{case.co_worker}" if case.co_worker_id else "")
    assigned = [(lead_worker, "主责社工")] if lead_worker.pk != case.lead_worker_id else []
    if co_worker is not None and co_worker.pk != case.co_worker_id:
        assigned.append((co_worker, "协同社工"))
    with transaction.atomic():
        lock_case(case, case.version if version is None else version)
        case.lead_worker, case.co_worker = lead_worker, co_worker
        _bump(case, "lead_worker", "co_worker")
        case.shared_with.remove(*[u for u in (lead_worker, co_worker) if u is not None])
        after = f"主责{lead_worker}" + (f"、协同{co_worker}" if co_worker else "")
        event = record_event(
            case,
            CaseEvent.Kind.WORKERS,
            acting_user,
            f"社工变更：{before} → {after}",
            lead_worker=lead_worker.pk,
            co_worker=co_worker.pk if co_worker else None,
        )
        notices.case_assigned(case, assigned, actor=acting_user, event_pk=event.pk)
    return case


def share_case(*, acting_user, case: Case, colleague) -> Case:
    """共享: a colleague of the station reads and works the case too (e.g. covering a leave). Who reads a
    confidential case is the head's or the lead worker's decision, as who works it."""
    require_case_worker(acting_user, case)
    if not may_change_workers(acting_user, case):
        raise CaseworkError("只有站长或主责社工可以共享个案。", code="not_allowed")
    _require_open(case)
    _station_worker(case.station_id, colleague, "colleague")
    if colleague is None:
        raise CaseworkError({"colleague": "请选择同事。"})
    if colleague.pk in case.workers() or case.shared_with.filter(pk=colleague.pk).exists():
        raise CaseworkError({"colleague": f"{colleague}已经可以查看该个案。"})
    if not access.may_open(colleague, case):
        raise CaseworkError({"colleague": f"{colleague}没有查看未成年人及敏感档案的权限。"})
    with transaction.atomic():
        case.shared_with.add(colleague)
        event = record_event(
            case, CaseEvent.Kind.WORKERS, acting_user, f"共享给{colleague}", shared_with=colleague.pk
        )
        notices.case_assigned(case, [(colleague, "共享")], actor=acting_user, event_pk=event.pk)
    return case


def unshare_case(*, acting_user, case: Case, colleague) -> Case:
    require_case_worker(acting_user, case)
    if not may_change_workers(acting_user, case):
        raise CaseworkError("只有站长或主责社工可以取消共享。", code="not_allowed")
    if colleague is None or not case.shared_with.filter(pk=colleague.pk).exists():
        raise CaseworkError({"colleague": "该同事不在共享名单中。"})
    with transaction.atomic():
        case.shared_with.remove(colleague)
        record_event(
            case, CaseEvent.Kind.WORKERS, acting_user, f"取消共享：{colleague}", unshared=colleague.pk
        )
    return case
