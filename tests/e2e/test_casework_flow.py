"""Issue 17: the report's child who needs judicial aid (韩宇轩, 果园新村; demo/casework_story.py)
taken through every stage of casework on a 375 px phone: 转为个案, consent, 立案, the assessment (a
minor at high risk, so the closure needs the district's sign-off), the plan and the head's approval, a
service record and a photo (its GPS position gone on download), the evaluation, the closure request,
the head's approval and the district supervisor's sign-off, until the case reads 已结案. Every step is
done through the pages and its result is checked on the page and in the database; no page scrolls
sideways."""

import datetime
import io
import re

from django.contrib.auth.models import Permission
from django.utils import timezone
from PIL import Image

from attachments.models import Attachment
from casework.models import Case, CasePlan, Closure
from residents.models import Request, Severity, Urgency
from tests.attachments import samples as s
from tests.casework.factories import make_supervisor
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.factories import make_request
from tests.sws import factories as sf

PHONE_WIDTH = 375


def _label(text):
    """A field's label as Django renders it (label_tag adds a colon)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url


def _message(page):
    _no_sideways_scroll(page)
    return page.locator(".messages").inner_text()


def _grant_sensitive(user):
    """A minor's case needs the sensitive-records permission (station heads hold it by role)."""
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive_resident"))
    return type(user).objects.get(pk=user.pk)


def _the_child_and_his_request(guoyuan, worker):
    xinhuali = guoyuan.streets.first().communities.get(name="新华里社区居委会")
    today = timezone.localdate()
    child = sf.make_resident(
        xinhuali, name="韩宇轩", gender="M", birth_date=datetime.date(today.year - 10, 7, 15)
    )
    request = make_request(
        guoyuan,
        xinhuali,
        user=worker,
        resident=child,
        category_name="司法救助",
        severity=Severity.SEVERE,
        urgency=Urgency.URGENT,
        channel=Request.Channel.COMMITTEE,
        description="新华里发现一名困难儿童需要司法救助：孩子的监护人不清楚申请程序，请社工协助对接。",
        status=Request.Status.IN_PROGRESS,
    )
    return child, request


def _case_step(page, label):
    """One folded step of the case page, by its exact title (立案 is not 不予立案)."""
    return page.locator("details.case-step", has=page.locator("summary", has_text=_label(label)))


def _step(page, label, fill=None, button=None):
    """Open one folded step of the case page, fill it in and submit it."""
    step = _case_step(page, label)
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    for what, value in (fill or {}).items():
        step.get_by_label(_label(what)).fill(value)
    step.get_by_role("button", name=button or label, exact=True).click()
    page.wait_for_load_state()


def _as(page, client, user):
    page.context.clear_cookies()
    log_in_quickly(page, client, user)


