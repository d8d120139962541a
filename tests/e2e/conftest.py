"""Browser tests: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

Run with `make e2e`; the default `make test`/pytest run deselects them (marker `e2e`, see pyproject.toml).
Only the Python package's driver is used: never `playwright install` (nothing is downloaded).

Every page a test opens is watched: a console error, an uncaught exception or a failed same-origin request
fails the test. Screenshots go to screenshots/ (git-ignored) so anyone can look at the UI without running it.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told it is safe. It is: the test thread and the live server thread each use their own
# connection, and the tests never run ORM code concurrently with the loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("SWS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",  # date inputs and the like as a Chinese user's browser shows them
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 900}


def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is a browser test, marked so the default run leaves it out.

    The live server needs committed data, so each test runs on a real transaction and the tables are
    emptied afterwards; `available_apps` makes that a TRUNCATE ... CASCADE, which PostgreSQL needs
    because django-auditlog's own table points at the content types.
    """
    from tests.factories import installed_app_names

    here = Path(__file__).parent
    live_db = pytest.mark.django_db(transaction=True, available_apps=installed_app_names())
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(live_db)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (make e2e does not download browsers)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """Console errors, uncaught exceptions and failed requests seen by one browser context."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.errors = []  # (message, console text, console source url)
        self.allowed = []  # substrings of errors a test expects (e.g. a 404 it provokes on purpose)
        # Pages answered 4xx on purpose (a form sent back with its errors is a 400): Chromium logs a
        # console error for the page itself, which is no fault. A failed script, style or image is.
        self.refused_documents = set()

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self._add(f"page error on {page.url}: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def expect(self, substring):
        self.allowed.append(substring)

    def _add(self, message, text="", source=""):
        self.errors.append((message, text, source))

    def _console(self, message):
        if message.type in ("error", "assert"):
            where = message.page.url if message.page else "?"
            source = (message.location or {}).get("url", "")
            self._add(f"console {message.type} on {where}: {message.text}", message.text, source)

    def _request_failed(self, request):
        if request.url.startswith(self.base_url) and request.failure != "net::ERR_ABORTED":
            self._add(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response):
        if not response.url.startswith(self.base_url):
            return
        if response.status >= 500:
            self._add(f"server error {response.status}: {response.request.method} {response.url}")
        elif response.status >= 400 and response.request.resource_type == "document":
            self.refused_documents.add(response.url)

    def unexpected(self):
        found = []
        for message, text, source in self.errors:
            if text.startswith("Failed to load resource") and source in self.refused_documents:
                continue
            if not any(allowed in message for allowed in self.allowed):
                found.append(message)
        return found


def _context(browser, live_server, request, *, viewport, javascript=True, mobile=False):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        java_script_enabled=javascript,
        is_mobile=mobile,
        has_touch=mobile,
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    problems = PageProblems(live_server.url)
    context.on("page", problems.watch)
    page = context.new_page()
    page.problems = problems
    yield page
    unexpected = problems.unexpected()
    context.close()
    # Fails the test (as an error in teardown) when any page of it logged an error.
    assert not unexpected, "browser problems:\n" + "\n".join(unexpected)


@pytest.fixture
def phone(browser, live_server, request):
    """A page in a phone-sized window (375 x 812, touch), JavaScript on."""
    yield from _context(browser, live_server, request, viewport=PHONE, mobile=True)


@pytest.fixture
def desktop(browser, live_server, request):
    """A page in a desktop window (1440 x 900), JavaScript on."""
    yield from _context(browser, live_server, request, viewport=DESKTOP)


@pytest.fixture
def phone_nojs(browser, live_server, request):
    """A phone-sized page with JavaScript disabled: the no-JS fallbacks must work."""
    yield from _context(browser, live_server, request, viewport=PHONE, javascript=False, mobile=True)


@pytest.fixture
def desktop_nojs(browser, live_server, request):
    yield from _context(browser, live_server, request, viewport=DESKTOP, javascript=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The live server shares this process's cache: public rate-limit counters must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
