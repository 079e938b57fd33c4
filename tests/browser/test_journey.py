"""The user's journey in a real browser, from first start to logout.

One story in order (module-scoped app and page): set-up → login → search → add a series →
queue episodes → watch progress reach 100 % and files appear → cancel one → retry a failed
one → reorder and reprioritise → change a setting and see its effect → search both sites and
add an s.to series → every page at phone width → logout. Screenshots of every page land in
test-output/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from aniworld.languages import Language
from aniworld.models import Series
from aniworld.services import queue as queue_service
from tests.browser.conftest import (
    LiveApp,
    docs_screenshot,
    has_horizontal_scroll,
    screenshot,
    wait,
)

pytestmark = pytest.mark.slow

PASSWORD = "sofa and popcorn"
PHONE = {"width": 360, "height": 740}
SERIES_KEY = "kaempfer-des-lichts-die-rueckkehr"
SERIES_TITLE = "Kämpfer des Lichts: Die Rückkehr"
# "ache" finds four aniworld series (… Drache) and this one on s.to (… Reboot & Rache).
STO_KEY = "sto:demo-serie-reboot-rache"
STO_TITLE = "Demo Serie: Reboot & Rache"


@pytest.fixture(scope="module")
def page(browser: object, live_app: LiveApp) -> Iterator[object]:
    context = browser.new_context(base_url=live_app.url)  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


def _queue_episode(page: object, number: int) -> None:
    row = page.locator("table tbody tr").nth(number - 1)
    # Wait for the answer, not a fixed time: the next click or page must find it queued.
    with page.expect_response(lambda response: response.url.endswith("/downloads")
                              and response.request.method == "POST"):
        row.get_by_role("button", name="Download").click()


def _progress_values(page: object) -> list[float]:
    bars = page.locator("progress")
    return [float(bars.nth(i).get_attribute("value") or 0) for i in range(bars.count())]


def _queue_item(page: object, code: str) -> object:
    return page.locator("li.queue-item").filter(has_text=code)


def _pending_codes(page: object) -> list[str]:
    """Episode codes of the waiting rows shown, in order."""
    titles = page.locator("section[aria-labelledby='queue-pending'] li.queue-item .queue-title")
    return re.findall(r"S\d\dE\d\d+", " ".join(titles.all_inner_texts()))


def test_first_run_setup_and_login(page: object, live_app: LiveApp) -> None:
    page.goto("/")
    assert page.url.endswith("/setup")
    screenshot(page, "setup")
    for token in ("wrong-token", live_app.setup_token):
        page.get_by_label("Set-up token").fill(token)
        page.get_by_label("New password").fill(PASSWORD)
        page.get_by_label("Repeat password").fill(PASSWORD)
        page.get_by_role("button", name="Save and log in").click()
        if token == "wrong-token":
            # Wait for the answer: content() read mid-navigation raises or shows the old page.
            page.get_by_text("not the set-up token").first.wait_for()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login*")
    screenshot(page, "login")
    page.get_by_label("Master password").fill("not it")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Wrong password").first.wait_for()
    page.get_by_label("Master password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/($|library/)"))


def test_search_and_add_a_series(page: object, live_app: LiveApp) -> None:
    page.goto("/search/")
    page.get_by_label("Series title").fill("licht")
    card = page.locator(".card").filter(has_text=SERIES_TITLE)
    card.wait_for()
    screenshot(page, "search")
    card.get_by_role("button", name="Add to library").click()
    page.wait_for_url(f"**/series/{SERIES_KEY}*")
    assert page.get_by_role("heading", name=SERIES_TITLE).is_visible()
    screenshot(page, "series")


def test_queue_watch_progress_cancel_and_files_appear(page: object, live_app: LiveApp) -> None:
    live_app.settings(bandwidth_limit=120_000, parallel_downloads=2)
    for number in (1, 2, 3):
        _queue_episode(page, number)
    page.goto("/queue/")
    bars = page.get_by_role("progressbar")
    bars.first.wait_for(timeout=20_000)
    wait(lambda: any(value > 0 for value in _progress_values(page)), "progress above 0")
    screenshot(page, "queue-downloading")
    docs_screenshot(page, "en-queue")
    _queue_item(page, "S01E02").get_by_role("button", name="Cancel").click()
    page.locator("#queue-cancelled, h2:has-text('Cancelled')").first.wait_for(timeout=10_000)
    page.get_by_role("heading", name=re.compile("Completed")).wait_for()
    wait(lambda: sum(code in p.name for p in live_app.library_files()
                     for code in ("S01E01", "S01E03")) == 2, "both files in the library", 60)
    wait(lambda: page.locator("progress").count() == 0, "the progress bars to go", 10)
    files = [p.name for p in live_app.library_files()]
    assert any("S01E01" in name for name in files) and any("S01E03" in name for name in files)
    assert not any("S01E02" in name for name in files)
    screenshot(page, "queue-done")


def test_retry_a_failed_episode(page: object, live_app: LiveApp) -> None:
    live_app.site.set_fault("captcha", prefix="/redirect/")
    try:
        page.goto(f"/series/{SERIES_KEY}")
        _queue_episode(page, 4)
        page.goto("/queue/")
        failed = _queue_item(page, "S01E04")
        failed.locator(".queue-error").wait_for(timeout=30_000)
        assert "captcha" in failed.inner_text().lower()
        screenshot(page, "queue-failed")
    finally:
        live_app.site.clear_faults()
    failed.get_by_role("button", name="Retry").click()
    wait(lambda: page.locator(".queue-error").count() == 0, "the retry to start")
    wait(lambda: any("S01E04" in p.name for p in live_app.library_files()),
         "the retried episode's file", 60)
    assert any("S01E04" in p.name for p in live_app.library_files())


def test_series_page_follows_a_download_without_reloading(page: object,
                                                          live_app: LiveApp) -> None:
    page.goto(f"/series/{SERIES_KEY}")
    navigations: list[str] = []

    def navigated(frame: object) -> None:
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("framenavigated", navigated)
    _queue_episode(page, 5)
    cell = page.locator("#status-1-5")
    try:
        wait(lambda: cell.inner_text().strip() == "on disk", "episode 5 on disk on its page", 60)
    finally:
        page.remove_listener("framenavigated", navigated)
    assert any("S01E05" in p.name for p in live_app.library_files())
    assert navigations == []  # the cell changed in place: no reload, no navigation
    wait(lambda: page.locator("#series-live[hx-get]").count() == 0, "the polling to stop", 10)
    docs_screenshot(page, "en-series", start=".series-preferences")


def test_reorder_and_reprioritise(page: object, live_app: LiveApp) -> None:
    page.goto("/queue/")
    page.get_by_role("button", name="Pause queue").click()
    page.goto(f"/series/{SERIES_KEY}")
    for number in (5, 6, 7):
        _queue_episode(page, number)
    page.goto("/queue/")
    assert _pending_codes(page) == ["S01E05", "S01E06", "S01E07"]
    assert page.locator(".queue-group summary").inner_text().startswith(
        f"{SERIES_TITLE} · S01E05–E07 · 3 episodes")
    codes = lambda: _pending_codes(page)  # noqa: E731
    _queue_item(page, "S01E07").get_by_role("button", name="Move up: S01E07").click()
    wait(lambda: codes() == ["S01E05", "S01E07", "S01E06"], "the move")
    assert codes() == ["S01E05", "S01E07", "S01E06"]
    item = _queue_item(page, "S01E06")
    item.get_by_label("Priority of S01E06").select_option("high")
    item.get_by_role("button", name="Change").click()
    page.get_by_role("heading", name="High priority").wait_for()
    assert codes()[0] == "S01E06"
    screenshot(page, "queue-reordered")


def _phone_page(browser: object, page: object, live_app: LiveApp) -> tuple[object, object]:
    """A new page at phone size, logged in with the journey's cookies."""
    context = browser.new_context(base_url=live_app.url, viewport=PHONE)  # type: ignore[attr-defined]
    context.add_cookies(page.context.cookies())
    return context, context.new_page()


