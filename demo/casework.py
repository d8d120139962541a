"""Casework (个案管理) in the demo city: the report's child at 果园新村 who needs judicial aid, as a case
through every stage with the district supervisor's sign-off, and a few dozen cases per district at every
stage (one for every `REQUESTS_PER_CASE` requests of `--requests`, so the cases scale with the requests).

The supervisor: 北辰区's designated casework supervisor `dd-120113` (督导 at the district centre, in the
group 个案督导). Idempotent: a database with cases gets nothing more. Written with bulk inserts (each
table one batch of rows), the timeline as append-only inserts; the child's case is written the same way,
step by step as the services would (the steps are tested through them, tests/casework/).
"""

import datetime
import itertools

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from casework.models import (
    Assessment,
    AssessmentDomain,
    Case,
    CaseConsent,
    CaseEvaluation,
    CaseEvent,
    CasePlan,
    CaseTask,
    Closure,
    Goal,
    GoalAttainment,
    Intervention,
    ServiceRecord,
)
from casework.permissions import SUPERVISE_PERMISSION, SUPERVISOR_GROUP
from demo import casework_story
from residents.models import Resident
from stations.models import District, Station, User

REQUESTS_PER_CASE = 30  # 20,000 requests → about 670 cases, 40 a district
SUPERVISOR = "dd-120113"
BEICHEN = "120113"
S, K = Case.Stage, CaseEvent.Kind
DAY = datetime.timedelta(days=1)

# Each demo case stops at one of these points: every stage is there in every district.
ENDINGS = [
    "intake",
    "assessment",
    "plan_submitted",
    "intervention",
    "evaluation",
    "closure_pending_head",
    "closure_pending_district",
    "closed",
    "declined",
]
PROBLEMS = [
    ("独居老人，近期情绪低落，拒绝外出，子女在外地。", "emotion", "老年"),
    ("高龄老人行动不便，家中无扶手，曾两次跌倒。", "safety", "老年"),
    ("困境儿童，父亲服刑、母亲失联，由祖母照料，学业落后。", "family", "儿童"),
    ("低保家庭，主要劳动力因病失业，子女学费无着。", "economy", "困难"),
    ("残疾人家庭，照顾者身心疲惫，需要喘息服务。", "support", "残疾"),
    ("邻里纠纷升级，一方有过激言行，居委会请求介入。", "safety", "调解"),
    ("精神障碍康复者出院回家，服药依从性差。", "health", "康复"),
    ("留守儿童与祖辈同住，沉迷手机，亲子沟通困难。", "family", "儿童"),
]
FINDINGS = {
    "health": "慢性病多，按时服药需提醒。",
    "emotion": "情绪低落，睡眠差，有孤独感。",
    "family": "家庭支持薄弱，沟通少。",
    "economy": "收入低，依靠低保，支出压力大。",
    "support": "社会交往少，邻里关系一般。",
    "safety": "居家存在跌倒、燃气等安全隐患。",
    "rights": "不了解可申请的救助和法律援助政策。",
}
GOALS = [
    ("情绪状况改善，每周外出参加活动一次", "每周参加社区活动≥1次"),
    ("消除居家安全隐患", "安装扶手、燃气报警器"),
    ("链接救助资源，缓解经济压力", "申请到临时救助或低保"),
    ("建立稳定的支持网络", "固定联系志愿者或邻里1名以上"),
]
SERVICE_TEXTS = [
    ("home_visit", "入户探访，了解近况，进行情绪疏导。"),
    ("phone", "电话跟进，提醒按时服药并约定下次面谈。"),
    ("face_to_face", "在社工站面谈，共同回顾目标进展。"),
    ("resource", "链接社区志愿者及爱心企业，落实物资帮扶。"),
    ("accompany", "陪同前往街道办理救助申请。"),
    ("referral", "转介至心理咨询机构，跟进接案情况。"),
]


def seed(*, options, rng, out, now=None):
    now = now or timezone.now()
    supervisor = _supervisor(options)
    if Case.objects.exists():
        out.write("  cases: already there")
        return
    child = casework_story.seed_child_case(now, supervisor)
    out.write(f"  the report's child: {child or '果园新村 or the story request not found, skipped'}")
    requests = options.get("requests")
    count = (20000 if requests is None else max(0, requests)) // REQUESTS_PER_CASE
    made = _bulk_cases(count, now, rng, supervisor)
    out.write(f"  cases: {made:,} at every stage across the districts; supervisor {SUPERVISOR}")


