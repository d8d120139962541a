"""Logging in on a phone: labelled fields, a Chinese error for a wrong password, no console errors."""

from tests.e2e.browser import check_a11y, shoot


def test_wrong_password_gets_a_chinese_error_next_to_the_form(phone, worker):
    phone.goto("/login/")
    check_a11y(phone)
    shoot(phone, "flow-login")

    phone.get_by_label("用户名").fill(worker.username)
    phone.get_by_label("密码").fill("not-the-password")
    phone.get_by_role("button", name="登录").click()

    alert = phone.get_by_role("alert")
    assert "用户名" in alert.inner_text() and "密码" in alert.inner_text()
    assert "/login/" in phone.url
    check_a11y(phone)


def test_login_page_at_desktop_width(desktop, db):
    desktop.goto("/login/")
    assert desktop.locator("h1").inner_text() == "登录 SWS 社工站"
    check_a11y(desktop)
    shoot(desktop, "flow-login")
