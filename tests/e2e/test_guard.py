"""The browser fixtures' guard itself: it must catch console errors and missing assets, or a green run
would prove nothing. A form sent back with its errors (HTTP 400) is not an error."""

from tests.e2e.browser import log_in_quickly

LOAD_MISSING_IMAGE = """() => new Promise(done => {
  const img = new Image();
  img.onerror = done;
  img.src = "/static/no-such.png";
  document.body.appendChild(img);
})"""


def test_console_errors_and_missing_assets_are_caught(desktop, db):
    desktop.goto("/login/")
    desktop.evaluate("console.error('boom')")
    desktop.evaluate(LOAD_MISSING_IMAGE)
    found = desktop.problems.unexpected()
    desktop.problems.errors.clear()  # caught: let the fixture's own check pass

    assert any("boom" in error for error in found)
    assert any("404" in error for error in found)


def test_a_form_answered_with_400_is_not_an_error(desktop, worker, client):
    log_in_quickly(desktop, client, worker)
    desktop.goto("/residents/requests/new/")
    with desktop.expect_response(lambda response: response.request.method == "POST") as answer:
        desktop.get_by_role("button", name="登记", exact=True).click()  # nothing filled in
    desktop.wait_for_load_state()

    assert answer.value.status == 400
    assert desktop.locator(".errorlist").count() >= 1
    assert desktop.problems.unexpected() == []
