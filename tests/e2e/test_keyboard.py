"""Everything reachable with the keyboard: the skip link, the navigation (the "更多" menu on a desktop, the
menu button on a phone), with a visible focus ring on whatever has focus."""

from tests.e2e.browser import log_in_quickly

QUEUE = "/residents/requests/"

FOCUSED = """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
  return {tag: e.tagName, text: (e.textContent || '').trim(), id: e.id,
          outline: getComputedStyle(e).outlineStyle,
          visible: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0}; }"""


def _tab_to(page, text, limit=40):
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["text"] == text:
            return focused
    raise AssertionError(f"{text!r} cannot be reached with Tab")


def test_skip_link_and_more_menu_by_keyboard(desktop, worker, guoyuan, client):
    log_in_quickly(desktop, client, worker)
    desktop.goto(QUEUE)

    desktop.keyboard.press("Tab")
    focused = desktop.evaluate(FOCUSED)
    assert focused["text"] == "跳到正文" and focused["visible"] and focused["outline"] != "none"
    desktop.keyboard.press("Enter")
    assert desktop.evaluate(FOCUSED)["id"] == "main"

    desktop.keyboard.press("Shift+Tab")  # back into the top bar
    summary = _tab_to(desktop, "更多")
    assert summary["tag"] == "SUMMARY" and summary["outline"] != "none"
    desktop.keyboard.press("Enter")
    assert desktop.locator("details.nav-more").get_attribute("open") is not None
    desktop.keyboard.press("Tab")
    assert desktop.evaluate(FOCUSED)["text"] == "站点信息"
    desktop.keyboard.press("Escape")
    assert desktop.locator("details.nav-more").get_attribute("open") is None
    assert desktop.evaluate(FOCUSED)["text"] == "更多"

    # The queue's own actions are reachable too.
    assert _tab_to(desktop, "登记诉求")["tag"] == "A"


def test_phone_menu_by_keyboard(phone, worker, guoyuan, client):
    log_in_quickly(phone, client, worker)
    phone.goto(QUEUE)
    nav = phone.get_by_role("navigation", name="主导航")
    assert not nav.is_visible()

    button = _tab_to(phone, "☰菜单")
    assert button["tag"] == "BUTTON" and button["outline"] != "none"
    phone.keyboard.press("Enter")
    assert nav.is_visible()
    assert phone.get_by_role("button", name="菜单").get_attribute("aria-expanded") == "true"
    phone.keyboard.press("Tab")
    assert phone.evaluate(FOCUSED)["text"] == "概览"
    phone.keyboard.press("Escape")
    assert not nav.is_visible()
    assert phone.evaluate(FOCUSED)["tag"] == "BUTTON"
