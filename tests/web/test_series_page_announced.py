"""The series page of a series with an announced season (listed, nothing out yet)."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, site_auth

HX = {"HX-Request": "true"}
CAT, REBOOT = "dr-who-s-cat", "sto:demo-serie-reboot-rache"
ANNOUNCED = "Announced — no episodes yet."


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client of an app that talks to both stand-in sites."""
    yield from site_auth(app_env, fakesite)


def add(site: AuthActions, key: str) -> None:
    """Add ``key`` through the search page's form."""
    response = site.client.post("/series/", data={"key": key, "csrf_token": site.csrf_token()})
    assert response.status_code == 303, response.get_data(as_text=True)


def page(site: AuthActions, url: str, **headers: str) -> str:
    response = site.client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("key", [CAT, REBOOT])
def test_the_announced_season_has_a_tab_and_no_download_buttons(site: AuthActions,
                                                                key: str) -> None:
    add(site, key)
    first = page(site, f"/series/{key}")
    assert 'aria-selected="true">Season 1<' in first and ANNOUNCED not in first
    assert f'hx-get="/series/{key}?season=2"' in first
    assert 'Season 2 <span class="muted small">(announced)</span>' in first
    assert 'value="season">Download season<' in first
    second = page(site, f"/series/{key}?season=2", **HX)
    assert second.startswith('<section id="season"') and ANNOUNCED in second
    assert 'aria-selected="true">Season 2 <span' in second
    assert "Download season" not in second and "Download all missing" not in second
    assert '<table class="episodes">' not in second


def test_announcements_are_listed_as_announced_not_missing(site: AuthActions,
                                                           fakesite: FakeSite) -> None:
    """aniworld's other form: the season lists its episodes, without hosters or flags."""
    fakesite.aniworld.modes.announced = "rows"
    add(site, CAT)
    body = page(site, f"/series/{CAT}?season=2", **HX)
    assert ANNOUNCED in body and "Neun Leben" in body and "Kater Nr. 2" in body
    assert body.count('class="status-announced">announced<') == 2
    assert ">missing<" not in body and "Download season" not in body
    assert 'value="episode"' not in body  # no episode offers a language to download


def test_a_running_season_shows_its_announcement_as_such(site: AuthActions) -> None:
    """Season 1's episode 3 is announced between released ones: not missing, no button."""
    add(site, CAT)
    body = page(site, f"/series/{CAT}?season=1", **HX)
    assert ANNOUNCED not in body and "Download season" in body
    assert body.count('class="status-announced">announced<') == 1
    assert body.count(">missing<") == 7
