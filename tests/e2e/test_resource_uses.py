"""Resources used, in the browser: on a 375 px phone a worker records on a request's page that the
charity paid ¥3,000 (the row appears in place, htmx) and it is still there after a reload; at 1440 px
she records a volunteer team's hours on an activity and removes a wrong row."""

from partners.models import Partner, ResourceUse
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.partners import factories as pf
from tests.projects import factories as projects_factories


def test_recording_resources_used(phone, desktop, worker, chaoyangli, client):
    pf.make_partner(worker.station, name="天津市慈善协会")
    request = pf.make_request(worker, chaoyangli)
    log_in_quickly(phone, client, worker)
    phone.goto(request.get_absolute_url())
    panel = phone.locator(f"#resource-uses-request-{request.pk}")
    panel.get_by_text("记录资源使用").click()
    panel.get_by_label("合作伙伴").select_option(label="天津市慈善协会")
    panel.get_by_label("金额或价值（元）").fill("3000")
    panel.get_by_label("内容").fill("充电设施安装补贴")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    panel.get_by_role("button", name="添加").click()
    phone.locator(f"#resource-uses-request-{request.pk}").get_by_text("充电设施安装补贴").wait_for()
    shoot(phone, "resource-uses-request")
    phone.reload()
    phone.locator(f"#resource-uses-request-{request.pk}").get_by_text("3000.00").wait_for()
    assert ResourceUse.objects.get(request=request).amount == 3000

    team = projects_factories.make_team(worker.station, name="爱心扫把")
    from partners.services import sync_partners

    sync_partners()
    assert Partner.objects.filter(team=team).exists()
    activity = projects_factories.make_activity(worker.station, created_by=worker)
    log_in_quickly(desktop, client, worker)
    desktop.goto(activity.get_absolute_url())
    panel = desktop.locator(f"#resource-uses-activity-{activity.pk}")
    panel.get_by_text("记录资源使用").click()
    panel.get_by_label("合作伙伴").select_option(label="爱心扫把")
    panel.get_by_label("类别").select_option(label="志愿服务时长")
    panel.get_by_label("时长（小时）").fill("8")
    panel.get_by_role("button", name="添加").click()
    rows = desktop.locator(f"#resource-uses-activity-{activity.pk} tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    shoot(desktop, "resource-uses-activity")
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.locator(f"#resource-uses-activity-{activity.pk}").get_by_role("button", name="删除").click()
    desktop.get_by_text("已删除该条资源使用").wait_for()
    desktop.locator(f"#resource-uses-activity-{activity.pk}").get_by_text("还没有记录").wait_for()
    assert not ResourceUse.objects.filter(activity=activity).exists()
