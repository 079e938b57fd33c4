"""The search page: full page and htmx partial, inline site errors, and adding a series."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from aniworld.extensions import db
from aniworld.models import Series
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, site_auth

HX = {"HX-Request": "true"}
KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client of an app that talks to the fake site."""
    yield from site_auth(app_env, fakesite)


def series_keys(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Series.key)))


def test_full_page_has_the_active_search_box(site: AuthActions) -> None:
    response = site.client.get("/search/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert 'hx-trigger="input changed delay:400ms, search"' in page
    assert 'hx-get="/search/"' in page and "htmx-indicator" in page
    assert "Type a title" in page and "HX-Request" in response.headers["Vary"]


def test_query_renders_results_on_the_full_page(site: AuthActions, fakesite: FakeSite) -> None:
    page = site.client.get("/search/?q=licht").get_data(as_text=True)
    source = fakesite.catalog.series(KAEMPFER)
    assert source is not None
    assert "<html" in page and "Die Rückkehr" in page and str(source.start_year) in page
    assert "<img" in page and "Add to library" in page and f'value="{KAEMPFER}"' in page


def test_htmx_gets_only_the_results(site: AuthActions) -> None:
    response = site.client.get("/search/?q=licht", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'class="cards"' in body and "HX-Request" in response.headers["Vary"]


def test_nothing_found_and_too_long_queries(site: AuthActions) -> None:
    assert "Nothing found" in site.client.get("/search/?q=zzzqqq", headers=HX).get_data(
        as_text=True)
    long = site.client.get("/search/?q=" + "x" * 101, headers=HX)
    assert long.status_code == 200 and "at most 100 characters" in long.get_data(as_text=True)


def test_site_fault_is_shown_inline(site: AuthActions, fakesite: FakeSite) -> None:
    fakesite.set_fault("ddos_guard")
    response = site.client.get("/search/?q=licht", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error"' in body and "browser check" in body


def test_add_redirects_htmx_to_the_series_page(site: AuthActions) -> None:
    response = site.client.post("/series/", data={"key": KAEMPFER}, headers={
        **HX, "X-CSRFToken": site.csrf_token()})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/series/{KAEMPFER}"
    assert series_keys(site.app) == [KAEMPFER]
    # Already in the library: the card offers "Open" instead of "Add".
    page = site.client.get("/search/?q=licht").get_data(as_text=True)
    assert f'href="/series/{KAEMPFER}"' in page and "Add to library" not in page


def test_add_without_htmx_redirects_and_twice_is_harmless(site: AuthActions) -> None:
    for _ in range(2):
        response = site.client.post("/series/", data={"key": KAEMPFER,
                                                      "csrf_token": site.csrf_token()})
        assert response.status_code == 303
        assert response.headers["Location"] == f"/series/{KAEMPFER}"
    assert series_keys(site.app) == [KAEMPFER]


def test_add_failure_is_inline_for_htmx(site: AuthActions) -> None:
    response = site.client.post("/series/", data={"key": "no-such-series"}, headers={
        **HX, "X-CSRFToken": site.csrf_token()})
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert 'class="error"' in response.get_data(as_text=True)
    assert series_keys(site.app) == []


def test_add_failure_without_htmx_flashes_and_returns_to_search(site: AuthActions) -> None:
    response = site.client.post("/series/", data={
        "key": "no-such-series", "q": "nothing", "csrf_token": site.csrf_token()},
        follow_redirects=True)
    assert response.request.path == "/search/"
    assert "Could not add the series" in response.get_data(as_text=True)


@pytest.mark.parametrize("key", ["", "../etc", "a b"])
def test_add_rejects_bad_keys(site: AuthActions, key: str) -> None:
    response = site.client.post("/series/", data={"key": key, "csrf_token": site.csrf_token()})
    assert response.status_code == 422 and "series slug" in response.get_data(as_text=True)


def test_add_needs_the_csrf_token(site: AuthActions) -> None:
    response = site.client.post("/series/", data={"key": KAEMPFER}, headers=HX)
    assert response.status_code == 400 and series_keys(site.app) == []