def test_phone_cards_and_thumb_sized_queue_controls(browser: object, page: object,
                                                    live_app: LiveApp) -> None:
    context, phone = _phone_page(browser, page, live_app)
    try:
        phone.goto(f"/series/{SERIES_KEY}")
        card = phone.locator("table.episodes tbody tr").first
        assert card.evaluate("row => getComputedStyle(row).display") == "grid"
        assert card.get_by_role("button", name="Download").is_visible()
        assert card.locator("td.wide-only").first.is_visible()  # English title shown again
        wrap = phone.locator("#season .table-wrap")
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")  # no scrolling inside
        phone.goto("/queue/")
        controls = phone.locator("main button, main select, main .button, main input[type=submit]")
        assert controls.count() > 5  # pending items with move, priority, pause, remove
        small = []
        for index in range(controls.count()):
            box = controls.nth(index).bounding_box()
            if box is not None and (box["height"] < 43.5 or box["width"] < 43.5):
                small.append((controls.nth(index).inner_text() or "control", box))
        assert small == [], small
        assert not has_horizontal_scroll(phone)
        screenshot(phone, "phone-queue-controls")
    finally:
        context.close()
def test_a_long_queue_in_groups(page: object, live_app: LiveApp) -> None:
    """61 more waiting episodes: one line per group, opened and paged on demand, moved and
    removed as a whole; an opened group stays open when the queue changes."""
    with live_app.sessions() as session:
        saga = Series(key="tidebreaker-saga", title="Tidebreaker Saga")
        session.add(saga)
        queue_service.add_many(session, saga, [(1, n) for n in range(1, 61)],
                               Language.GERMAN_SUB)
        session.commit()
    page.goto("/queue/")
    group = page.locator("details").filter(has_text="Tidebreaker Saga · S01E01–E60")
    group.wait_for()
    pending = page.locator("section[aria-labelledby='queue-pending']")
    assert pending.locator("li.queue-item").count() == 0  # nothing opened yet
    screenshot(page, "queue-groups")
    group.locator("summary").click()
    rows = group.locator("li.queue-item")
    wait(lambda: rows.count() == 50, "the group's first 50 episodes")
    group.get_by_role("button", name="Show 10 more of 10").click()
    wait(lambda: rows.count() == 60, "the group's last 10 episodes")
    group.get_by_role("button", name="Move group to top").click()
    first = pending.locator("details").nth(1)
    wait(lambda: "Tidebreaker Saga" in first.locator("summary").inner_text(), "the group on top")
    wait(lambda: first.locator("li.queue-item").count() == 50, "the group open again")
    page.once("dialog", lambda dialog: dialog.accept())
    first.get_by_role("button", name="Remove group").click()
    wait(lambda: page.get_by_text("Tidebreaker Saga").count() == 0, "the group removed")
    assert _pending_codes(page) == ["S01E06", "S01E05", "S01E07"]