def _supervisor(options):
    """北辰区's casework supervisor (督导), in the group 个案督导 holding the permission."""
    beichen = District.objects.filter(code__startswith=BEICHEN).first()
    if beichen is None:
        return None
    app_label, codename = SUPERVISE_PERMISSION.split(".")
    group, _ = Group.objects.get_or_create(name=SUPERVISOR_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user, created = User.objects.get_or_create(
        username=SUPERVISOR,
        defaults={"name": "孟秋华", "role": User.Role.DISTRICT_STAFF, "district": beichen},
    )
    if created:
        user.password = make_password(options.get("password") or "sws-demo-2026")
        user.save(update_fields=["password"])
    user.groups.add(group)
    return user


_reference = casework_story.reference


# --- the other cases, in bulk ----------------------------------------------------------------------------
def _bulk_cases(count, now, rng, supervisor):
    """`count` cases spread over the stations district by district, each stopped at one of ENDINGS."""
    if count <= 0:
        return 0
    staff = {}
    for pk, station_id, _role in (
        # The head first ("station_head" sorts before "station_worker"), the lead worker last.
        User.objects.filter(station__isnull=False, role__in=User.STATION_ROLES, is_active=True)
        .order_by("station_id", "role", "pk")
        .values_list("pk", "station_id", "role")
    ):
        staff.setdefault(station_id, []).append(pk)
    stations = list(
        Station.objects.filter(pk__in=staff)
        .order_by("district__code", "code")
        .values_list("pk", "code", "district_id")
    )
    if not stations:
        return 0
    clients = {}
    per_station = count // len(stations) + 2
    for station_id, resident_id in (
        Resident.objects.filter(community__street__station__in=staff)
        .exclude(cases__isnull=False)
        .order_by("community__street__station", "-pk")
        .values_list("community__street__station", "pk")
    ):
        picked = clients.setdefault(station_id, [])
        if len(picked) < per_station:
            picked.append(resident_id)
    # Round-robin over the districts, then their stations: every district gets its share of every ending.
    by_district = {}
    for station in stations:
        by_district.setdefault(station[2], []).append(station)
    # A generator: the cycles are endless, and islice below takes the first `count`.
    order = (
        s for group in zip(*[itertools.cycle(v) for v in by_district.values()], strict=False) for s in group
    )
    rows, numbers = [], {}
    endings = itertools.cycle(ENDINGS)
    # Stations with no client left are passed over; the others make up the count (or run out of clients).
    for station_pk, code, _district in itertools.islice(order, count * len(stations)):
        if len(rows) == count:
            break
        if not clients.get(station_pk):
            continue
        client = clients[station_pk].pop()
        numbers[station_pk] = numbers.get(station_pk, 1) + 1
        ending = next(endings)
        problem, domain, _theme = rng.choice(PROBLEMS)
        workers = staff[station_pk]
        lead = workers[-1]
        head = workers[0]
        opened = now - rng.randint(20, 300) * DAY
        signs = supervisor is not None and _district == supervisor.district_id
        rows.append(
            (
                station_pk,
                code,
                client,
                lead,
                head,
                ending,
                problem,
                domain,
                opened,
                numbers[station_pk],
                signs,
            )
        )
    cases = Case.objects.bulk_create([_case(*row, now=now, rng=rng) for row in rows], batch_size=500)
    children = _Children()
    for case, row in zip(cases, rows, strict=True):
        _records(children, case, row, now, rng, supervisor)
    children.save()
    return len(cases)


STAGE_OF = {
    "intake": S.INTAKE,
    "assessment": S.ASSESSMENT,
    "plan_submitted": S.PLANNING,
    "intervention": S.INTERVENTION,
    "evaluation": S.EVALUATION,
    "closure_pending_head": S.CLOSING,
    "closure_pending_district": S.CLOSING,
    "closed": S.CLOSED,
    "declined": S.DECLINED,
}
PATH = [S.INTAKE, S.ASSESSMENT, S.PLANNING, S.INTERVENTION, S.EVALUATION, S.CLOSING, S.CLOSED]


def _case(station_pk, code, client, lead, head, ending, problem, domain, opened, number, signs, *, now, rng):
    stage = STAGE_OF[ending]
    risk = rng.choice(list(Case.Risk))
    if ending == "closure_pending_district":
        risk = Case.Risk.HIGH
    elif ending == "closed" and not signs:  # a high-risk case closes only with a supervisor's sign-off
        risk = rng.choice([Case.Risk.LOW, Case.Risk.MEDIUM])
    steps = _steps(ending)
    span = (now - opened) / (len(steps) + 1)
    return Case(
        reference=_reference(code, number),
        station_id=station_pk,
        client_id=client,
        source=rng.choice([s for s in Case.Source if s != Case.Source.REQUEST]),
        presenting_problem=problem,
        lead_worker_id=lead,
        co_worker_id=head if head != lead and rng.random() < 0.3 else None,
        stage=stage,
        stage_since=opened + span * len(steps),
        risk=risk,
        eligible=False if ending == "declined" else (True if stage != S.INTAKE else None),
        declined_reason="不属于个案服务范围，已转介街道相关科室。" if ending == "declined" else "",
        opened_at=opened,
        accepted_at=opened + span if stage not in (S.INTAKE, S.DECLINED) else None,
        closed_at=opened + span * len(steps) if stage == S.CLOSED else None,
        review_due_on=(opened + 90 * DAY).date() if stage not in Case.ENDED_STAGES else None,
        created_by_id=lead,
    )


def _steps(ending):
    """The stage moves a case made to reach its ending: (from, to)."""
    if ending == "declined":
        return [(S.INTAKE, S.DECLINED)]
    target = STAGE_OF[ending]
    path = PATH[: PATH.index(target) + 1]
    return list(zip(path, path[1:], strict=False))


class _Children:
    """The cases' records, gathered then inserted table by table (parents first)."""

    def __init__(self):
        self.lists = {
            model: []
            for model in (CaseEvent, CaseConsent, Assessment, CasePlan, CaseTask, Closure, CaseEvaluation)
        }
        self.after_assessment, self.after_plan, self.records = [], [], []

    def add(self, obj):
        self.lists[type(obj)].append(obj)
        return obj

    def save(self):
        for model in (CaseEvent, CaseConsent, CaseTask, Closure):
            model.objects.bulk_create(self.lists[model], batch_size=1000)
        Assessment.objects.bulk_create(self.lists[Assessment], batch_size=1000)
        AssessmentDomain.objects.bulk_create([d() for d in self.after_assessment], batch_size=1000)
        CasePlan.objects.bulk_create(self.lists[CasePlan], batch_size=1000)
        goals = Goal.objects.bulk_create([g() for g, _ in self.after_plan if g], batch_size=1000)
        Intervention.objects.bulk_create([i() for _, i in self.after_plan if i], batch_size=1000)
        by_plan = {}
        for goal in goals:
            by_plan.setdefault(goal.plan_id, []).append(goal)
        records = ServiceRecord.objects.bulk_create([r for r, _ in self.records], batch_size=1000)
        links = [
            ServiceRecord.goals.through(servicerecord_id=record.pk, goal_id=by_plan[plan.pk][0].pk)
            for record, (_, plan) in zip(records, self.records, strict=True)
            if plan is not None and by_plan.get(plan.pk)
        ]
        ServiceRecord.goals.through.objects.bulk_create(links, batch_size=1000)
        evaluations = CaseEvaluation.objects.bulk_create(self.lists[CaseEvaluation], batch_size=1000)
        attainments = []
        for evaluation in evaluations:
            for goal in by_plan.get(evaluation._plan.pk, []):
                attainments.append(
                    GoalAttainment(evaluation=evaluation, goal=goal, attainment=evaluation._attain(goal))
                )
        GoalAttainment.objects.bulk_create(attainments, batch_size=1000)


def _records(children, case, row, now, rng, supervisor):
    _station_pk, _code, _client, lead, head, ending, _problem, domain, opened, _n, signs = row
    steps = _steps(ending)
    span = (now - opened) / (len(steps) + 1)
    children.add(
        CaseEvent(case=case, kind=K.OPENED, actor_id=lead, at=opened, to_stage=S.INTAKE, text="接案")
    )
    kinds = {
        S.ASSESSMENT: K.ACCEPTED,
        S.PLANNING: K.ASSESSMENT,
        S.INTERVENTION: K.PLAN_APPROVED,
        S.EVALUATION: K.EVALUATION,
        S.CLOSING: K.CLOSURE_REQUESTED,
        S.CLOSED: K.CLOSED,
        S.DECLINED: K.DECLINED,
    }
    for index, (from_stage, to_stage) in enumerate(steps, start=1):
        actor = head if to_stage in (S.INTERVENTION, S.CLOSED) else lead
        children.add(
            CaseEvent(
                case=case,
                kind=kinds[to_stage],
                actor_id=actor,
                at=opened + span * index,
                from_stage=from_stage,
                to_stage=to_stage,
            )
        )
    reached = {to for _, to in steps}
    if ending == "declined":
        return
    if S.ASSESSMENT in reached or ending == "intake":
        children.add(
            CaseConsent(
                case=case,
                given_by="本人",
                given_on=(opened + DAY).date(),
                method=rng.choice(list(CaseConsent.Method)),
                witness="社区网格员",
                recorded_by_id=lead,
                recorded_at=opened + DAY,
            )
        )
    if S.PLANNING in reached:
        assessment = children.add(
            Assessment(
                case=case,
                overall_risk=case.risk,
                needs="情绪支持\n资源链接\n安全改善",
                summary="综合预估：需持续跟进。",
                author_id=lead,
                submitted_at=opened + span * 2,
            )
        )
        for name in dict.fromkeys([domain, "support", "safety"]):
            rating = rng.randint(1, 4)
            children.after_assessment.append(
                lambda a=assessment, n=name, r=rating: AssessmentDomain(
                    assessment=a, domain=n, findings=FINDINGS[n], rating=r
                )
            )
    elif ending == "assessment":
        children.add(Assessment(case=case, overall_risk=case.risk, needs="待完善", author_id=lead))
    plan = None
    if S.PLANNING in reached:
        approved = S.INTERVENTION in reached
        plan = children.add(
            CasePlan(
                case=case,
                status=CasePlan.Status.APPROVED if approved else CasePlan.Status.SUBMITTED,
                summary="围绕主要问题开展个案服务。",
                client_agreed=True,
                client_agreed_on=(opened + span * 3).date(),
                author_id=lead,
                submitted_at=opened + span * 3,
                reviewed_by_id=head if approved else None,
                reviewed_at=opened + span * 3 + DAY if approved else None,
            )
        )
        text, indicator = rng.choice(GOALS)
        children.after_plan.append(
            (
                lambda p=plan, t=text, i=indicator: Goal(
                    plan=p, text=t, indicator=i, target_date=(now + 60 * DAY).date()
                ),
                lambda p=plan: Intervention(
                    plan=p, action="定期家访与情绪疏导", responsible="主责社工", frequency="每两周一次"
                ),
            )
        )
    if S.INTERVENTION in reached:
        for n in range(rng.randint(2, 5)):
            form, content = rng.choice(SERVICE_TEXTS)
            when = opened + span * 4 + n * DAY * 7
            children.records.append(
                (
                    ServiceRecord(
                        case=case,
                        station_id=case.station_id,
                        date=min(when, now).date(),
                        form=form,
                        duration_minutes=rng.choice([30, 45, 60, 90]),
                        content=content,
                        progress="有进展",
                        person_times=rng.randint(1, 3),
                        worker_id=lead,
                    ),
                    plan,
                )
            )
        children.add(
            CaseTask(
                case=case,
                stage=S.INTERVENTION,
                title="下次家访",
                owner_id=lead,
                due_on=(now + rng.randint(-10, 20) * DAY).date(),
                created_by_id=lead,
            )
        )
    if S.CLOSING in reached:
        evaluation = children.add(
            CaseEvaluation(
                case=case,
                client_view="服务对我有帮助。",
                satisfaction=rng.choice(["very", "satisfied", "neutral"]),
                worker_evaluation="目标基本达成。",
                author_id=lead,
            )
        )
        evaluation._plan = plan
        evaluation._attain = lambda goal: rng.choice(["met", "met", "partly", "not_met"])
        signed = ending == "closed" and case.risk == Case.Risk.HIGH
        status = {
            "closure_pending_head": Closure.Status.PENDING_HEAD,
            "closure_pending_district": Closure.Status.PENDING_DISTRICT,
        }.get(ending, Closure.Status.APPROVED)
        children.add(
            Closure(
                case=case,
                reason=Closure.Reason.GOALS_MET,
                summary="目标达成，结案。",
                status=status,
                requested_by_id=lead,
                needs_district_signoff=case.risk == Case.Risk.HIGH,
                head_approved_by_id=head if status != Closure.Status.PENDING_HEAD else None,
                head_approved_at=now - DAY if status != Closure.Status.PENDING_HEAD else None,
                signed_off_by=supervisor if signed and signs else None,
                signed_off_at=now - DAY if signed and signs else None,
                follow_up_due_on=(now + 30 * DAY).date() if ending == "closed" else None,
            )
        )
