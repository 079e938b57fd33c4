"""Monitoring and announced seasons: nothing is queued until an episode is out, then it is.

Against the stand-in over HTTP, on both sites and in both forms a site may show an
announced season in (its page lists no rows, or only upcoming ones).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import DownloadItem, Series
from aniworld.services.library.preferences import apply_preferences
from aniworld.services.series import series_seasons
from aniworld.services.settings import AppSettings
from aniworld.sites import ANIWORLD, STO
from aniworld.tasks import monitor
from tests.fakesite.content import STO_V2
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import add_from_site, make_client, stand_in

CASES = [
    pytest.param(ANIWORLD, "aniworld", "dr-who-s-cat", "empty", id="aniworld-empty"),
    pytest.param(ANIWORLD, "aniworld", "dr-who-s-cat", "rows", id="aniworld-rows"),
    pytest.param(STO, STO_V2, "demo-serie-reboot-rache", "rows", id="sto-rows"),
    pytest.param(STO, STO_V2, "demo-serie-reboot-rache", "empty", id="sto-empty"),
]


def queued(sessions: sessionmaker[Session], series_id: int) -> list[tuple[int, int, Language]]:
    """(season, episode, language) of the series' queue items, in id order."""
    with sessions() as session:
        rows = session.execute(select(DownloadItem.season, DownloadItem.episode,
                                      DownloadItem.language)
                               .where(DownloadItem.series_id == series_id)
                               .order_by(DownloadItem.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def season_2(sessions: sessionmaker[Session], series_id: int) -> tuple[list[int], bool]:
    """Numbers of season 2's stored episodes that are out, and whether it is announced."""
    with sessions() as session:
        series = session.get(Series, series_id)
        assert series is not None
        [entry] = [s for s in series_seasons(series) if s.number == 2]
        return [e.number for e in entry.episodes if e.languages], entry.announced


@pytest.mark.parametrize(("site", "catalog_site", "key", "form"), CASES)
def test_episodes_of_an_announced_season_are_queued_when_they_are_out(
        sessions: sessionmaker[Session], fakesite: FakeSite, site: str, catalog_site: str,
        key: str, form: str) -> None:
    fakesite.aniworld.modes.announced = fakesite.sto.modes.announced = form
    with make_client(fakesite, site) as client:
        series_id = add_from_site(sessions, client, key)
    with sessions() as session:  # only what comes out from now on, not season 1's gaps
        apply_preferences(session.get(Series, series_id), {"monitor_scope": "new"})
        session.commit()
    rounds = stand_in(fakesite)

    quiet = monitor.run_monitor_round(sessions, rounds, AppSettings())
    # Nothing in the feed and not due for a full read: not even read; upcoming: not queued.
    assert (quiet.checked, quiet.new, quiet.queued) == (0, 0, 0)
    assert season_2(sessions, series_id) == ([], True)

    fakesite.release(key, 2, languages=[GERMAN_DUB], site=catalog_site)
    first = monitor.run_monitor_round(sessions, rounds, AppSettings())
    assert (first.new, first.queued) == (1, 1)
    assert queued(sessions, series_id) == [(2, 1, Language.GERMAN_DUB)]
    assert season_2(sessions, series_id) == ([1], False)

    assert monitor.run_monitor_round(sessions, rounds, AppSettings()).queued == 0
    if catalog_site == "aniworld":  # its second announcement is listed by now, without languages
        fakesite.release(key, 2, languages=[GERMAN_DUB], site=catalog_site)
        second = monitor.run_monitor_round(sessions, rounds, AppSettings())
        assert (second.new, second.queued) == (1, 1)
        assert queued(sessions, series_id)[-1] == (2, 2, Language.GERMAN_DUB)
