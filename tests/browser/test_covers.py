"""Covers in a real browser come from Aniworld's own origin and really render.

Search results (aniworld.to and s.to) and a series page: every request the page makes goes
to the app's address (the CSP would block others, and none is even tried); each cover ends
up as the stand-in's real JPEG (44 px wide), fetched once from the site by the library
worker while the page showed a neutral box; a reload asks the site nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LiveApp, screenshot, set_up, wait

pytestmark = pytest.mark.slow

PASSWORD = "popcorn and posters"
SERIES_KEY = "kaempfer-des-lichts-die-rueckkehr"
COVER_WIDTH = 44  # tests/fakesite/covers.py JPEG
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
    wait(lambda: _all_rendered(page), f"every cover to render: {_covers(page)}", 60)
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
    wait(lambda: _all_rendered(page), "the series cover to render", 60)
    [shown] = _covers(page)
    assert urlsplit(str(shown["src"])).path == f"/covers/aniworld/{SERIES_KEY}"
    assert _foreign(requested, live_app) == []
    csp = page.evaluate("async () => (await fetch(location.href)).headers"  # type: ignore[attr-defined]
                        ".get('content-security-policy')")
    assert "img-src 'self' data:;" in csp
