"""A referral to a partner, end to end: at 1440 px a worker refers a request to the charging company and
records the resident's consent; on a 375 px phone the partner opens the link from its SMS (no account),
answers 已接收, then 已办结 with the result; the request's timeline shows both answers."""

import datetime

from notifications.models import OutboxMessage
from partners.models import PartnerReferral
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.partners import factories as pf
from tests.residents.factories import make_resident


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
    phone.get_by_label("已接收").check()
    phone.get_by_role("button", name="提交回复").click()
    phone.get_by_text("已提交回复，谢谢").wait_for()
    phone.get_by_label("已办结").check()
    phone.get_by_label("说明（未接收请写原因，办结请写结果）").fill("已安装6个智能充电桩")
    phone.get_by_role("button", name="提交回复").click()
    phone.get_by_text("回复已提交，谢谢").wait_for()

    # Back at the desk: both answers on the request's timeline.
    desktop.goto(request.get_absolute_url())
    timeline = desktop.locator(".case-timeline")
    timeline.get_by_text("天津安居充电设备有限公司：已接收").wait_for()
    timeline.get_by_text("天津安居充电设备有限公司：已办结。已安装6个智能充电桩").wait_for()
    shoot(desktop, "partner-answers-on-timeline")
