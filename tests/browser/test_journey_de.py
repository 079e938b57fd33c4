"""The journey once in German: a browser that prefers German sees every page in German.

Chromium runs with the de-DE locale (``Accept-Language: de-DE``) and no language cookie, so
the language comes from the browser's preference alone. One story in order: set-up → search
with results → add a series → queue a season and watch it download → every page (home,
library, unmatched folders, wanted, search, series, queue, status, settings) with its
German headings, navigation and main buttons → the same pages at phone width → the switch
in the navigation. Screenshots land in test-output/screenshots/de-*.png; a few go to
docs/screenshots/ for the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import conftest as live
from tests.browser.test_journey import PHONE, SERIES_KEY, SERIES_TITLE

pytestmark = pytest.mark.slow

PASSWORD = "Sofa und Popcorn"
NAVIGATION = ("Bibliothek", "Gesucht", "Suche", "Warteschlange", "Status", "Einstellungen")
# Page → its German heading and texts a user reads first (headings, buttons, labels).
PAGES = {
    "/": ("Aniworld", ("werden geladen", "wartend", "Gesuchte Folgen")),
    "/library/": ("Bibliothek", ("Bibliothek scannen", "Überwachung")),
    "/library/unmatched": ("Ordner, die deine Auswahl brauchen", ("Kein Ordner braucht",)),
    "/wanted/": ("Gesucht", ("Anwenden", "Nur überwachte Serien")),
    "/status/": ("Status", ("Seiten", "Hoster")),
    "/settings/": ("Einstellungen", ("Sprache und Zeitzone", "Benachrichtigungen",
                                     "Medienserver", "Bilder und Metadaten", "Sonarr-Brücke",
                                     "Passwort ändern", "Speichern", "Test senden")),
}
ENGLISH = ("Log out", "Library", "Settings", "Queue", "Download", "Save", "Search")


def german_context(browser: object, live_app: live.LiveApp, **options: object) -> object:
    """A Chromium context that prefers German, as a German browser does."""
    return browser.new_context(  # type: ignore[attr-defined]
        base_url=live_app.url, locale="de-DE",
        extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"}, **options)


@pytest.fixture(scope="module")
def page(browser: object, live_app: live.LiveApp) -> Iterator[object]:
    context = german_context(browser, live_app, viewport=live.DESKTOP)
    yield context.new_page()  # type: ignore[attr-defined]
    context.close()  # type: ignore[attr-defined]


def starting(text: str) -> re.Pattern[str]:
    """A link's name that starts with ``text`` (the queue link also names its badge)."""
    return re.compile(rf"^{re.escape(text)}\b")


def check_german(page: object, heading: str, texts: tuple[str, ...] = ()) -> None:
    """The page speaks German: its heading, navigation and ``texts``; no English labels."""
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    nav = page.get_by_role("navigation", name="Hauptmenü")
    for link in NAVIGATION:
        assert nav.get_by_role("link", name=starting(link)).is_visible(), link
    assert page.get_by_role("button", name="Abmelden", exact=True).is_visible()
    body = page.locator("main").inner_text()
    for text in texts:
        assert text in body, (page.url, text)
    for text in ENGLISH:
        assert page.get_by_role("button", name=text, exact=True).count() == 0, (page.url, text)
        assert nav.get_by_role("link", name=starting(text)).count() == 0, (page.url, text)


def test_set_up_and_search_in_german(page: object, live_app: live.LiveApp) -> None:
    page.goto("/")
    assert page.url.endswith("/setup")
    page.get_by_role("heading", name="Aniworld einrichten").wait_for()
    page.get_by_label("Einrichtungs-Token", exact=True).fill(live_app.setup_token)
    page.get_by_label("Neues Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Speichern und anmelden").click()
    page.wait_for_url(re.compile(r".*/($|library/)"))
    page.goto("/search/")
    check_german(page, "Suche")
    page.get_by_label("Serientitel", exact=True).fill("licht")
    card = page.locator(".card").filter(has_text=SERIES_TITLE)
    card.wait_for()
    assert card.get_by_role("button", name="Zur Bibliothek hinzufügen").is_visible()
    live.screenshot(page, "de-search")
    card.get_by_role("button", name="Zur Bibliothek hinzufügen").click()
    page.wait_for_url(f"**/series/{SERIES_KEY}*")


