"""The library journey in a real browser: an existing anime folder becomes a complete one.

A prepared library folder holds files named by other tools → scan from the Library page
(job on the library worker, progress shown) → the folder the scan could not match is
resolved on the Unmatched page → the missing episodes are shown → "Download all missing"
→ the files arrive next to the user's own → every missing count reaches zero → the site
offers a German Dub of a sub episode → "upgrade until German Dub" on the series page → the
upgrade runs from the queue and the user's sub file moves to the holding folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.browser.conftest import LiveApp, has_horizontal_scroll, screenshot, set_up, wait
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite

pytestmark = pytest.mark.slow

PASSWORD = "library night"
PHONE = {"width": 360, "height": 740}
# Other tools' names: the peer downloader's, a fansub style one, and one with a season folder.
PREPARED = {
    "Blauer Drache/Blauer Drache - S01E001 - (German Sub).mp4": b"x" * 2048,
    "Drache/Season 1/[Subs] Drache - 01 [1080p].mkv": b"x" * 2048,
    "Drache/notes.txt": b"not an episode",
    "Blauer Drache/Blauer Drache - S01E02.mkv.part": b"half a download",
}


@pytest.fixture(scope="module")
def library_app(tmp_path_factory: pytest.TempPathFactory, redis_server: object,
                fakesite_server: FakeSite) -> Iterator[LiveApp]:
    """A fresh app (and a clean Redis) whose library folder already holds a few series."""
    redis.Redis.from_url(redis_server.url).flushall()  # type: ignore[attr-defined]
    app = LiveApp(tmp_path_factory.mktemp("library-live"), redis_server.url,  # type: ignore[attr-defined]
                  fakesite_server)
    for name, data in PREPARED.items():
        path = app.library / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def page(browser: object, library_app: LiveApp) -> Iterator[object]:
    context = browser.new_context(base_url=library_app.url)  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


def _card(page: object, title: str) -> object:
    return page.locator("li.card").filter(has=page.get_by_text(title, exact=True))


def _counts(page: object, title: str) -> str:
    return " ".join(_card(page, title).locator(".card-counts").inner_text().split())


def _show_missing_only(page: object) -> None:
    tab = page.get_by_role("tab", name="Missing episodes")
    tab.click()
    wait(lambda: page.get_by_role("tab", name="Missing episodes")
         .get_attribute("aria-selected") == "true", f"the missing filter (at {page.url})")


def test_set_up(page: object, library_app: LiveApp) -> None:
    set_up(page, library_app, PASSWORD)


def test_scan_finds_matches_and_leaves_the_vague_folder(page: object,
                                                        library_app: LiveApp) -> None:
    page.goto("/library/")
    assert "No scan yet" in page.content()
    page.get_by_role("button", name="Scan library").click()
    wait(lambda: "Last scan" in page.locator("#scan-status").inner_text(), "the scan to end")
    assert "2 folder(s)" in page.locator("#scan-status").inner_text()
    wait(lambda: _card(page, "Blauer Drache").count() == 1, "the matched series' card")
    assert _counts(page, "Blauer Drache") == "1 on disk · 2 missing"
    # The confident match is written into the folder for the next database.
    assert '"key": "blauer-drache"' in (library_app.library / "Blauer Drache" /
                                        ".aniworld.json").read_text()
    screenshot(page, "library-scanned")
    page.get_by_role("link", name=re.compile("1 folder needs your choice")).click()
    page.wait_for_url("**/library/unmatched")


def test_unmatched_folder_is_resolved(page: object, library_app: LiveApp) -> None:
    folder = page.locator("li.unmatched-folder").filter(has_text="Drache")
    assert folder.count() == 1
    assert "1 episode file" in folder.inner_text()
    screenshot(page, "unmatched")
    folder.get_by_label("Roter Drache").check()
    folder.get_by_role("button", name="Use this series").click()
    # A locator waits through the page's swap; content() raises while the page navigates.
    page.get_by_text("No folder needs your choice").first.wait_for(timeout=60_000)
    assert '"key": "roter-drache"' in (library_app.library / "Drache" /
                                       ".aniworld.json").read_text()


def test_missing_episodes_are_shown(page: object) -> None:
    page.goto("/library/")
    _show_missing_only(page)
    assert _counts(page, "Blauer Drache") == "1 on disk · 2 missing"
    assert _counts(page, "Roter Drache") == "1 on disk · 2 missing"
    page.set_viewport_size(PHONE)
    assert not has_horizontal_scroll(page)
    screenshot(page, "phone-library")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_wanted_filters_and_queues_one_row(page: object) -> None:
    """Before "Download all missing": the Wanted page lists the gaps, one row is queued."""
    page.goto("/wanted/")
    assert page.locator(".wanted-row").count() == 4  # E02 and E03 of both series
    language = page.get_by_label("Language")
    language.select_option("german-dub")  # the stand-in offers these only in German Sub
    page.get_by_text("Nothing wanted with these filters").first.wait_for(timeout=30_000)
    language.select_option("german-sub")
    wait(lambda: page.locator(".wanted-row").count() == 4, "the German Sub rows")
    assert "language=german-sub" in page.url  # the filter is in the address, for reloads
    page.get_by_role("button", name="Download S01E02 of Blauer Drache").click()
    group = page.locator(".wanted-group").filter(
        has=page.get_by_role("link", name="Blauer Drache", exact=True))
    row = group.locator(".wanted-row").filter(has_text="S01E02")
    wait(lambda: row.locator(".wanted-state").count() == 1, "the row to show queued")
    assert row.locator(".wanted-state").inner_text() == "queued"
    assert group.get_by_role("button", name="Download S01E03 of Blauer Drache").is_visible()
    screenshot(page, "wanted")
    page.set_viewport_size(PHONE)
    assert not has_horizontal_scroll(page)
    screenshot(page, "phone-wanted")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_download_all_missing_fills_the_gaps(page: object, library_app: LiveApp) -> None:
    page.goto("/library/?missing=1")
    # The row queued from Wanted is on its way (or already here): three are left.
    page.get_by_role("button", name="Download all missing (3)").click()
    wait(lambda: "Queued 3 episode(s)" in page.locator("#library").inner_text(),
         "the queueing message")

    def new_files() -> list[Path]:
        return [path for path in library_app.library_files() if path.stat().st_size > 2048]

    wait(lambda: len(new_files()) == 4, "four downloaded files", timeout=180)
    folders = sorted(path.relative_to(library_app.library).parts[0] for path in new_files())
    # Downloads land in the folders the user already had, not in new ones.
    assert folders == ["Blauer Drache", "Blauer Drache", "Drache", "Drache"]
    page.goto("/library/")
    wait(lambda: _counts(page, "Blauer Drache") == "3 on disk · 0 missing", "Blauer Drache")
    assert _counts(page, "Roter Drache") == "3 on disk · 0 missing"
    _show_missing_only(page)
    page.get_by_text("Every episode of every series is on disk").first.wait_for(timeout=60_000)
    screenshot(page, "library")


def test_a_late_dub_is_upgraded_from_the_series_page(page: object,
                                                     library_app: LiveApp) -> None:
    """Weeks later the dub of episode 1 appears: "upgrade until German Dub" replaces the sub."""
    folder = library_app.library / "Blauer Drache"
    user_file = folder / "Blauer Drache - S01E001 - (German Sub).mp4"
    library_app.site.publish("blauer-drache", 1, 1, [GERMAN_DUB])
    try:
        page.goto("/series/blauer-drache")
        page.get_by_role("button", name="Monitored").click()
        page.get_by_text("Monitoring Blauer Drache").first.wait_for(timeout=30_000)
        _save_upgrade_until(page, "keep")
        page.get_by_role("button", name="Refresh from site").click()
        # The dub is known now, and "keep what I have" leaves the sub alone.
        page.get_by_text("Refreshed from the site: 3 episodes.").first.wait_for(timeout=60_000)
        _save_upgrade_until(page, "german-dub")
        page.get_by_text("1 language upgrade(s) queued.").first.wait_for(timeout=30_000)
        screenshot(page, "series-preferences")

        page.goto("/queue/")
        upgrade = page.locator("li.queue-item").filter(
            has_text="Upgrade: German Sub → German Dub")
        wait(lambda: upgrade.count() == 1, "the upgrade in the queue")
        wait(lambda: "status-completed" in (upgrade.first.get_attribute("class") or ""),
             "the upgrade to complete", timeout=180)
        screenshot(page, "queue-upgrade")
    finally:
        library_app.site.reset()
    episode_1 = [p for p in library_app.library_files() if p.is_relative_to(folder)
                 and ("S01E01" in p.name or "S01E001" in p.name)]
    assert len(episode_1) == 1 and "[German Dub]" in episode_1[0].name, episode_1
    held = list((library_app.config.data_dir / "holding").rglob(user_file.name))
    assert len(held) == 1 and held[0].read_bytes() == PREPARED[
        "Blauer Drache/Blauer Drache - S01E001 - (German Sub).mp4"]


def _save_upgrade_until(page: object, value: str) -> None:
    form = page.locator("#series-preferences")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.get_by_label("Upgrade until").select_option(value)
    screenshot(page, "series-preferences-form")
    form.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Preferences saved.").first.wait_for(timeout=30_000)
