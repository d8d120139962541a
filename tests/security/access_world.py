"""One record of every kind for three stations, and the people who look at them: the data set of the
access matrix, the forged-field tests and the property-based form tests.

The places and people are the shared cast's (tests/conftest.py): 果园新村 (ours: `own`), 集贤里 (another
station of the same district: `neighbour`) and 广开 (another district: `far`). Built once per test module
(`world` fixture below) inside a transaction that is rolled back afterwards; every test still runs in its
own savepoint, so what one test saves is gone before the next.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from attachments import services as attachments
from notifications.inbox import Notification
from projects import volunteering
from projects.models import AnnualPlan
from residents import care, services
from residents.models import Category, RegistryImportJob, Request
from residents.validators import id_check_char
from stations.groups import CITY_GROUP, DISTRICT_GROUP
from stations.models import User
from tests import factories as f
from tests.attachments import samples
from tests.casework.factories import make_supervisor
from tests.projects import factories as pf
from tests.residents.care_factories import ensure_care_defaults
from tests.residents.factories import ensure_default_data, make_resident
from tests.security.casework_world import add_supervision_records
from tests.stations.factories import make_staff

PASSWORD = "Sws-test-2026"  # tests/factories.make_user's


def id_number(seq, region="120113", born="19440502"):
    """A valid 18-digit 身份证号 (GB 11643 check character)."""
    first17 = f"{region}{born}{seq:03d}"
    return first17 + id_check_char(first17)


def _category():
    ensure_default_data()
    return Category.objects.selectable().order_by("pk").first()


def _station_records(key, station, community, lead, resident, category):
    """A record of every kind the station owns."""
    project = pf.make_project(station, title=f"{key}项目", communities=[community], lead=lead)
    partner = pf.make_partner(station, name=f"{key}爱心超市")
    fund = pf.make_fund(station, name=f"{key}社区基金")
    pf.make_entry(fund, "500.00")
    request = services.create_request(
        acting_user=lead,
        station=station,
        community=community,
        category=category,
        description="楼道灯坏了，老人晚上出门不便。",
        severity="mild",
        urgency="not_urgent",
        channel=Request.Channel.WALK_IN,
        resident=resident,
    )
    referred = services.create_request(
        acting_user=lead,
        station=station,
        community=community,
        category=category,
        description="存车处不能给电动自行车充电。",
        severity="mild",
        urgency="not_urgent",
        channel=Request.Channel.WALK_IN,
    )
    services.start_request(acting_user=lead, request=referred)
    referral = services.refer_request(
        acting_user=lead, request=referred, organisation="有资质的充电桩公司", reason="需专业安装"
    )
    referred.refresh_from_db()
    # In the visit programme (issue #20): the care pages and the visit log open for it.
    ensure_care_defaults()
    care.set_risk_tier(acting_user=lead, resident=resident, tier=1, reason="独居高龄")
    visit = care.log_visit(acting_user=lead, resident=resident, health="身体尚可")
    submitted_plan = pf.make_plan(station, year=2024)
    AnnualPlan.objects.filter(pk=submitted_plan.pk).update(status=AnnualPlan.Status.SUBMITTED)
    submitted_plan.refresh_from_db()
    activity = pf.make_activity(station, project=project, communities=[community])
    # A sign-in sheet of the activity, uploaded by the station's head (attachments: download, remove).
    attachment = attachments.attach_file(
        acting_user=lead, owner=activity, uploaded_file=samples.upload(samples.png_bytes(), "签到表.png")
    )
    # A volunteer with hours on the activity and on the visit, and a proof of them (lane volunteers).
    volunteer = pf.make_volunteer(station, f"{key}志愿者", community=community)
    pf.make_hours(volunteer, "2.0", activity=activity)
    pf.make_hours(volunteer, "1.0", visit=visit)
    proof = volunteering.issue_proof(
        acting_user=lead, volunteer=volunteer, period_start=activity.date, period_end=timezone.localdate()
    )
    return SimpleNamespace(
        station=station,
        community=community,
        resident=resident,
        visit=visit,
        volunteer=volunteer,
        proof=proof,
        request=request,
        referred=referred,
        referral=referral,
        project=project,
        activity=activity,
        attachment=attachment,
        partner=partner,
        resource=pf.make_resource(station, partner=partner, project=project),
        team=pf.make_team(station, name=f"{key}志愿服务队"),
        organisation=pf.make_organisation(station, name=f"{key}社区社会组织"),
        fund=fund,
        plan=pf.make_plan(station, year=2023),
        submitted_plan=submitted_plan,
        lead=lead,
    )


class World(SimpleNamespace):
    def __repr__(self):  # Hypothesis prints its arguments: the whole data set would bury the example
        return "<the access world>"


def _casework(records, lead):
    """A case of the station's resident, opened, consented, accepted, assessed (submitted: locked) and
    with its plan submitted for approval, led by `lead` (cwopen's steps)."""
    from tests.casework.open_factories import open_accepted, planned

    case = open_accepted(lead, records.resident)
    records.case_plan = planned(lead, case)
    case.refresh_from_db()
    records.case = case
    records.assessment = case.assessments.get()


def _hotline_records(beichen, guoyuan_lead, category):
    """12345 work orders (issue #19): one placed at 果园新村 (its request opens the answers), one signed
    with an extension waiting for 北辰区's decision, one in 北辰区's 未能定位 queue."""
    from django.utils import timezone

    from hotline import services as hotline_services
    from hotline.models import ApiKey, DeadlineRule, HotlineCategory

    HotlineCategory.objects.get_or_create(code="0301", defaults={"name": "路灯", "category": category})
    DeadlineRule.objects.get_or_create(
        deadline_class="normal",
        defaults={"name": "一般", "sign_within_minutes": 120, "reply_within_working_days": 5},
    )
    key, _plain = ApiKey.issue(name="矩阵热线")

    def order(ticket_no, **changes):
        data = {
            "ticket_no": ticket_no,
            "received_at": timezone.now().isoformat(),
            "community_code": "120113001009",
            "category_code": "0301",
            "content": "路灯不亮",
            "deadline_class": "normal",
            "address": "",
            **changes,
        }
        return hotline_services.receive_work_order(api_key_or_user=key, data=data)[0]

    placed = order("W-PLACED")
    signed = order("W-SIGNED")
    hotline_services.sign_work_order(acting_user=guoyuan_lead, order=signed)
    extension = hotline_services.request_extension(
        acting_user=guoyuan_lead,
        order=signed,
        reason="等配件",
        new_due_on=timezone.localdate(signed.reply_due_at) + datetime.timedelta(days=5),
    )
    unplaced = order("W-UNPLACED", community_code="", district_code=beichen.code, address="无法定位的地址")
    return SimpleNamespace(placed=placed, signed=signed, extension=extension, unplaced=unplaced)


def _evaluation_records(world):
    """考核评估 (issue #22): 果园新村's evaluation of this year, in scoring, with the third-party evaluator
    appointed to it (she must see nothing else), a score and a rectification owned by 李静."""
    from django.utils import timezone

    from tests.sws import evaluation_factories as ef

    year = timezone.localdate().year
    users = world.users
    users.evaluator = ef.make_evaluator("evaluator", "第三方评估员")
    indicator_set = ef.make_indicator_set(year)
    evaluation = ef.bare_evaluation(
        world.own.station, indicator_set, users.district_user, evaluators=[users.evaluator]
    )
    world.own.evaluation = evaluation
    world.own.score = evaluation.scores.filter(indicator__kind="scored").first()
    world.own.rectification = ef.make_rectification(
        evaluation, users.worker2, timezone.localdate() + datetime.timedelta(days=30)
    )


def build_world():
    beichen = f.make_district("120113000000", "北辰区")
    nankai = f.make_district("120104000000", "南开区")

    street = f.make_street("120113001000", "果园新村街道", beichen)
    guoyuan = f.make_station(street, founded_on=datetime.date(2023, 1, 1))
    chaoyangli = f.make_community("120113001009", "朝阳里社区居委会", street)
    f.make_community("120113001014", "旭日里社区居委会", street)
    f.make_community("120113001018", "新华里社区居委会", street)

    street = f.make_street("120113002000", "集贤里街道", beichen)
    jixianli = f.make_station(street)
    tailaixili = f.make_community("120113002001", "泰来西里社区居委会", street)

    street = f.make_street("120104004000", "广开街道", nankai)
    guangkai = f.make_station(street)
    hualinyuan = f.make_community("120104004002", "桦林园社区居委会", street)

    worker = f.make_user("xupengze", User.Role.STATION_HEAD, station=guoyuan, name="徐芃泽")
    f.make_assignment(worker, guoyuan, is_head=True)
    f.make_certificate(worker)
    worker2 = f.make_user("st-120113001-2", User.Role.STATION_WORKER, station=guoyuan, name="李静")
    f.make_assignment(worker2, guoyuan)
    other_worker = f.make_user("st-120113002-1", User.Role.STATION_HEAD, station=jixianli, name="王海")
    f.make_assignment(other_worker, jixianli, is_head=True)
    far_worker = f.make_user("st-120104004-1", User.Role.STATION_HEAD, station=guangkai, name="赵丽")
    f.make_assignment(far_worker, guangkai, is_head=True)
    # As the demo sets them up: centre staff keep their district (or the city) in Django admin.
    district_user = make_staff(
        f.make_user("dc-120113", User.Role.DISTRICT_STAFF, district=beichen, name="北辰区指导中心")
    )
    other_district_user = make_staff(
        f.make_user("dc-120104", User.Role.DISTRICT_STAFF, district=nankai, name="南开区指导中心")
    )
    city_user = make_staff(f.make_user("city", User.Role.CITY_STAFF, name="市级指导中心"), CITY_GROUP)
    admin_user = f.make_user("admin", User.Role.ADMIN, name="管理员", is_staff=True, is_superuser=True)
    auditor = f.make_user("auditor", User.Role.AUDITOR, name="审计员")
    # The reporters of 果园新村 (issue #21): 朝阳里's 居委会 member and a volunteer reporter (信息员).
    community_staff = f.make_user(
        "jwh-120113001009", User.Role.COMMUNITY_STAFF, community=chaoyangli, name="朝阳里居委会刘敏"
    )
    volunteer_reporter = f.make_user(
        "xxy-120113001-1", User.Role.VOLUNTEER_REPORTER, station=guoyuan, name="志愿者孙立"
    )

    category = _category()
    notification = Notification.objects.create(
        recipient=worker2, event="request_new", key="world:1", title="新诉求", url="/residents/requests/"
    )
    resident = make_resident(
        chaoyangli,
        name="张桂兰",
        gender="F",
        birth_date=datetime.date(1944, 5, 2),
        id_number=id_number(7),
        phone="13820135678",
    )
    neighbour_resident = make_resident(tailaixili, name="王秀英", phone="13900002222")
    far_resident = make_resident(hualinyuan, name="刘建国", phone="13900001111")
    # 李静's (the station worker's) registry import job: a dry run that refused a row (nothing to commit).
    import_job = RegistryImportJob.objects.create(
        station=guoyuan,
        uploaded_by=worker2,
        file_name="台账.xlsx",
        mode=RegistryImportJob.Mode.DRY_RUN,
        status=RegistryImportJob.Status.DONE,
        total_rows=1,
        rows_checked=1,
        result={"ok": False, "total": 1, "errors": ["第2行「社区」：社区不能为空。"], "error_count": 1},
    )

    own = _station_records("果园新村", guoyuan, chaoyangli, worker, resident, category)
    neighbour = _station_records("集贤里", jixianli, tailaixili, other_worker, neighbour_resident, category)
    far = _station_records("广开", guangkai, hualinyuan, far_worker, far_resident, category)
    # Casework: 果园新村's case is 李静's (the station worker's); 北辰区's centre is a designated supervisor.
    _casework(own, worker2)
    _casework(neighbour, other_worker)
    _casework(far, far_worker)
    district_user = make_supervisor(district_user)

    world = World(
        beichen=beichen,
        hotline=_hotline_records(beichen, worker, category),
        nankai=nankai,
        category=category,
        users=SimpleNamespace(
            worker=worker,
            worker2=worker2,
            other_worker=other_worker,
            far_worker=far_worker,
            district_user=district_user,
            other_district_user=other_district_user,
            city_user=city_user,
            admin_user=admin_user,
            auditor=auditor,
            community_staff=community_staff,
            volunteer_reporter=volunteer_reporter,
        ),
        own=own,
        neighbour=neighbour,
        far=far,
        district_group=DISTRICT_GROUP,
        notification=notification,  # 李静's (the station worker's) own message
        import_job=import_job,
    )
    add_supervision_records(world)  # casework supervision (cwsuper)
    _transfer_records(world, category)
    _evaluation_records(world)
    return world


def _transfer_records(world, category):
    """Transfers (issue #21): one of 果园新村's requests offered to 集贤里 (pending: 果园新村 may withdraw
    it), and one of 集贤里's offered to 果园新村 (pending: 果园新村 decides); a report by each reporter."""
    from residents.services import propose_transfer, report_need

    def request_of(records, lead, text):
        return services.create_request(
            acting_user=lead,
            station=records.station,
            community=records.community,
            category=category,
            description=text,
            severity="mild",
            urgency="not_urgent",
            channel=Request.Channel.WALK_IN,
        )

    users = world.users
    outgoing = request_of(world.own, users.worker, "居民已搬至泰来西里，需继续跟进助餐。")
    world.own.transfer_out = propose_transfer(
        acting_user=users.worker, request=outgoing, to_station=world.neighbour.station, reason="moved"
    )
    incoming = request_of(world.neighbour, users.other_worker, "居民实际住址在另一街道，反映楼道堆物。")
    world.own.transfer_in = propose_transfer(
        acting_user=users.other_worker, request=incoming, to_station=world.own.station, reason="not_ours"
    )
    # A case's transfer each way (transfers2), written directly: the world's clients have other open work.
    from casework.models import CaseTransfer

    world.own.case_transfer_out = CaseTransfer.objects.create(
        case=world.own.case,
        from_station=world.own.station,
        to_station=world.neighbour.station,
        reason="moved",
        proposed_by=users.worker,
    )
    world.own.case_transfer_in = CaseTransfer.objects.create(
        case=world.neighbour.case,
        from_station=world.neighbour.station,
        to_station=world.own.station,
        reason="moved",
        proposed_by=users.other_worker,
    )
    for reporter in (users.community_staff, users.volunteer_reporter):
        report_need(
            acting_user=reporter,
            community=world.own.community,
            category=category,
            description="独居老人家中水管漏水，需要帮助联系维修。",
        )


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup, django_db_blocker):
    """The data set, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        data = build_world()
        yield data
        transaction.set_rollback(True)


def fresh(obj):
    """`obj` as the database has it now (a test may have changed it in its savepoint)."""
    return type(obj)._default_manager.get(pk=obj.pk)
