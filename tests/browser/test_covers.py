"""Covers in a real browser come from Aniworld's own origin and really render.

Search results (aniworld.to and s.to) and a series page: every request the page makes goes
to the app's address (the CSP would block others, and none is even tried); each cover ends
up as the stand-in's real JPEG (44 px wide), fetched once from the site by a worker (the
notify queue) while the page showed a neutral box; a reload asks the site nothing. The
waits for a cover stay within the ~2 minutes static/app.js keeps asking.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import LiveApp, screenshot, set_up, wait

pytestmark = pytest.mark.slow

PASSWORD = "popcorn and posters"
SERIES_KEY = "kaempfer-des-lichts-die-rueckkehr"
COVER_WIDTH = 44  # tests/fakesite/covers.py JPEG
# How long a test waits for covers: less than the ~115 s static/app.js keeps asking for one
# (COVER_GIVE_UP_MS), so a slow fetch is still seen by the page when the test looks.
COVER_WAIT = 60
COVERS = "() => [...document.querySelectorAll('img[data-cover]')].map(i => ({src: i.src, " \
         "pending: i.hasAttribute('data-cover-pending'), complete: i.complete, " \
         "width: i.naturalWidth}))"


@pytest.fixture(scope="module")
def requested() -> list[str]:
    """Every URL the page asked for (any type), in order."""
    return []


@pytest.fixture(scope="module")
def page(browser: object, live_app: LiveApp, requested: list[str]) -> Iterator[object]:
    context = browser.new_context(base_url=live_app.url)  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    yield page
    context.close()


def _covers(page: object) -> list[dict[str, object]]:
    return page.evaluate(COVERS)  # type: ignore[attr-defined,no-any-return]


def _all_rendered(page: object) -> bool:
    covers = _covers(page)
    return bool(covers) and all(c["complete"] and not c["pending"]
                                and c["width"] == COVER_WIDTH for c in covers)


def _foreign(requested: list[str], live_app: LiveApp) -> list[str]:
    own = urlsplit(live_app.url).netloc
    return [url for url in requested
            if not url.startswith("data:") and urlsplit(url).netloc != own]


def _site_cover_requests(live_app: LiveApp) -> list[str]:
    records = live_app.site.requests_to("/public/img/cover/") + live_app.site.requests_to(
        "/media/images/", server="sto")
    return [record.path for record in records]


def test_set_up(page: object, live_app: LiveApp) -> None:
    set_up(page, live_app, PASSWORD)


def test_search_results_show_covers_from_aniworlds_own_origin(
        page: object, live_app: LiveApp, requested: list[str]) -> None:
    live_app.site.clear_requests()
    requested.clear()
    page.goto("/search/?q=ache")  # aniworld.to's dragons and an s.to series
    cards = page.locator("#results .card img[data-cover]")
    cards.first.wait_for()
    for index in range(cards.count()):  # lazy images load once on screen
        cards.nth(index).scroll_into_view_if_needed()
    wait(lambda: _all_rendered(page), f"every cover to render: {_covers(page)}", COVER_WAIT)
    covers = _covers(page)
    assert len(covers) == 5
    assert all(urlsplit(str(c["src"])).path.startswith(("/covers/aniworld/", "/covers/sto/"))
               for c in covers)
    assert any("/covers/sto/" in str(c["src"]) for c in covers)
    assert _foreign(requested, live_app) == []
    # The worker fetched each cover from the site once; the browser never asked the site.
    fetched = _site_cover_requests(live_app)
    assert len(fetched) == len(set(fetched)) == 5
    screenshot(page, "search-covers")

    requested.clear()
    page.reload()
    wait(lambda: _all_rendered(page), "the covers after a reload", 20)
    assert _foreign(requested, live_app) == []
    assert _site_cover_requests(live_app) == fetched


def test_series_page_shows_its_cover_from_aniworld(page: object, live_app: LiveApp,
                                                   requested: list[str]) -> None:
    live_app.add_series(SERIES_KEY)
    requested.clear()
    page.goto(f"/series/{SERIES_KEY}")
    cover = page.locator(".series-header img.cover")
    cover.wait_for()
    wait(lambda: _all_rendered(page), "the series cover to render", COVER_WAIT)
    [shown] = _covers(page)
    assert urlsplit(str(shown["src"])).path == f"/covers/aniworld/{SERIES_KEY}"
    assert _foreign(requested, live_app) == []
    csp = page.evaluate("async () => (await fetch(location.href)).headers"  # type: ignore[attr-defined]
                        ".get('content-security-policy')")
    assert "img-src 'self' data:;" in csp


def _pending(page: object) -> bool:
    return any(cover["pending"] for cover in _covers(page))


def _advance(page: object, seconds: int, step: int = 5) -> None:
    """Move the page's fake clock on ``seconds`` in steps, letting each probe's answer in."""
    for _ in range(seconds // step):
        page.clock.run_for(step * 1000)  # type: ignore[attr-defined]
        page.wait_for_timeout(150)  # type: ignore[attr-defined]  # real time: probes answer


def test_a_slow_cover_is_asked_for_about_two_minutes_then_shows(
        page: object, live_app: LiveApp) -> None:
    live_app.add_series(SERIES_KEY)
    context = page.context  # type: ignore[attr-defined]
    address = f"/covers/aniworld/{SERIES_KEY}"
    # The cover is in the cache first (its fetch runs on the notify queue).
    wait(lambda: context.request.get(address).status == 200, "the cover to be cached",
         COVER_WAIT)
    slow = context.browser.new_context(base_url=live_app.url,
                                       storage_state=context.storage_state())
    tab = slow.new_page()
    tab.clock.install()
    held = {"until": 10**6}  # requests answered 404 (the worker "still fetching")
    asked: list[str] = []

    def cover(route: object) -> None:
        asked.append(route.request.url)  # type: ignore[attr-defined]
        if len(asked) <= held["until"]:
            route.fulfill(status=404, body="",  # type: ignore[attr-defined]
                          headers={"Cache-Control": "no-store"})
        else:
            route.continue_()  # type: ignore[attr-defined]

    tab.route(f"**{address}*", cover)
    tab.goto(f"/series/{SERIES_KEY}")
    wait(lambda: _pending(tab), "the neutral box", 30)
    _advance(tab, 300)
    tries = [int(parse_qs(urlsplit(url).query).get("try", ["0"])[0]) for url in asked]
    # The image, then probes 1 s, 2 s, … 10 s apart, and 10 s apart until 2 minutes are up.
    assert tries == list(range(17)), tries

    asked.clear()
    held["until"] = 10  # the cover comes after the old script (8 tries, 36 s) gave up
    tab.reload()
    wait(lambda: _pending(tab), "the neutral box again", 30)
    _advance(tab, 60)
    wait(lambda: _all_rendered(tab), f"the slow cover to render: {_covers(tab)}", 30)
    assert len(asked) == 11
    slow.close()
