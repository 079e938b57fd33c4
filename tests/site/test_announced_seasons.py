"""Announced seasons (listed, nothing out yet) on both sites, in both forms a site may show.

How the real sites render such a season is unobserved: aniworld's stand-in shows an empty
tbody (reference §7.4) or announcement rows without hosters and flags (§2.5), s.to's one
only "Demnächst" rows (site-2026 §1.4) or an empty table. Every form must parse to a
listed season without episodes that can be had.
"""

from __future__ import annotations

import re

import pytest

from aniworld.site.engines import ENGINES
from aniworld.site.errors import SiteLayoutChanged
from aniworld.sites import ANIWORLD, STO
from tests.fakesite import sto_pages
from tests.fakesite.catalog import Series as StandInSeries
from tests.fakesite.content import ANNOUNCED, STO_V2, build_catalog
from tests.fakesite.pages_episode import episode_page, series_page
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import make_client
from tests.site.conftest import BASE

ANIWORLD_ENGINE, STO_ENGINE = ENGINES["aniworld"], ENGINES["serienstream"]
CAT, REBOOT = "dr-who-s-cat", "demo-serie-reboot-rache"
_CATALOG = build_catalog()
_CAT, _REBOOT = _CATALOG.series(CAT), _CATALOG.series(REBOOT, STO_V2)
assert _CAT is not None and _REBOOT is not None
FORMS = ["empty", "rows"]


def shown(series: StandInSeries, form: str) -> StandInSeries:
    """The series as the stand-in shows it in ``form``."""
    return series if form == "rows" else series.announced_without_rows()


def test_the_stand_in_has_one_announced_season_per_site() -> None:
    assert set(ANNOUNCED) == {("aniworld", CAT), (STO_V2, REBOOT)}
    assert [s.number for s in _CAT.seasons if s.announced] == [2]
    assert [s.number for s in _REBOOT.seasons if s.announced] == [2]


@pytest.mark.parametrize("form", FORMS)
def test_aniworld_lists_the_season_and_nothing_of_it_is_out(form: str) -> None:
    series = shown(_CAT, form)
    info = ANIWORLD_ENGINE.parse_series(series_page(series, None), BASE, CAT)
    assert info.seasons == [1, 2]
    episodes = ANIWORLD_ENGINE.parse_season(series_page(series, 2), BASE, CAT, 2)
    expected = [] if form == "empty" else [(1, "Neun Leben"), (2, "Kater Nr. 2")]
    assert [(e.number, e.title_de) for e in episodes] == expected
    assert all(not e.languages for e in episodes)  # an announcement has no flags


def test_aniworld_announcement_page_has_no_hosters() -> None:
    page = episode_page(_CAT, 2, 1)
    assert ANIWORLD_ENGINE.parse_episode(page, BASE).hosters == []


def test_aniworld_announced_season_without_any_table_is_empty_not_an_error() -> None:
    """Listed, no table and no episode in the navigation: announced (the third form)."""
    page = re.sub(r'<table class="seasonEpisodesList">.*?</table>', "",
                  series_page(_CAT.announced_without_rows(), 2), flags=re.S)
    assert "seasonEpisodesList" not in page
    assert ANIWORLD_ENGINE.parse_season(page, BASE, CAT, 2) == []


def test_aniworld_table_gone_while_episodes_are_listed_is_a_layout_change() -> None:
    page = re.sub(r'<table class="seasonEpisodesList">.*?</table>', "",
                  series_page(_CAT, 1), flags=re.S)
    with pytest.raises(SiteLayoutChanged, match="seasonEpisodesList"):
        ANIWORLD_ENGINE.parse_season(page, BASE, CAT, 1)


@pytest.mark.parametrize("form", FORMS)
def test_sto_lists_the_season_and_leaves_its_upcoming_rows_out(form: str) -> None:
    series = shown(_REBOOT, form)
    page = sto_pages.series_page(series, 2, BASE)
    assert ("Demnächst" in page) is (form == "rows")
    assert STO_ENGINE.parse_series(page, BASE, REBOOT).seasons == [1, 2]
    assert STO_ENGINE.parse_season(page, BASE, REBOOT, 2) == []


@pytest.mark.parametrize("form", FORMS)
def test_aniworld_client_reads_the_announced_season(fakesite: FakeSite, form: str) -> None:
    fakesite.aniworld.modes.announced = form
    with make_client(fakesite, ANIWORLD) as client:
        assert client.series(CAT).seasons == [1, 2]
        episodes = client.season(CAT, 2)
    assert len(episodes) == (0 if form == "empty" else 2)
    assert all(not e.languages for e in episodes)


@pytest.mark.parametrize("form", FORMS)
def test_sto_client_reads_the_announced_season(fakesite: FakeSite, form: str) -> None:
    fakesite.sto.modes.announced = form
    with make_client(fakesite, STO) as client:
        assert client.series(REBOOT).seasons == [1, 2]
        assert client.season(REBOOT, 2) == []
