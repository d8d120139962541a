"""考核评估 through the pages (issue #22): 北辰区's centre opens 果园新村's evaluation on a desktop, the
third-party evaluator scores on 1440 px, the station head answers and submits on a 375 px phone, the
centre approves; the result is locked with its total and grade. No page scrolls sideways on the phone."""

import datetime

import pytest

from sws.models.evaluation import Evaluation
from tests.e2e.browser import log_in_quickly
from tests.sws import evaluation_factories as ef

pytestmark = pytest.mark.e2e


def _as(page, client, user):
    page.context.clear_cookies()
    log_in_quickly(page, client, user)


def test_open_score_respond_approve(desktop, phone, client, guoyuan, worker, district_user):
    evaluator = ef.make_evaluator("pg-zhoumin", "周敏")
    indicator_set = ef.make_indicator_set(datetime.date.today().year)
    for page in (desktop, phone):
        page.on("dialog", lambda dialog: dialog.accept())

    # The centre opens it (desktop).
    _as(desktop, client, district_user)
    desktop.goto("/evaluations/new/")
    desktop.select_option("#id_station", str(guoyuan.pk))
    desktop.select_option("#id_indicator_set", str(indicator_set.pk))
    year = indicator_set.year
    desktop.fill("#id_period_start", f"{year}-01-01")
    desktop.fill("#id_period_end", f"{year}-03-31")
    desktop.get_by_label("周敏").check()
    desktop.get_by_role("button", name="发起评估").click()
    desktop.wait_for_url("**/evaluations/*/")
    assert "已发起考核评估" in desktop.locator(".messages").inner_text()
    evaluation = Evaluation.objects.get()
    score = evaluation.scores.get(indicator__name="服务对象与社区评价")

    # The evaluator scores (1440 px), then sends it to the station.
    _as(desktop, client, evaluator)
    desktop.goto(f"/evaluations/{evaluation.pk}/")
    desktop.fill(f"#value-{score.pk}", "18")
    desktop.fill(f"#comment-{score.pk}", "走访居民12户，评价较好")
    desktop.locator(f"#score-{score.pk}").get_by_role("button", name="保存评分").click()
    desktop.wait_for_load_state()
    assert "已保存" in desktop.locator(".messages").inner_text()
    desktop.reload()  # reopened: the score is there
    assert desktop.locator(f"#value-{score.pk}").input_value() == "18"
    desktop.get_by_role("button", name="评分完成，提交站点反馈").click()
    desktop.wait_for_load_state()
    assert "已提交站点反馈" in desktop.locator(".messages").inner_text()

    # The head answers on a phone and submits.
    _as(phone, client, worker)
    phone.goto(f"/evaluations/{evaluation.pk}/")
    phone.fill(f"#response-{score.pk}", "认可评分，将继续加强入户走访。")
    phone.locator(f"#score-{score.pk}").get_by_role("button", name="保存反馈").click()
    phone.wait_for_load_state()
    assert "已保存对" in phone.locator(".messages").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("button", name="提交反馈").click()
    phone.wait_for_load_state()
    assert "已将反馈提交" in phone.locator(".messages").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # The centre approves (desktop): locked, with its total and grade.
    _as(desktop, client, district_user)
    desktop.goto(f"/evaluations/{evaluation.pk}/")
    desktop.fill("#step-note", "同意评估结果。")
    desktop.get_by_role("button", name="审定并锁定").click()
    desktop.wait_for_load_state()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.APPROVED
    assert f"总分 {evaluation.total} 分" in desktop.locator(".callout").inner_text()