def test_series_page_and_a_season_downloading(page: object, live_app: live.LiveApp) -> None:
    live_app.settings(bandwidth_limit=60_000, parallel_downloads=1)
    check_german(page, SERIES_TITLE, ("Titel", "Sprachen", "fehlend"))
    for button in ("Von der Seite neu laden", "Staffel herunterladen",
                   "Alle fehlenden herunterladen"):
        assert page.get_by_role("button", name=button, exact=True).is_visible(), button
    with page.expect_response(lambda response: response.url.endswith("/downloads")
                              and response.request.method == "POST"):
        page.get_by_role("button", name="Staffel herunterladen", exact=True).click()
    page.get_by_text("Folgen eingereiht").first.wait_for()
    live.wait(lambda: "lädt" in page.locator("table.episodes").inner_text(), "a cell saying lädt")
    live.screenshot(page, "de-series")
    live.docs_screenshot(page, "de-series", start=".series-preferences")
    page.goto("/queue/")
    check_german(page, "Download-Warteschlange", ("Warteschlange läuft", "Laufende Downloads",
                                                  "Wartend", "Fertig", "Normale Priorität"))
    page.get_by_role("progressbar").first.wait_for(timeout=20_000)
    live.wait(lambda: float(page.get_by_role("progressbar").first.get_attribute("value") or 0) > 0,
         "progress above 0")
    assert "Restzeit" in page.locator("#queue").inner_text()
    assert page.get_by_role("button", name="Warteschlange pausieren").is_visible()
    assert page.get_by_role("button", name="Abbrechen").first.is_visible()
    group = page.locator("details").filter(has_text=SERIES_TITLE).first
    assert re.search(r"S01E0\d–E12 · \d+ Folgen · Deutsch \(Synchro\)",
                     group.locator("summary").inner_text())
    assert group.get_by_role("button", name="Gruppe an den Anfang").is_visible()
    live.screenshot(page, "de-queue")
    live.docs_screenshot(page, "de-queue")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_in_german(page: object, live_app: live.LiveApp, path: str) -> None:
    heading, texts = PAGES[path]
    page.goto(path)
    check_german(page, heading, texts)
    name = path.strip("/").replace("/", "-") or "home"
    live.screenshot(page, f"de-{name}")


def overflowing(page: object) -> list[str]:
    """The elements that reach past the viewport's right edge (to name the culprit)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + .5)
        .map(e => `${e.tagName}.${e.className} ${(e.innerText || '').slice(0, 40)}`)""")  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/queue/", f"/series/{SERIES_KEY}", "/settings/"])
def test_german_pages_fit_a_phone(browser: object, page: object, live_app: live.LiveApp,
                                  path: str) -> None:
    context = german_context(browser, live_app, viewport=PHONE)
    context.add_cookies(page.context.cookies())  # type: ignore[attr-defined]
    phone = context.new_page()  # type: ignore[attr-defined]
    try:
        phone.goto(path)
        assert phone.locator("html").get_attribute("lang") == "de"
        assert not live.has_horizontal_scroll(phone), (path, overflowing(phone))
        name = path.strip("/").split("/")[0]
        live.screenshot(phone, f"de-phone-{name}")
        if name == "queue":
            assert phone.get_by_text("Laufende Downloads").is_visible()
            live.docs_screenshot(phone, "de-phone-queue")
    finally:
        context.close()  # type: ignore[attr-defined]


def test_the_switch_changes_to_english_and_back(page: object, live_app: live.LiveApp) -> None:
    page.goto("/queue/")
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_role("heading", name="Download queue").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Deutsch", exact=True).click()
    page.get_by_role("heading", name="Download-Warteschlange").wait_for()
    assert page.locator("html").get_attribute("lang") == "de"
