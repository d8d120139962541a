"""个案会议: a case conference (participants, decisions) and its follow-up tasks, which are CaseTasks
pointing back at the conference (the tasks' list and 我的待办 show them like any other task)."""

import datetime

from django.db import transaction
from django.utils import timezone

from casework.models import Case, CaseConference, CaseEvent, CaseTask
from casework.services.common import CaseworkError, record_event, require_case_worker


def _owner_reads_case(owner, case: Case) -> bool:
    return Case.objects.editable_by(owner).filter(pk=case.pk).exists()


def hold_case_conference(
    *,
    acting_user,
    case: Case,
    date: datetime.date,
    participants: str,
    decisions: str,
    staff=(),
    tasks=(),
) -> CaseConference:
    """Record a conference on an open case, held by one of its workers (or its head). `staff` are the
    station's workers who took part; `tasks` are (title, owner, due date): owners must work the case (they
    read it), due dates not before the conference. All or nothing."""
    require_case_worker(acting_user, case)
    if not case.is_open:
        raise CaseworkError("个案已结束，不能再召开个案会议。", code="closed")
    if date is None:
        raise CaseworkError("请填写会议日期。", code="date")
    if date > timezone.localdate():
        raise CaseworkError("会议日期不能晚于今天。", code="date")
    participants = (participants or "").strip()
    decisions = (decisions or "").strip()
    if not participants:
        raise CaseworkError("请填写参会人员。", code="participants")
    if not decisions:
        raise CaseworkError("请填写会议决定。", code="decisions")
    if len(participants) > 1000 or len(decisions) > 4000:
        raise CaseworkError("参会人员不超过 1000 字，会议决定不超过 4000 字。", code="max_length")
    staff = list(staff)
    if any(person.station_id != case.station_id for person in staff):
        raise CaseworkError("参会社工须为本站社工。", code="staff")
    rows = []
    for title, owner, due_on in tasks:
        title = (title or "").strip()
        if not title:
            raise CaseworkError("请填写待办事项。", code="task")
        if len(title) > 200:
            raise CaseworkError("待办事项不能超过 200 字。", code="task")
        if owner is None or owner.station_id != case.station_id or not _owner_reads_case(owner, case):
            raise CaseworkError("待办负责人须为本案社工或本站站长。", code="owner")
        if due_on is None or due_on < date:
            raise CaseworkError("待办的截止日期须不早于会议日期。", code="due_on")
        rows.append((title, owner, due_on))
    with transaction.atomic():
        conference = CaseConference.objects.create(
            case=case, date=date, participants=participants, decisions=decisions, recorded_by=acting_user
        )
        conference.staff.set(staff)
        for title, owner, due_on in rows:
            CaseTask.objects.create(
                case=case,
                stage=case.stage,
                title=title,
                owner=owner,
                due_on=due_on,
                conference=conference,
                created_by=acting_user,
            )
        record_event(
            case,
            CaseEvent.Kind.CONFERENCE,
            acting_user,
            f"个案会议（{date:%Y-%m-%d}）：{decisions}",
            conference=conference.pk,
            tasks=len(rows),
        )
    return conference
