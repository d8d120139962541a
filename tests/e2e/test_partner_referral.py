"""A referral to a partner, end to end: at 1440 px a worker refers a request to the charging company and
records the resident's consent; on a 375 px phone the partner opens the link from its SMS (no account),
answers 已接收, then 已办结 with the result; the request's timeline shows both answers."""

import datetime

from notifications.models import OutboxMessage
from partners.models import PartnerReferral
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.partners import factories as pf
from tests.residents.factories import make_resident


def accept_then_complete(phone, result):
    """The partner, on its link's page: 已接收, then 已办结 with the result (the link is then spent)."""
    phone.get_by_label("已接收").check()
    phone.get_by_role("button", name="提交回复").click()
    phone.get_by_text("已提交回复，谢谢").wait_for()
    phone.get_by_label("已办结").check()
    phone.get_by_label("说明（未接收请写原因，办结请写结果）").fill(result)
    phone.get_by_role("button", name="提交回复").click()
    phone.get_by_text("回复已提交，谢谢").wait_for()


def test_a_partner_answers_a_referral_on_a_phone(desktop, phone, worker, chaoyangli, client):
    resident = make_resident(
        chaoyangli,
        name="张桂兰",
        phone="13820135678",
        address="朝阳里3号楼2门401",
        birth_date=datetime.date(1944, 5, 2),
    )
    pf.make_partner(worker.station)  # 天津安居充电设备有限公司, 王经理
    request = pf.make_request(worker, chaoyangli, resident=resident)

    # The worker, at her desk: refer, then record the consent to share name and phone.
    log_in_quickly(desktop, client, worker)
    desktop.goto(request.get_absolute_url())
    desktop.get_by_role("link", name="转介至合作伙伴").first.click()
    desktop.get_by_label("合作伙伴").select_option(label="天津安居充电设备有限公司")
    desktop.get_by_label("转介事由").fill("存车处需安装安全的电动自行车充电桩")
    check_a11y(desktop)
    shoot(desktop, "partner-refer")
    desktop.get_by_role("button", name="转介并发送链接").click()
    desktop.get_by_text("回复链接已通过短信发送给对接人").wait_for()
    desktop.get_by_label("在系统中当面确认").check()
    desktop.get_by_role("checkbox", name="姓名").check()
    desktop.get_by_role("checkbox", name="联系电话").check()
    desktop.get_by_role("button", name="记录同意").click()
    desktop.get_by_text("已记录同意").wait_for()
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1440
    shoot(desktop, "partner-referral-detail")
    pr = PartnerReferral.objects.get(request=request)
    assert pr.consents.get().fields == ["name", "phone"]
    # Saved and reopened: the referral page shows the consent in force.
    desktop.reload()
    desktop.get_by_text("有效").first.wait_for()

    # The partner, on a phone, through the link in the SMS.
    body = OutboxMessage.objects.get(template_code="partner_referral").body
    path = "/p/" + body.rsplit("/p/", 1)[1]
    phone.goto(path)
    phone.get_by_text("张桂兰").wait_for()  # consented: the name, the phone; not the address
    assert "3号楼2门401" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "partner-link")
    accept_then_complete(phone, "已安装6个智能充电桩")

    # Back at the desk: both answers on the request's timeline.
    desktop.goto(request.get_absolute_url())
    timeline = desktop.locator(".case-timeline")
    timeline.get_by_text("天津安居充电设备有限公司：已接收").wait_for()
    timeline.get_by_text("天津安居充电设备有限公司：已办结。已安装6个智能充电桩").wait_for()
    shoot(desktop, "partner-answers-on-timeline")


def test_a_partner_answers_a_case_referral_on_a_phone(desktop, phone, worker, chaoyangli, client):
    """The same for a case (个案): referred from the case page, the consent recorded on the referral's page,
    the partner answering on a phone, both answers on the case's timeline. The worker's pages at 375 px
    too: the case page's action, the form and the referral page fit a phone."""
    from casework.models import Case
    from tests.casework.factories import make_case

    client_resident = make_resident(
        chaoyangli,
        name="刘淑芬",
        phone="13820137777",
        address="朝阳里5号楼1门202",
        birth_date=datetime.date(1940, 3, 9),
    )
    pf.make_partner(worker.station, name="北辰区康复辅具服务中心")
    case = make_case(
        worker.station,
        client_resident,
        worker,
        stage=Case.Stage.INTERVENTION,
        presenting_problem="独居，行动不便，需要助行器和居家适老化改造。",
    )

    log_in_quickly(desktop, client, worker)
    desktop.goto(case.get_absolute_url())
    desktop.get_by_role("link", name="转介至合作伙伴").first.click()
    desktop.get_by_label("合作伙伴").select_option(label="北辰区康复辅具服务中心")
    desktop.get_by_label("转介事由").fill("需上门评估并适配助行器")
    check_a11y(desktop)
    desktop.get_by_role("button", name="转介并发送链接").click()
    desktop.get_by_text("回复链接已通过短信发送给对接人").wait_for()
    desktop.get_by_label("在系统中当面确认").check()
    desktop.get_by_role("checkbox", name="姓名").check()
    desktop.get_by_role("button", name="记录同意").click()
    desktop.get_by_text("已记录同意").wait_for()
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1440
    shoot(desktop, "case-referral-detail")
    pr = PartnerReferral.objects.get(case=case)
    assert pr.consents.get().fields == ["name"]

    # The worker's pages on a phone: no horizontal overflow.
    log_in_quickly(phone, client, worker)
    for path in (case.get_absolute_url(), f"/cases/{case.pk}/refer/", pr.get_absolute_url()):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path
    phone.context.clear_cookies()

    # The partner, on a phone, through the link in the SMS: the name (consented), nothing else of the case.
    body = OutboxMessage.objects.get(template_code="partner_referral").body
    assert "个案" in body and "刘淑芬" not in body
    phone.goto("/p/" + body.rsplit("/p/", 1)[1])
    phone.get_by_text("刘淑芬").wait_for()
    text = phone.content()
    assert "13820137777" not in text and "5号楼1门202" not in text and "助行器和居家适老化改造" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "case-partner-link")
    accept_then_complete(phone, "已上门适配助行器一台")

    # Back at the desk: both answers on the case's timeline, the referral marked done on the case page.
    desktop.goto(case.get_absolute_url())
    timeline = desktop.locator("[aria-labelledby=timeline-title] .timeline")
    timeline.get_by_text("北辰区康复辅具服务中心：已接收").wait_for()
    timeline.get_by_text("北辰区康复辅具服务中心：已办结。已上门适配助行器一台").wait_for()
    desktop.locator("#partner-referrals").get_by_text("已办结").wait_for()
    shoot(desktop, "case-partner-answers-on-timeline")
