"""Cases opened through the cwopen services (intake, assessment, plan), for tests of later steps."""

from datetime import timedelta

from django.utils import timezone

from casework import services
from casework.models import Case


def opened(user, client, **fields):
    fields.setdefault("source", Case.Source.OUTREACH)
    fields.setdefault("presenting_problem", "独居老人，近期情绪低落，拒绝外出。")
    return services.open_case(acting_user=user, client=client, **fields)


def open_accepted(user, client, *, accept=True, **fields):
    """Opened, with the client's signed consent, and (unless `accept=False`) accepted: in 预估."""
    case = opened(user, client, **fields)
    guardian = client.is_minor
    services.record_consent(
        acting_user=user,
        case=case,
        given_by="监护人" if guardian else client.name,
        relation="母亲" if guardian else "本人",
        given_on=timezone.localdate(),
        method="signed",
    )
    case.refresh_from_db()
    if accept:
        services.accept_case(acting_user=user, case=case, version=case.version)
    return case


DOMAINS = {
    "health": ("高血压，行动尚可", 3),
    "emotion": ("近期情绪低落，失眠", 2),
    "family": ("子女在外地，联系少", 2),
    "economy": ("退休金每月2100元", 3),
    "support": ("邻里偶有走动", 3),
    "safety": ("独居，曾在家中跌倒", 2),
}


def assessed(user, case, *, risk="medium"):
    """The case's first assessment, written and submitted (the case moves to 计划)."""
    assessment = services.start_assessment(acting_user=user, case=case)
    services.save_assessment(
        acting_user=user,
        assessment=assessment,
        overall_risk=risk,
        needs="情绪疏导\n社会支持",
        domains=DOMAINS,
    )
    assessment.refresh_from_db()
    services.submit_assessment(acting_user=user, assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def planned(user, case):
    """Assessed (if not yet), then a plan written and submitted for approval."""
    case.refresh_from_db()
    if case.stage == Case.Stage.ASSESSMENT:
        assessed(user, case)
        case.refresh_from_db()
    plan = services.start_case_plan(acting_user=user, case=case)
    today = timezone.localdate()
    services.save_case_plan(
        acting_user=user,
        plan=plan,
        summary="以情绪支持和社会支持为主",
        client_agreed=True,
        client_agreed_on=today,
        goals=[
            {
                "text": "情绪改善",
                "indicator": "抑郁量表得分下降5分",
                "target_date": today + timedelta(days=60),
            },
            {
                "text": "建立邻里支持",
                "indicator": "每周至少两次邻里探访",
                "target_date": today + timedelta(days=90),
            },
        ],
        interventions=[
            {"action": "每周电话关怀", "responsible": str(user), "frequency": "每周一次", "resource": ""},
            {
                "action": "链接邻里串门志愿队",
                "responsible": str(user),
                "frequency": "每周两次",
                "resource": "邻里串门",
            },
        ],
    )
    plan.refresh_from_db()
    services.submit_case_plan(acting_user=user, plan=plan)
    plan.refresh_from_db()
    return plan
