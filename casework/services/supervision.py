"""督导: a district supervisor's notes on a case, supervision sessions with a station's workers (their action
items and when they are done), and the district's review queue (what needs the supervisor's attention).

The acting supervisor must be a designated supervisor of the station's own district
(`casework.permissions.supervises`); for a case, she must also be allowed to open it (a minor's or
sensitive case: `access.may_open`). Sign-off and return of closures are the closure steps' own
(`services.sign_off_closure` / `return_closure`)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from casework.models import Case, CaseEvent, CasePlan, Closure, SupervisionActionItem, SupervisionSession
from casework.permissions import supervises
from casework.services.common import CaseworkError, check_version, record_event
from stations import access, periods

NOTE_MAX = 2000
# A high-risk open case with no supervision note for this long is in the review queue.
NOTE_INTERVAL = datetime.timedelta(days=30)
# A plan submitted to the station head this long ago and not yet decided is in the review queue.
PLAN_WAIT = datetime.timedelta(days=7)
QUEUE_ROWS = 50  # each list of the queue shows the oldest this many (the count is of all)


def require_case_supervisor(user, case: Case) -> None:
    """The supervisor of the case's district who may open the case; anyone else: PermissionDenied."""
    if not (supervises(user, case.station) and access.may_open(user, case)):
        raise PermissionDenied


def _clean_text(text, label, limit=NOTE_MAX) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseworkError(f"请填写{label}。", code="required")
    if len(text) > limit:
        raise CaseworkError(f"{label}不能超过 {limit} 字。", code="max_length")
    return text


def add_supervision_note(*, acting_user, case: Case, text: str) -> CaseEvent:
    """A supervision note (督导意见) on the case's timeline. Any stage, open or closed: a supervisor may
    comment on a closed case's file too."""
    require_case_supervisor(acting_user, case)
    text = _clean_text(text, "督导意见")
    with transaction.atomic():
        return record_event(case, CaseEvent.Kind.SUPERVISION, acting_user, text)


def _station_staff_ids(station) -> set[int]:
    from stations.models import User

    return set(
        User.objects.filter(station=station, role__in=access.STATION_ROLES, is_active=True).values_list(
            "pk", flat=True
        )
    )


def record_supervision_session(
    *,
    acting_user,
    station,
    date: datetime.date,
    form: str,
    topics: str,
    workers,
    cases=(),
    notes: str = "",
    action_items=(),
) -> SupervisionSession:
    """A supervision session with a station's workers (个别/团体/现场督导), the cases discussed and the
    action items (text, owner, due date). Workers and owners are the station's staff, cases the station's
    cases the supervisor reads; anything else is refused (a forged id), nothing half-saved."""
    if not supervises(acting_user, station):
        raise PermissionDenied
    if form not in SupervisionSession.Form.values:
        raise CaseworkError("请选择督导形式。", code="form")
    if date is None:
        raise CaseworkError("请填写督导日期。", code="date")
    if date > timezone.localdate():
        raise CaseworkError("督导日期不能晚于今天。", code="date")
    topics = _clean_text(topics, "督导主题")
    notes = (notes or "").strip()
    if len(notes) > 4000:
        raise CaseworkError("督导记录不能超过 4000 字。", code="max_length")
    workers = list(workers)
    if not workers:
        raise CaseworkError("请选择受督导的社工。", code="workers")
    staff = _station_staff_ids(station)
    if any(worker.pk not in staff for worker in workers):
        raise CaseworkError("受督导社工须为该社工站的在岗社工。", code="workers")
    cases = list(cases)
    discussed = Case.objects.visible_to(acting_user).filter(station=station, pk__in=[c.pk for c in cases])
    readable = set(discussed.values_list("pk", flat=True))
    if any(case.pk not in readable for case in cases):
        raise CaseworkError("讨论的个案须为该社工站的个案。", code="cases")
    if any(not access.may_open(acting_user, case) for case in cases):
        raise PermissionDenied
    items = []
    for text, owner, due_on in action_items:
        text = _clean_text(text, "改进事项", 300)
        if owner is None or owner.pk not in staff:
            raise CaseworkError("改进事项的负责人须为该社工站的在岗社工。", code="owner")
        if due_on is None:
            raise CaseworkError("请填写改进事项的截止日期。", code="due_on")
        if due_on < date:
            raise CaseworkError("改进事项的截止日期不能早于督导日期。", code="due_on")
        items.append(SupervisionActionItem(text=text, owner=owner, due_on=due_on))
    with transaction.atomic():
        try:  # a session dated in a locked (approved) month needs a late-entry permit
            periods.check_open(acting_user, station, date, kind="督导记录", label=topics[:100])
        except ValidationError as error:
            raise CaseworkError(periods.LOCKED_MESSAGE, code="date") from error
        session = SupervisionSession.objects.create(
            district_id=station.district_id,
            station=station,
            supervisor=acting_user,
            date=date,
            form=form,
            topics=topics,
            notes=notes,
        )
        session.workers.set(workers)
        session.cases.set(cases)
        for item in items:
            item.session = session
            item.save()
        for case in cases:  # each case's timeline says it was discussed (the topics only, not the notes)
            record_event(
                case,
                CaseEvent.Kind.SUPERVISION,
                acting_user,
                f"{session.get_form_display()}（{date:%Y-%m-%d}）讨论本案：{topics}",
                session=session.pk,
            )
    return session


