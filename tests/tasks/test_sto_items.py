"""A job reads an s.to item on s.to: its settings, its hold, its hoster health, its folder.

Runs real jobs in-process against the stand-in sites and hosters over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from aniworld.languages import Language
from aniworld.library import Marker, read_marker, write_marker
from aniworld.models import DownloadItem, HosterHealth, ItemStatus, Series
from aniworld.services.execution import Claim
from aniworld.services.series import get_series
from aniworld.services.settings import AppSettings
from aniworld.site.limiter import SiteLimiter
from aniworld.sites import ANIWORLD, STO
from aniworld.tasks.download import runner
from aniworld.tasks.runtime import Runtime
from tests.db_fixtures import run_download, store_site_series, worker_runtime
from tests.fakesite.server import FakeSite

BLAU = "blauer-mond"  # aniworld's anime (German sub) and s.to's series (German dub)


@pytest.fixture
def runtime(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> Iterator[Runtime]:
    """A worker's runtime on a fresh SQLite file with both stand-in sites' series stored."""
    runtime = worker_runtime(tmp_path, redis_url, fakesite)
    for site in (ANIWORLD, STO):
        store_site_series(runtime, BLAU, site)
    yield runtime
    runtime.engine.dispose()


def download(runtime: Runtime, site: str, language: Language) -> DownloadItem:
    """Queue episode 1x1 of the site's series and run its job to the end; return the row."""
    with runtime.sessions() as session:
        series_id = get_series(session, BLAU, site).id
    return run_download(runtime, series_id, 1, 1, language)


def test_same_title_and_year_on_both_sites_download_into_two_folders(
        runtime: Runtime, fakesite: FakeSite) -> None:
    with runtime.sessions() as session:
        get_series(session, BLAU, STO).year = 2020  # as aniworld's: one rendered folder
        session.commit()

    anime = download(runtime, ANIWORLD, Language.GERMAN_SUB)
    show = download(runtime, STO, Language.GERMAN_DUB)

    assert anime.status is show.status is ItemStatus.COMPLETED, (anime.last_error,
                                                                 show.last_error)
    library = runtime.config.library_dir
    assert Path(anime.file_path).parent.parent == library / "Blauer Mond (2020)"
    assert Path(show.file_path).parent.parent == library / "Blauer Mond (2020) [S.to]"
    assert read_marker(library / "Blauer Mond (2020)") == Marker(ANIWORLD, BLAU,
                                                                   "Blauer Mond")
    assert read_marker(library / "Blauer Mond (2020) [S.to]") == Marker(STO, BLAU,
                                                                          "Blauer Mond")
    # The s.to episode page and its /r?t= play link were read on s.to, never on aniworld.
    assert fakesite.requests_to(f"/serie/{BLAU}/staffel-1/episode-1", server="sto")
    assert len(fakesite.requests_to("/r", server="sto")) == 1
    assert not fakesite.requests_to("/serie/")
    with runtime.sessions() as session:
        folders = dict(session.execute(select(Series.site, Series.folder)).all())
        health = set(session.execute(select(HosterHealth.site, HosterHealth.hoster)).all())
    assert folders == {ANIWORLD: "Blauer Mond (2020)", STO: "Blauer Mond (2020) [S.to]"}
    assert health == {(ANIWORLD, "voe"), (STO, "voe")}


def test_a_hold_on_sto_does_not_stop_aniworld_items(
        runtime: Runtime, fakesite: FakeSite) -> None:
    SiteLimiter(fakesite.sto_url, runtime.redis).hold(600, "play_gate")
    fakesite.clear_requests()

    held = download(runtime, STO, Language.GERMAN_DUB)
    anime = download(runtime, ANIWORLD, Language.GERMAN_SUB)

    assert held.status is ItemStatus.PENDING and held.attempts == 1
    assert fakesite.logs["sto"].snapshot() == []
    assert anime.status is ItemStatus.COMPLETED, anime.last_error


def test_own_folder_keeps_a_folder_of_the_same_series_or_without_marker(
        tmp_path: Path) -> None:
    claim = Claim("Dark", 2017, None, 1, 1, "", series_site=STO, item_id=1, lease="x",
                  series_key="dark", language=Language.GERMAN_DUB, language_fallback=False,
                  force=False, previous_hoster=None, attempts=0)
    settings = AppSettings()
    assert runner.own_folder(tmp_path, claim, settings) is claim  # no folder yet
    (tmp_path / "Dark (2017)").mkdir()
    assert runner.own_folder(tmp_path, claim, settings) is claim  # the user's, unmarked
    write_marker(tmp_path / "Dark (2017)", Marker(STO, "dark", "Dark"))
    assert runner.own_folder(tmp_path, claim, settings) is claim  # its own
    write_marker(tmp_path / "Dark (2017)", Marker(ANIWORLD, "dark", "Dark"))
    assert runner.own_folder(tmp_path, claim, settings).series_folder == "Dark (2017) [S.to]"
    named = replace(claim, series_folder="Dunkel")  # a folder the scan matched wins
    assert runner.own_folder(tmp_path, named, settings) is named
