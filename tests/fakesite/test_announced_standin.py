"""Announced seasons in the stand-in: both forms per site, and releases that fill them."""

from __future__ import annotations

import pytest
import requests
from bs4 import BeautifulSoup

from tests.fakesite.client import soup
from tests.fakesite.content import STO_V2
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite
from tests.fakesite.site import SiteModes
from tests.fakesite.sto_site import StoModes

CAT = "/anime/stream/dr-who-s-cat"
REBOOT = "/serie/demo-serie-reboot-rache"


def sto_get(fakesite: FakeSite, path: str) -> requests.Response:
    """GET a path of the s.to stand-in."""
    return requests.get(fakesite.sto_url + path, allow_redirects=False, timeout=5)


def sto_soup(fakesite: FakeSite, path: str) -> BeautifulSoup:
    """GET an s.to page, assert 200 and parse it."""
    response = sto_get(fakesite, path)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "lxml")


def test_defaults_follow_the_reference() -> None:
    """aniworld: an empty tbody (§7.4); s.to: "Demnächst" rows (site-2026 §1.4)."""
    assert (SiteModes().announced, StoModes().announced) == ("empty", "rows")


def test_aniworld_empty_form(fakesite: FakeSite) -> None:
    page = soup(fakesite, CAT + "/staffel-2")
    assert page.select_one(f"#stream a[href='{CAT}/staffel-2']") is not None
    assert page.select_one("tbody#season2") is not None and not page.select("tbody#season2 tr")
    assert not page.select(f"#stream a[href^='{CAT}/staffel-2/episode-']")
    announced = soup(fakesite, CAT + "/staffel-2/episode-1")  # not on the site yet
    assert announced.select_one("div.hosterSiteTitle") is None


def test_aniworld_rows_form(fakesite: FakeSite) -> None:
    fakesite.aniworld.modes.announced = "rows"
    rows = soup(fakesite, CAT + "/staffel-2").select("tbody#season2 tr")
    assert [row["data-episode-season-id"] for row in rows] == ["1", "2"]
    assert not any(row.select("img.flag, i.icon") for row in rows)
    page = soup(fakesite, CAT + "/staffel-2/episode-1")
    assert page.select_one("div.hosterSiteVideo") and not page.select("li[data-link-id]")


def test_sto_rows_form(fakesite: FakeSite) -> None:
    rows = sto_soup(fakesite, REBOOT + "/staffel-2").select("tr.episode-row")
    assert len(rows) == 1 and "upcoming" in rows[0]["class"]
    assert rows[0].select_one(".badge-upcoming").text == "Demnächst"
    page = sto_soup(fakesite, REBOOT + "/staffel-2/episode-1")
    assert page.select_one("h2.h4") is not None and not page.select("[data-play-url]")


def test_sto_empty_form(fakesite: FakeSite) -> None:
    fakesite.sto.modes.announced = "empty"
    page = sto_soup(fakesite, REBOOT + "/staffel-2")
    assert page.select_one("table.episode-table") is not None
    assert not page.select("tr.episode-row")
    assert page.select_one("#season-nav a[data-season-pill='2']") is not None
    assert sto_get(fakesite, REBOOT + "/staffel-2/episode-1").status_code == 404


@pytest.mark.parametrize("form", ["empty", "rows"])
def test_a_release_fills_the_first_upcoming_episode(fakesite: FakeSite, form: str) -> None:
    fakesite.aniworld.modes.announced = form
    series = fakesite.catalog.series("dr-who-s-cat")
    before = series.episode(2, 1) if series else None
    episode = fakesite.release("dr-who-s-cat", 2)
    assert before is not None and (episode.number, episode.episode_id) == (1, before.episode_id)
    assert (episode.title_de, episode.title_en) == ("Neun Leben", "Nine Lives")
    assert episode.links  # offered like the series' last episode out
    # Out now, the season shows its other upcoming episode like any running season does.
    rows = soup(fakesite, CAT + "/staffel-2").select("tbody#season2 tr")
    assert [bool(row.select("img.flag")) for row in rows] == [True, False]
    links = soup(fakesite, CAT + "/staffel-2/episode-1").select("li[data-link-id]")
    assert [int(li["data-link-id"]) for li in links] == [link.link_id for link in episode.links]


def test_a_release_on_sto_ends_the_upcoming_row(fakesite: FakeSite) -> None:
    episode = fakesite.release("demo-serie-reboot-rache", 2, languages=[GERMAN_DUB],
                               site=STO_V2)
    assert episode.number == 1
    [row] = sto_soup(fakesite, REBOOT + "/staffel-2").select("tr.episode-row")
    assert "upcoming" not in row["class"] and row.select("svg.svg-flag-german")
    assert sto_soup(fakesite, REBOOT + "/staffel-2/episode-1").select("[data-play-url]")


def test_an_upcoming_episode_of_a_running_season_is_released_in_place(
        fakesite: FakeSite) -> None:
    """dr-who's episode 3 is an announcement between released ones: it is the next out."""
    episode = fakesite.release("dr-who-s-cat", 1)
    assert (episode.number, episode.title_de) == (3, "Ankündigung") and episode.links
    rows = soup(fakesite, CAT + "/staffel-1").select("tbody#season1 tr")
    assert len(rows) == 8 and rows[2].select("img.flag")


def test_reset_restores_the_modes(fakesite: FakeSite) -> None:
    fakesite.aniworld.modes.announced = "rows"
    fakesite.sto.modes.announced = "empty"
    fakesite.reset()
    assert (fakesite.aniworld.modes.announced, fakesite.sto.modes.announced) == (
        "empty", "rows")