def test_change_a_setting_and_see_its_effect(page: object, live_app: LiveApp) -> None:
    page.goto("/settings/")
    screenshot(page, "settings")
    downloads = page.locator("section").filter(has=page.get_by_label("Container"))
    downloads.get_by_label("Container").select_option("mkv")
    downloads.get_by_label("Bandwidth limit in MB/s (0 = unlimited)").fill("0")
    downloads.get_by_role("button", name="Save").click()
    downloads.locator(".notice").wait_for()
    page.goto("/queue/")
    page.get_by_role("button", name="Resume queue").click()
    # Downloads started after the change arrive in the new container.
    wait(lambda: sum(p.suffix == ".mkv" for p in live_app.library_files()) == 3,
         "three .mkv files", 60)
    assert sorted(p.name[-24:] for p in live_app.library_files() if p.suffix == ".mkv")
    screenshot(page, "queue-finished")


def test_search_both_sites_and_add_an_sto_series(page: object, live_app: LiveApp) -> None:
    page.goto("/search/")
    page.get_by_label("Series title").fill("ache")
    cards = page.locator("#results .card")
    sto_card = cards.filter(has_text=STO_TITLE)
    sto_card.wait_for()
    drache = cards.filter(has_text="Blauer Drache")
    assert drache.locator(".site-badge").inner_text() == "AniWorld"
    assert sto_card.locator(".site-badge").inner_text() == "S.to"
    assert cards.count() == 5
    screenshot(page, "search-both-sites")
    page.get_by_label("Site", exact=True).select_option("sto")
    wait(lambda: cards.count() == 1 and "site=sto" in page.url, "only the s.to result")
    sto_card.get_by_role("button", name="Add to library").click()
    page.wait_for_url(f"**/series/{STO_KEY}")
    assert page.get_by_role("heading", name=STO_TITLE).is_visible()
    assert page.locator(".series-site .site-badge").inner_text() == "S.to"
    link = page.get_by_role("link", name="Open on S.to")
    assert link.get_attribute("href") == f"{live_app.site.sto_url}/serie/demo-serie-reboot-rache"
    assert page.locator("table tbody tr").count() == 1  # its one episode
    screenshot(page, "series-sto")


@pytest.mark.parametrize("path", ["/library/", "/search/?q=ache", f"/series/{SERIES_KEY}",
                                  "/queue/", "/status/", "/settings/"])
def test_every_page_fits_a_phone(browser: object, page: object, live_app: LiveApp,
                                 path: str) -> None:
    context, phone = _phone_page(browser, page, live_app)
    phone.goto(path)
    assert "/login" not in phone.url
    assert not has_horizontal_scroll(phone), path
    name = path.strip("/").split("/")[0].split("?")[0] or "home"
    screenshot(phone, f"phone-{name}")
    if path.startswith("/series/"):
        docs_screenshot(phone, "en-phone-series", start="#season")
    context.close()


def test_library_page_and_logout(page: object, live_app: LiveApp) -> None:
    page.goto("/library/")
    assert page.get_by_text(SERIES_TITLE).first.is_visible()
    screenshot(page, "library")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login*")
    page.goto("/queue/")
    assert "/login" in page.url
