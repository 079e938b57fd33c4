"""s.to beside aniworld.to through the whole system: queue → RQ worker → s.to → hoster → library."""

from __future__ import annotations

from pathlib import Path

import pytest

from aniworld.languages import Language
from aniworld.library import Marker, read_marker
from aniworld.sites import ANIWORLD, STO
from tests.system.conftest import Stack, played_duration

pytestmark = pytest.mark.slow

DEMO = "demo-serie"
BLAU = "blauer-mond"  # aniworld: the anime "Blauer Mond" (2020); s.to: the series (2011)


def series_folder(stack: Stack, file_path: str) -> Path:
    """The library folder directly holding the item's file (below its season folder)."""
    relative = (stack.library / file_path).relative_to(stack.library)
    return stack.library / relative.parts[0]


def test_sto_episode_is_resolved_on_sto_and_arrives_playable(running_stack: Stack) -> None:
    stack = running_stack
    stack.add_series(DEMO, site=STO)
    item = stack.wait_status(stack.queue(DEMO, 1, 1, site=STO), "completed", "failed")
    assert item.status.value == "completed", item.last_error + stack.logs()
    path = stack.library / item.file_path
    assert path.name == "Demo Serie - S01E01 - Neuanfang [German Dub].mp4"
    assert path.parent.name == "Season 01" and item.hoster == "VOE"
    assert played_duration(path) > 1
    folder = series_folder(stack, item.file_path)
    assert folder.name == "Demo Serie (2019)"
    assert read_marker(folder) == Marker(STO, DEMO, "Demo Serie")
    # The play link was a fresh /r?t= token of s.to's episode page; aniworld was not asked.
    plays = stack.fakesite.requests_to("/r", server="sto")
    assert len(plays) == 1 and plays[0].query.startswith("t=")
    assert stack.fakesite.requests_to(f"/serie/{DEMO}/staffel-1/episode-1", server="sto")
    assert stack.fakesite.requests == []
    assert stack.partial_files() == []


def test_one_slug_on_both_sites_downloads_into_two_folders(running_stack: Stack) -> None:
    stack = running_stack
    stack.add_series(BLAU)
    stack.add_series(BLAU, site=STO)
    anime_id = stack.queue(BLAU, 1, 1, Language.GERMAN_SUB)
    show_id = stack.queue(BLAU, 1, 1, Language.GERMAN_DUB, site=STO)

    anime = stack.wait_status(anime_id, "completed", "failed")
    show = stack.wait_status(show_id, "completed", "failed")

    assert anime.status.value == show.status.value == "completed", (
        f"{anime.last_error} / {show.last_error}\n{stack.logs()}")
    anime_folder = series_folder(stack, anime.file_path)
    show_folder = series_folder(stack, show.file_path)
    assert (anime_folder.name, show_folder.name) == ("Blauer Mond (2020)",
                                                     "Blauer Mond (2011)")
    assert read_marker(anime_folder) == Marker(ANIWORLD, BLAU, "Blauer Mond")
    assert read_marker(show_folder) == Marker(STO, BLAU, "Blauer Mond")
    assert Path(anime.file_path).name.endswith("[German Sub].mp4")
    assert Path(show.file_path).name == "Blauer Mond - S01E01 - Neumond [German Dub].mp4"
    for item in (anime, show):
        assert played_duration(stack.library / item.file_path) > 1
