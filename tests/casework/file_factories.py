"""A case with a record of every stage, written straight to the database (set-up for the case file, the
register and the query bounds; the steps themselves are tested through the services)."""

import datetime

from django.utils import timezone

from casework.models import (
    Assessment,
    AssessmentDomain,
    Case,
    CaseConference,
    CaseConsent,
    CaseEvaluation,
    CaseEvent,
    CaseParty,
    CasePlan,
    CaseTask,
    Closure,
    Goal,
    GoalAttainment,
    Intervention,
    ServiceRecord,
)
from tests.casework.factories import make_case

D = datetime.date


def make_full_case(station, client, lead, head, *, supervisor=None, repeat=1, **fields):
    """A closed case: parties, consent, `repeat` assessments (the last submitted), plans, goals,
    interventions, service records, evaluations, a closure signed off, a supervision note, a conference
    with its task; `repeat` copies of each list, so a test can grow the case without new kinds of rows."""
    fields.setdefault("stage", Case.Stage.CLOSED)
    fields.setdefault("risk", Case.Risk.HIGH)
    case = make_case(station, client, lead, **fields)
    now = timezone.now()
    for n in range(1, repeat + 1):
        CaseParty.objects.create(case=case, name=f"刘建国{n}", relation="父亲", is_guardian=True)
        CaseConsent.objects.create(
            case=case,
            given_by="刘建国",
            relation="父亲",
            given_on=D(2026, 3, 2),
            method="signed",
            recorded_by=lead,
        )
        assessment = Assessment.objects.create(
            case=case,
            number=n,
            overall_risk="high",
            needs="法律援助\n学业支持",
            summary=f"第{n}次预估小结",
            author=lead,
            submitted_at=now,
        )
        AssessmentDomain.objects.create(
            assessment=assessment, domain="rights", findings="需司法救助", rating=1
        )
        AssessmentDomain.objects.create(assessment=assessment, domain="family", findings="监护不足", rating=2)
        plan = CasePlan.objects.create(
            case=case, number=n, status="approved", summary="链接法律援助", client_agreed=True, author=lead
        )
        goal = Goal.objects.create(
            plan=plan, text=f"获得法律援助{n}", indicator="受理", target_date=D(2026, 5, 1)
        )
        Intervention.objects.create(
            plan=plan, action="陪同申请法律援助", responsible="李静", frequency="一次"
        )
        record = ServiceRecord.objects.create(
            case=case,
            station=station,
            date=D(2026, 3, 10),
            form="accompany",
            duration_minutes=120,
            content=f"陪同前往区法律援助中心{n}",
            person_times=2,
            worker=lead,
        )
        record.goals.add(goal)
        evaluation = CaseEvaluation.objects.create(
            case=case, client_view="很感谢", satisfaction="very", worker_evaluation="目标达成", author=lead
        )
        GoalAttainment.objects.create(evaluation=evaluation, goal=goal, attainment="met")
        Closure.objects.create(
            case=case,
            reason="goals_met",
            summary="已获法律援助",
            status="approved",
            requested_by=lead,
            needs_district_signoff=True,
            head_approved_by=head,
            head_approved_at=now,
            signed_off_by=supervisor,
            signed_off_at=now if supervisor else None,
        )
        CaseEvent.objects.create(case=case, kind="supervision", actor=supervisor or head, text=f"督导意见{n}")
        CaseEvent.objects.create(
            case=case, kind="note", actor=lead, from_stage="intake", to_stage="assessment"
        )
        conference = CaseConference.objects.create(
            case=case, participants="社工、居委会、法律援助律师", decisions="申请法律援助", recorded_by=lead
        )
        conference.staff.add(lead)
        CaseTask.objects.create(
            case=case,
            title=f"提交申请材料{n}",
            owner=lead,
            due_on=D(2026, 3, 20),
            conference=conference,
            created_by=lead,
        )
    return case