def test_the_judicial_aid_child_through_every_stage_on_a_phone(
    phone, client, guoyuan, worker, worker2, district_user
):
    head = worker  # 徐芃泽, the station head
    social_worker = _grant_sensitive(worker2)  # 李静, who takes the case
    supervisor = _grant_sensitive(make_supervisor(district_user))
    child, request = _the_child_and_his_request(guoyuan, head)
    today = timezone.localdate()

    # 转为个案, from the request's page.
    _as(phone, client, social_worker)
    phone.goto(request.get_absolute_url())
    phone.get_by_role("link", name="转为个案").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "诉求转为个案"
    phone.get_by_label(_label("主要问题")).fill(
        "困难儿童（10岁）：父亲服刑，母亲多年失联，由祖父母监护；监护人不清楚司法救助申请程序。"
    )
    phone.get_by_label(_label("主责社工")).select_option(label=str(social_worker))
    phone.get_by_label(_label("初步风险等级")).select_option(label="高")
    phone.get_by_label("敏感个案").check()
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="转为个案").click()
    phone.wait_for_load_state()
    case = Case.objects.get()
    assert f"已转为个案 {case.reference}" in _message(phone)
    assert (case.request, case.client, case.stage) == (request, child, Case.Stage.INTAKE)
    assert "接案" in phone.locator(".lead .badge").first.inner_text()
    check_a11y(phone)
    shoot(phone, "casework-flow-intake")

    # 知情同意 (the grandfather, verbally, with a witness), then 立案.
    consent = _case_step(phone, "记录知情同意")
    consent.locator("summary").click()
    consent.get_by_label(_label("同意人")).fill("韩志刚")
    consent.get_by_label(_label("与服务对象关系")).fill("祖父（监护人）")
    consent.get_by_label(_label("同意日期")).fill(today.isoformat())
    consent.get_by_role("radio", name="口头同意（有见证人）").check()
    consent.get_by_label(_label("见证人")).fill("新华里社区居委会 王主任")
    consent.get_by_role("button", name="记录知情同意").click()
    phone.wait_for_load_state()
    assert "已记录知情同意" in _message(phone)
    intake = phone.locator("section", has=phone.locator("#intake-title"))
    assert f"韩志刚（祖父（监护人））· {today:%Y-%m-%d} · 口头同意" in intake.inner_text()

    _step(phone, "立案", {"立案评估说明": "未成年人，监护缺位，符合立案条件。"})
    assert "已立案" in _message(phone)
    case.refresh_from_db()
    assert case.stage == Case.Stage.ASSESSMENT and case.accepted_at
    assert "预估" in phone.locator(".lead .badge").first.inner_text()

    # 预估: high risk, every required domain.
    phone.get_by_role("button", name="开始预估").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "第1次预估"
    phone.get_by_label(_label("综合风险等级")).select_option(label="高")
    phone.get_by_label(_label("需求清单")).fill("申请司法救助\n法律援助（监护权确认）\n学业辅导")
    findings = {
        "身心健康": "身体健康，学业落后。",
        "情绪状态": "情绪退缩，不愿与同学交往。",
        "家庭关系": "父亲服刑、母亲失联，祖父母监护。",
        "经济状况": "祖父母靠养老金生活。",
        "社会支持": "居委会、学校关注，缺乏持续支持。",
        "安全与风险": "监护能力有限。",
    }
    for domain, text in findings.items():
        phone.get_by_label(_label(f"{domain}：发现")).fill(text)
        phone.get_by_label(_label(f"{domain}：评分")).select_option("2")
    phone.get_by_label(_label("预估小结")).fill("监护缺位、经济困难，风险高，需区督导关注。")
    _no_sideways_scroll(phone)
    phone.once("dialog", lambda dialog: dialog.accept())  # 提交后不能再修改，确定提交吗？
    phone.get_by_role("button", name="保存并提交").click()
    phone.wait_for_load_state()
    assert "预估已提交并锁定" in _message(phone)
    case.refresh_from_db()
    assert (case.stage, case.risk) == (Case.Stage.PLANNING, Case.Risk.HIGH)
    assert case.needs_district_signoff

    # 服务计划: one goal, one intervention, the guardian's agreement; submitted to the head.
    phone.goto(case.get_absolute_url())
    phone.get_by_role("button", name="制定服务计划").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "第1版服务计划"
    phone.get_by_label(_label("计划概述")).fill("以司法救助和法律援助为主线，链接学业辅导。")
    goal = phone.get_by_role("group", name="目标 1")
    goal.get_by_label(_label("目标")).fill("获得司法救助金")
    goal.get_by_label(_label("衡量指标")).fill("救助申请获批")
    target = today + datetime.timedelta(days=60)
    goal.get_by_label(_label("目标日期")).fill(target.isoformat())
    intervention = phone.get_by_role("group", name="介入 1")
    intervention.get_by_label(_label("介入内容")).fill("协助监护人准备司法救助申请材料")
    intervention.get_by_label(_label("执行人")).fill("李静")
    phone.get_by_label("服务对象已同意本计划").check()
    phone.get_by_label(_label("同意日期")).fill(today.isoformat())
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="保存并提交审批").click()
    phone.wait_for_load_state()
    assert "计划已提交审批" in _message(phone)
    plan = CasePlan.objects.get(case=case)
    assert plan.status == CasePlan.Status.SUBMITTED and plan.client_agreed_on == today
    assert plan.goals.get().target_date == target  # the date input round-trips

    # The head approves the plan from the case page.
    _as(phone, client, head)
    phone.goto(case.get_absolute_url())
    review = _case_step(phone, "审批服务计划")
    review.get_by_role("radio", name="批准").check()
    review.get_by_label(_label("审批意见")).fill("同意，注意与区法律援助中心保持沟通。")
    review.get_by_role("button", name="审批服务计划").click()
    phone.wait_for_load_state()
    assert "计划已批准" in _message(phone)
    case.refresh_from_db()
    assert case.stage == Case.Stage.INTERVENTION
    assert "获得司法救助金" in phone.locator("#plan-title ~ ol").first.inner_text()

    # 介入: a home visit, then a photo of it on the case.
    _as(phone, client, social_worker)
    phone.goto(case.get_absolute_url())
    phone.get_by_role("link", name="登记服务记录").click()
    phone.wait_for_load_state()
    phone.get_by_label(_label("服务形式")).select_option(label="家访")
    phone.get_by_label(_label("时长（分钟）")).fill("90")
    phone.get_by_label(_label("服务人次")).fill("3")
    phone.get_by_label(_label("服务内容")).fill("入户协助祖父整理司法救助申请材料，陪孩子完成作业。")
    phone.get_by_label("获得司法救助金").check()
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="保存服务记录").click()
    phone.wait_for_load_state()
    assert "服务记录已保存" in _message(phone)
    record = case.service_records.get()
    assert (record.form, record.duration_minutes, record.worker) == ("home_visit", 90, social_worker)
    services = phone.locator("#services").inner_text()
    assert "家访" in services and "90分钟" in services

    attachments = phone.locator("#case-attachments")
    attachments.get_by_label("拍照上传").set_input_files(
        {"name": "IMG_2031.jpg", "mimeType": "image/jpeg", "buffer": s.jpeg_bytes(size=(600, 400), gps=True)}
    )
    attachments.get_by_label("类别").select_option(label="照片")
    attachments.get_by_label("说明").fill("入户家访")
    attachments.get_by_role("button", name="上传附件").click()
    phone.get_by_text("附件已上传").wait_for()
    _no_sideways_scroll(phone)
    assert Attachment.objects.filter(object_id=case.pk, original_name="IMG_2031.jpg").count() == 1
    with phone.expect_download() as info:
        phone.get_by_role("link", name="IMG_2031.jpg").click()
    photo = Image.open(io.BytesIO(info.value.path().read_bytes()))
    assert photo.size == (600, 400) and not photo.getexif().get_ifd(s.GPS_IFD)
    shoot(phone, "casework-flow-intervention")

    # 评估, then 申请结案.
    phone.goto(case.get_absolute_url())
    phone.get_by_role("link", name="进入评估").click()
    phone.wait_for_load_state()
    phone.get_by_role("radio", name="完全达成").check()
    phone.get_by_role("radio", name="满意", exact=True).check()
    phone.get_by_label(_label("服务对象的看法")).fill("祖父表示救助金已获批，孩子愿意上学了。")
    phone.get_by_label(_label("社工评估")).fill("司法救助金已获批，监护关系明确，目标达成。")
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="保存评估").click()
    phone.wait_for_load_state()
    assert "个案评估已保存" in _message(phone)
    case.refresh_from_db()
    assert case.stage == Case.Stage.EVALUATION
    assert "完全达成" in phone.locator("#evaluation").inner_text()

    phone.get_by_role("link", name="申请结案").click()
    phone.wait_for_load_state()
    assert "在站长批准后还需区督导签批" in phone.locator(".help").first.inner_text()
    phone.get_by_label(_label("结案原因")).select_option(label="目标达成")
    phone.get_by_label(_label("结案小结")).fill("司法救助金已获批，法律援助完成，学业与情绪改善。")
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="提交结案申请").click()
    phone.wait_for_load_state()
    assert "结案申请已提交" in _message(phone)
    closure = Closure.objects.get(case=case)
    assert closure.status == Closure.Status.PENDING_HEAD and closure.needs_district_signoff
    assert "需区督导签批" in phone.locator("#closure").inner_text()

    # The head approves; a minor at high risk goes on to the district.
    _as(phone, client, head)
    phone.goto(case.get_absolute_url())
    closing = phone.locator("#closure")
    closing.get_by_label(_label("意见")).fill("同意结案，报区督导签批。")
    closing.get_by_role("button", name="批准并报区督导签批").click()
    phone.wait_for_load_state()
    assert "已批准结案" in _message(phone)
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_DISTRICT and closure.head_approved_by == head
    assert "待区督导签批" in phone.locator("#closure").inner_text()

    # The district supervisor signs off from the case page: 已结案.
    _as(phone, client, supervisor)
    phone.goto(case.get_absolute_url())
    closing = phone.locator("#closure")
    closing.get_by_label(_label("意见")).fill("同意结案。")
    closing.get_by_role("button", name="签批结案").click()
    phone.wait_for_load_state()
    assert "已签批，个案已结案" in _message(phone)
    closure.refresh_from_db()
    case.refresh_from_db()
    assert (closure.status, closure.signed_off_by) == (Closure.Status.APPROVED, supervisor)
    assert case.stage == Case.Stage.CLOSED
    assert phone.locator(".lead .badge").first.inner_text() == "已结案"
    assert "区督导签批" in phone.locator("#closure").inner_text()
    check_a11y(phone)
    shoot(phone, "casework-flow-closed")
