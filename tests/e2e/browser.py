"""Helpers for the browser tests: log in, screenshots, the accessibility check."""

from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "Sws-test-2026"  # tests/factories.make_user


def login(page, user, password=PASSWORD):
    """Log in through the real login form; lands on the user's home page."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"login failed for {user.username}: still on {page.url}"


def shoot(page, name):
    """Screenshots into screenshots/ (git-ignored): the whole page as <name>-<width>.png, and what fits the
    first screen as first-screen/<name>-<width>.png (the README shows a few of those, see `make screenshots`).
    """
    width = page.viewport_size["width"]
    path = SCREENSHOTS / f"{name}-{width}.png"
    (SCREENSHOTS / "first-screen").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / "first-screen" / f"{name}-{width}.png"))
    return path


SETTLED = """() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')
    && document.getAnimations().every(a => a.playState !== 'running')"""


def wait_until(page, expression, *, seconds=10, what=None):
    """Poll a JavaScript expression (or function) with evaluate() until it is true. Not wait_for_function:
    that evaluates strings in the page, which the CSP forbids."""
    for _ in range(seconds * 40):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(25)
    raise AssertionError(f"{page.url} did not {what or 'satisfy ' + expression} within {seconds} s")


def check_a11y(page, *, impacts=("serious", "critical"), disable=()):
    """Run axe-core in the page; fail on violations of the given impact levels, listing each node."""
    # Colours are judged as painted: wait until htmx has settled and its fade/flash animations are over,
    # or a row caught mid-swap (opacity .4) reads as low contrast.
    wait_until(page, SETTLED, seconds=5, what="settle")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's CSP, unlike an injected <script> tag.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    options = {"resultTypes": ["violations"]}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    result = page.evaluate("options => window.axe.run(document, options)", options)
    bad = [v for v in result["violations"] if v["impact"] in impacts]
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']} {n.get('failureSummary', '')[:200]!r}" for n in v["nodes"][:8])
        for v in bad
    ]
    assert not bad, f"axe violations on {page.url}:\n" + "\n".join(report)
    return result


def log_in_quickly(page, client, user):
    """Put a session cookie for `user` into the page's browser (for tests that are not about logging in)."""
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.problems.base_url}])
