"""Failed htmx requests in a real browser: the user reads why, and the console stays clean.

One story: every page loads without a console error or a failed request (favicon included) →
an action on an API key revoked meanwhile shows the server's 404 message → the web server
stops while the queue page polls: one "cannot be reached" message, gone once it is back →
the session ends elsewhere: the next poll's 401 + HX-Redirect still goes to the login page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis

from tests.browser.conftest import LiveApp

pytestmark = pytest.mark.slow

PASSWORD = "broken pipes"
SERIES_KEY = "kaempfer-des-lichts-die-rueckkehr"
SERIES_TITLE = "Kämpfer des Lichts: Die Rückkehr"
MESSAGE = "#request-error p"


class Watch:
    """What the page reported: console errors, HTTP errors and failed requests."""

    def __init__(self, page: object) -> None:
        self.problems: list[str] = []
        self.failed: list[str] = []
        self.loaded: list[str] = []
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, message: object) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: object) -> None:
        # A request the browser itself aborted because the page moved on (a busy machine
        # leaves the icon in flight when the next goto starts) is no failure of the app.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.url} ({request.failure})")

    def _response(self, response: object) -> None:
        self.loaded.append(response.url)
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} {response.url}")

    def reset(self) -> None:
        """Forget what was seen so far."""
        self.problems.clear()
        self.failed.clear()
        self.loaded.clear()


@pytest.fixture(scope="module", autouse=True)
def _clean_redis(redis_server: object) -> None:
    """Start from an empty Redis: an earlier module's app may have left jobs behind."""
    redis.Redis.from_url(redis_server.url).flushall()


@pytest.fixture(scope="module")
def context(browser: object, live_app: LiveApp) -> Iterator[object]:
    context = browser.new_context(base_url=live_app.url)
    yield context
    context.close()


@pytest.fixture(scope="module")
def page(context: object) -> object:
    return context.new_page()


@pytest.fixture(scope="module")
def watch(page: object) -> Watch:
    return Watch(page)


def _icon_answers(page: object) -> None:
    href = page.locator('link[rel="icon"]').get_attribute("href")
    assert href and page.request.get(href).status == 200


def test_pages_load_without_console_errors(page: object, live_app: LiveApp,
                                          watch: Watch) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    _icon_answers(page)
    page.get_by_label("Set-up token").fill(live_app.setup_token)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Save and log in").click()
    page.wait_for_url(re.compile(r".*/($|library/)"))
    for path in ("/", "/library/", "/library/unmatched", "/queue/", "/settings/", "/search/"):
        page.goto(path)
        _icon_answers(page)
    page.get_by_label("Series title").fill("licht")
    card = page.locator(".card").filter(has_text=SERIES_TITLE)
    card.get_by_role("button", name="Add to library").click()
    page.wait_for_url(f"**/series/{SERIES_KEY}*")
    expect(page.get_by_role("heading", name=SERIES_TITLE)).to_be_visible()
    page.goto("/favicon.ico")
    assert not watch.problems and not watch.failed, watch.problems + watch.failed
    assert any(url.endswith("/static/favicon.svg") for url in watch.loaded)


def test_refused_action_shows_the_servers_message(page: object, watch: Watch) -> None:
    from playwright.sync_api import expect

    page.goto("/settings/")
    page.on("dialog", lambda dialog: dialog.accept())
    keys = page.locator("#settings-api_keys")
    keys.get_by_label("Name of the new key").fill("phone")
    keys.get_by_role("button", name="Create key").click()
    revoke = keys.locator("form[action*='/api-keys/']")
    expect(revoke).to_have_count(1)
    # Another tab revokes the key; this page still offers to revoke it.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    gone = page.request.post(revoke.get_attribute("action"),
                             form={"csrf_token": token})
    assert gone.ok
    message = page.locator(MESSAGE)
    for attempt in ("dismissed", "cleared by the next success"):
        revoke.get_by_role("button", name="Revoke").click()
        expect(message).to_have_text(re.compile("API key .* does not exist"), timeout=10_000)
        expect(message).to_have_count(1)
        if attempt == "dismissed":
            page.locator("#request-error").get_by_role("button", name="Dismiss").click()
            expect(message).to_have_count(0)
    keys.get_by_label("Name of the new key").fill("tablet")
    keys.get_by_role("button", name="Create key").click()
    expect(message).to_have_count(0, timeout=10_000)
    expect(keys.get_by_text("tablet", exact=True)).to_be_visible()


def test_stopped_server_shows_one_cannot_be_reached_message(page: object, live_app: LiveApp,
                                                            watch: Watch) -> None:
    from playwright.sync_api import expect

    page.goto("/queue/")
    page.get_by_role("button", name="Pause queue").click()
    expect(page.get_by_role("button", name="Resume queue")).to_be_visible()
    page.goto(f"/series/{SERIES_KEY}")
    row = page.locator("table tbody tr").first
    row.get_by_role("button", name="Download").click()
    expect(page.locator("#queue-badge")).to_have_text("1")
    page.goto("/queue/")
    # Paused, the waiting episode keeps the page polling (it would start on resume).
    expect(page.locator("#queue")).to_have_attribute("hx-trigger", re.compile("every 2s"))
    watch.reset()
    live_app.stop_web()
    message = page.locator(MESSAGE)
    expect(message).to_have_text(re.compile("cannot be reached"), timeout=15_000)
    for _poll in range(3):  # the page keeps polling the dead address every 2 s
        page.wait_for_event("requestfailed", lambda request: "/queue/partial" in request.url,
                            timeout=10_000)
    expect(message).to_have_count(1)  # replaced on every failed poll, never stacked
    live_app.restart_web()
    expect(message).to_have_count(0, timeout=20_000)


def test_expired_session_still_redirects_to_login(page: object, context: object) -> None:
    from playwright.sync_api import expect

    other = context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url(re.compile(r"/login"))
    other.close()
    # The queue page's next poll is answered 401 + HX-Redirect: it navigates, no error shown.
    page.wait_for_url(re.compile(r"/login\?next=/queue/$"), timeout=15_000)
    expect(page.get_by_label("Master password")).to_be_visible()
    expect(page.locator(MESSAGE)).to_have_count(0)
