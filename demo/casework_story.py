"""The report's child at 果园新村 who needs judicial aid (韩宇轩, 新华里; demo/stories.py files the
request): a case through every stage, from 转为个案 to the district supervisor's sign-off, with every
stage's records as a worker would write them. Written step by step as the services would (the steps are
tested through them, tests/casework/)."""

import datetime

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
from demo.stories import STORY_TOKENS
from residents.models import Request, TimelineEvent
from stations.models import User

S, K = Case.Stage, CaseEvent.Kind
DAY = datetime.timedelta(days=1)


def reference(station_code, number):
    return f"GA{station_code[-6:]}-{number:05d}"


def staff(station):
    """The station's active staff, the head first."""
    return list(
        User.objects.filter(station=station, role__in=User.STATION_ROLES, is_active=True).order_by(
            "role", "pk"
        )
    )


def seed_child_case(now, supervisor):
    request = (
        Request.objects.filter(submission_token=STORY_TOKENS["judicial-aid"])
        .select_related("resident", "station")
        .first()
    )
    if request is None or request.resident is None:
        return ""
    station = request.station
    head = User.objects.filter(username="xupengze").first() or staff(station)[0]
    lead = next((u for u in staff(station) if u.pk != head.pk), head)
    child = request.resident
    start = now - 80 * DAY

    def day(n):
        return start + n * DAY

    case = Case.objects.create(
        reference=reference(station.code, 1),
        station=station,
        client=child,
        request=request,
        source=Case.Source.REQUEST,
        presenting_problem="新华里社区发现的困难儿童（10岁）：父亲服刑，母亲多年失联，由祖父母监护；"
        "监护人不清楚司法救助申请程序，孩子学业落后、情绪退缩。需申请司法救助并提供法律援助。",
        lead_worker=lead,
        co_worker=head if lead.pk != head.pk else None,
        stage=S.CLOSED,
        stage_since=day(78),
        risk=Case.Risk.HIGH,
        sensitive=True,
        eligible=True,
        eligibility_note="未成年人，监护缺位，符合立案条件。",
        opened_at=day(0),
        accepted_at=day(1),
        closed_at=day(78),
        created_by=lead,
    )
    TimelineEvent.objects.create(
        request=request,
        kind=TimelineEvent.Kind.NOTE,
        actor=lead,
        at=day(0),
        text=f"转为个案 {case.reference}",
    )
    grandfather = CaseParty.objects.create(
        case=case, name="韩志刚", relation="祖父", is_guardian=True, phone="13820131234", note="实际监护人"
    )
    CaseParty.objects.create(case=case, name="新华里社区居委会", relation="转介方", note="发现并报告")
    CaseConsent.objects.create(
        case=case,
        given_by=grandfather.name,
        relation="祖父（监护人）",
        given_on=day(1).date(),
        method=CaseConsent.Method.SIGNED,
        recorded_by=lead,
        recorded_at=day(1),
    )
    assessment = Assessment.objects.create(
        case=case,
        overall_risk=Case.Risk.HIGH,
        needs="申请司法救助\n法律援助（监护权确认）\n学业辅导\n情绪支持",
        summary="监护缺位、经济困难，儿童权益需法律途径保障；风险高，需区督导关注。",
        author=lead,
        submitted_at=day(6),
    )
    domains = [
        ("rights", "监护人不了解司法救助与法律援助，孩子应得救助未申请。", 1),
        ("family", "祖父母年迈，监护能力有限，父亲服刑、母亲失联。", 2),
        ("economy", "祖父母靠养老金生活，孩子学杂费负担重。", 2),
        ("emotion", "孩子情绪退缩，不愿与同学交往。", 2),
        ("support", "居委会、学校关注，但缺乏持续支持。", 3),
    ]
    AssessmentDomain.objects.bulk_create(
        AssessmentDomain(assessment=assessment, domain=d, findings=f, rating=r) for d, f, r in domains
    )
    plan = CasePlan.objects.create(
        case=case,
        status=CasePlan.Status.APPROVED,
        summary="以司法救助和法律援助为主线，同时链接学业辅导与情绪支持。",
        client_agreed=True,
        client_agreed_on=day(10).date(),
        author=lead,
        submitted_at=day(10),
        reviewed_by=head,
        reviewed_at=day(11),
        review_comment="同意，注意与区法律援助中心保持沟通。",
    )
    goals = Goal.objects.bulk_create(
        [
            Goal(plan=plan, text="获得司法救助金", indicator="救助申请获批", target_date=day(60).date()),
            Goal(
                plan=plan, text="明确监护关系", indicator="法律援助律师出具意见", target_date=day(45).date()
            ),
            Goal(
                plan=plan,
                text="学业与情绪改善",
                indicator="每周辅导1次，教师反馈改善",
                target_date=day(75).date(),
            ),
        ]
    )
    Intervention.objects.bulk_create(
        [
            Intervention(
                plan=plan,
                action="协助准备司法救助申请材料并陪同递交",
                responsible=lead.name,
                frequency="按需",
                resource="北辰区检察院",
            ),
            Intervention(
                plan=plan,
                action="转介法律援助",
                responsible=lead.name,
                frequency="一次",
                resource="北辰区法律援助中心",
            ),
            Intervention(
                plan=plan,
                action="大学生志愿者学业辅导",
                responsible="志愿服务队",
                frequency="每周一次",
                resource="果园新村志愿服务队",
            ),
        ]
    )
    services = [
        (13, "home_visit", 90, 3, "入户与祖父母、孩子面谈，梳理家庭情况，讲解司法救助政策。", [0, 1]),
        (20, "accompany", 180, 2, "陪同祖父前往区检察院递交司法救助申请材料。", [0]),
        (27, "referral", 60, 1, "转介区法律援助中心，律师受理监护问题咨询。", [1]),
        (34, "resource", 60, 1, "链接志愿服务队，安排每周学业辅导。", [2]),
        (48, "face_to_face", 60, 1, "与孩子面谈，情绪明显好转，愿意参加小组活动。", [2]),
        (58, "phone", 20, 1, "电话确认司法救助金已发放到位。", [0]),
    ]
    for offset, form, minutes, people, content, goal_indexes in services:
        record = ServiceRecord.objects.create(
            case=case,
            station=station,
            date=day(offset).date(),
            form=form,
            duration_minutes=minutes,
            content=content,
            progress="按计划推进",
            person_times=people,
            worker=lead,
        )
        record.goals.set([goals[i] for i in goal_indexes])
    conference = CaseConference.objects.create(
        case=case,
        date=day(30).date(),
        participants="驻站社工、新华里社区居委会、北辰区法律援助中心律师、祖父",
        decisions="律师协助确认监护关系；社工跟进司法救助审批；志愿者每周辅导。",
        recorded_by=lead,
    )
    conference.staff.add(lead)
    CaseTask.objects.create(
        case=case,
        stage=S.INTERVENTION,
        title="跟进司法救助审批进度",
        owner=lead,
        due_on=day(45).date(),
        conference=conference,
        done_at=day(44),
        done_by=lead,
        created_by=lead,
    )
    evaluation = CaseEvaluation.objects.create(
        case=case,
        client_view="祖父：孩子的救助金批下来了，孩子也开朗多了，谢谢社工。",
        satisfaction=CaseEvaluation.Satisfaction.VERY,
        worker_evaluation="三个目标均达成：获得司法救助金，监护关系经律师确认，学业和情绪明显改善。",
        author=lead,
    )
    GoalAttainment.objects.bulk_create(
        GoalAttainment(evaluation=evaluation, goal=goal, attainment=Goal.Attainment.MET) for goal in goals
    )
    closure = Closure.objects.create(
        case=case,
        reason=Closure.Reason.GOALS_MET,
        summary="目标达成，结案；转入常规探访，结案三个月后回访。",
        status=Closure.Status.APPROVED,
        requested_by=lead,
        needs_district_signoff=True,
        head_approved_by=head,
        head_approved_at=day(74),
        signed_off_by=supervisor,
        signed_off_at=day(78) if supervisor else None,
        follow_up_due_on=(day(78) + 90 * DAY).date(),
    )
    # Timestamps set after insert: auto_now_add would stamp them now.
    CaseEvaluation.objects.filter(pk=evaluation.pk).update(created_at=day(70))
    Closure.objects.filter(pk=closure.pk).update(requested_at=day(72))
    events = [
        (0, K.OPENED, "", S.INTAKE, f"由诉求 {request.reference} 转为个案"),
        (1, K.CONSENT, "", "", "监护人签署知情同意书"),
        (1, K.ACCEPTED, S.INTAKE, S.ASSESSMENT, "符合立案条件"),
        (6, K.ASSESSMENT, "", "", "提交第1次预估：高风险"),
        (6, K.NOTE, S.ASSESSMENT, S.PLANNING, "预估完成，制订服务计划"),
        (10, K.PLAN_SUBMITTED, "", "", "提交服务计划"),
        (11, K.PLAN_APPROVED, S.PLANNING, S.INTERVENTION, "站长批准服务计划"),
        (30, K.CONFERENCE, "", "", "召开个案会议"),
        (40, K.SUPERVISION, "", "", "督导意见：注意孩子情绪变化，结案前评估监护安排是否稳定。"),
        (70, K.EVALUATION, S.INTERVENTION, S.EVALUATION, "完成评估：目标全部达成"),
        (72, K.CLOSURE_REQUESTED, S.EVALUATION, S.CLOSING, "申请结案：目标达成"),
        (74, K.CLOSURE_APPROVED, "", "", "站长批准结案，未成年人个案需区督导签批"),
        (78, K.CLOSURE_SIGNED, S.CLOSING, S.CLOSED, "区督导签批结案"),
    ]
    actors = {
        K.PLAN_APPROVED: head,
        K.CLOSURE_APPROVED: head,
        K.SUPERVISION: supervisor,
        K.CLOSURE_SIGNED: supervisor,
    }
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case, kind=kind, actor=actors.get(kind, lead), at=day(n), from_stage=f, to_stage=t, text=text
        )
        for n, kind, f, t, text in events
    )
    return f"{case.reference}（{child.name}，{request.reference}）"