def may_complete_action_item(user, item: SupervisionActionItem) -> bool:
    """The owner, the station's head, or the session's district supervisors mark an item done."""
    session = item.session
    if supervises(user, session.station):
        return True
    if not access.works_at(user, session):
        return False
    return item.owner_id == user.pk or access.is_station_head(user)


def complete_action_item(*, acting_user, item: SupervisionActionItem, version) -> SupervisionActionItem:
    if not may_complete_action_item(acting_user, item):
        raise PermissionDenied
    with transaction.atomic():
        current = SupervisionActionItem.objects.select_for_update().get(pk=item.pk)
        check_version(version, current.version)
        if current.done_on is not None:
            raise CaseworkError("该改进事项已完成。", code="done")
        current.done_on = timezone.localdate()
        current.version += 1
        current.save(update_fields=["done_on", "version"])
    return current


# --- The review queue ---------------------------------------------------------------------------------


def review_queue(user, today=None) -> dict:
    """What needs a supervisor's attention in her district, each list oldest first with its full count:
    closures awaiting her sign-off, plans the station head has left waiting, high-risk open cases with no
    recent supervision note, open cases past their review date. A fixed number of queries."""
    today = today or timezone.localdate()
    now = timezone.now()
    cases = Case.objects.visible_to(user).select_related("station", "client", "lead_worker")
    closures = (
        Closure.objects.visible_to(user)
        .filter(status=Closure.Status.PENDING_DISTRICT)
        .select_related("case__station", "case__client", "case__lead_worker", "head_approved_by")
        .order_by("head_approved_at", "pk")
    )
    plans = (
        CasePlan.objects.visible_to(user)
        .filter(status=CasePlan.Status.SUBMITTED, submitted_at__lt=now - PLAN_WAIT)
        .select_related("case__station", "case__client", "author")
        .order_by("submitted_at", "pk")
    )
    recent_note = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind=CaseEvent.Kind.SUPERVISION, at__gte=now - NOTE_INTERVAL
    )
    unsupervised = (
        cases.open().filter(risk=Case.Risk.HIGH).exclude(Exists(recent_note)).order_by("opened_at", "pk")
    )
    overdue = cases.open().filter(review_due_on__lt=today).order_by("review_due_on", "pk")
    lists = {"closures": closures, "plans": plans, "unsupervised": unsupervised, "overdue_reviews": overdue}
    return {key: {"count": rows.count(), "rows": list(rows[:QUEUE_ROWS])} for key, rows in lists.items()}
