"""What a person sees when searching (issue 15, items 7 and 10): a station worker on a 375 px phone finds a
QR request by the reporter's name and narrows the queue to a community; a municipal user picks 区 → 街道 →
社区 on the residents list, with JavaScript (each step submits itself) and without (a button press)."""

from django.utils import timezone

from residents.models import Request
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.factories import make_request
from tests.residents.factories import make_resident

QUEUE = "/residents/requests/"
RESIDENTS = "/residents/"


def _rows(page):
    return page.locator("table.queue tbody tr")


def test_worker_searches_the_queue_by_name_on_a_phone(phone, worker, guoyuan, chaoyangli, client):
    other = guoyuan.streets.get().communities.exclude(pk=chaoyangli.pk).first()
    qr = make_request(
        guoyuan, chaoyangli, channel=Request.Channel.QR, reporter_name="刘秀梅", description="井盖松动"
    )
    make_request(guoyuan, chaoyangli, reporter_name="赵师傅", description="路灯不亮")
    elsewhere = make_request(guoyuan, other, reporter_name="刘秀梅", description="楼道堆物")
    make_request(guoyuan, other, reporter_name="刘秀梅", status="closed", closed_at=timezone.now())
    log_in_quickly(phone, client, worker)
    phone.goto(QUEUE)
    assert _rows(phone).count() == 3

    phone.get_by_role("button", name="筛选诉求").click()  # the filter bar is folded on a phone
    search = phone.get_by_role("searchbox", name="搜索")
    search.fill("刘秀梅")
    search.press("Enter")
    phone.wait_for_url("**q=*")
    assert _rows(phone).count() == 2
    assert phone.locator(f"#request-{qr.pk}").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll

    phone.get_by_role("button", name="筛选诉求").click()
    phone.get_by_label("社区").select_option(label=str(other))  # submits itself
    phone.wait_for_url(f"**community={other.pk}*")
    assert _rows(phone).count() == 1 and phone.locator(f"#request-{elsewhere.pk}").is_visible()

    phone.get_by_role("button", name="筛选诉求").click()
    phone.get_by_label("状态").select_option(label="全部状态（含已结案、撤回）")
    phone.wait_for_url("**status=all*")
    assert _rows(phone).count() == 2  # the closed one too
    check_a11y(phone)
    shoot(phone, "queue-search")


def _pick(page, name, option, *, press=None):
    page.locator(f"select[name={name}]").select_option(label=option)
    if press:
        page.get_by_role("button", name=press).click()
    page.wait_for_load_state()


def test_city_user_picks_a_community_step_by_step(desktop, city_user, chaoyangli, hualinyuan, client):
    make_resident(chaoyangli, name="张桂兰")
    make_resident(hualinyuan, name="刘建国")
    log_in_quickly(desktop, client, city_user)
    desktop.goto(RESIDENTS)
    assert desktop.locator("select[name=community] option").count() == 1  # （先选择街道）
    with desktop.expect_navigation():
        _pick(desktop, "district", "北辰区")
    with desktop.expect_navigation():
        _pick(desktop, "street", "果园新村街道")
    with desktop.expect_navigation():
        _pick(desktop, "community", "朝阳里社区居委会")
    table = desktop.locator("table")
    assert "张桂兰" in table.inner_text() and "刘建国" not in table.inner_text()
    check_a11y(desktop)


def test_the_step_picker_works_without_javascript(phone_nojs, city_user, chaoyangli, hualinyuan, client):
    make_resident(chaoyangli, name="张桂兰")
    make_resident(hualinyuan, name="刘建国")
    log_in_quickly(phone_nojs, client, city_user)
    phone_nojs.goto(RESIDENTS)
    _pick(phone_nojs, "district", "北辰区", press="查找")
    _pick(phone_nojs, "street", "果园新村街道", press="查找")
    _pick(phone_nojs, "community", "朝阳里社区居委会", press="查找")
    assert f"community={chaoyangli.pk}" in phone_nojs.url
    table = phone_nojs.locator("table")
    assert "张桂兰" in table.inner_text() and "刘建国" not in table.inner_text()
