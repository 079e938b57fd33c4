"""Artwork with real processes: a worker's download writes tvshow.nfo, poster.jpg and the
episode's .nfo; the cover and "write now" jobs run on the worker through RQ."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aniworld.covers import CoverStore
from aniworld.services.artwork import FINISHED, load_write_status, request_write
from aniworld.services.series import get_series
from aniworld.sites import STO
from aniworld.tasks import dispatch
from tests.fakesite.covers import JPEG
from tests.system.conftest import Stack

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
STO_SERIES = "demo-serie"


def finished_file(stack: Stack, key: str, site: str = "aniworld") -> Path:
    item = stack.wait_status(stack.queue(key, 1, 1, site=site), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    return stack.library / item.file_path


@pytest.mark.parametrize(("key", "site"), [(KAEMPFER, "aniworld"), (STO_SERIES, STO)])
def test_worker_download_writes_show_poster_and_episode_metadata(
        running_stack: Stack, key: str, site: str) -> None:
    stack = running_stack
    stack.add_series(key, site)
    video = finished_file(stack, key, site)
    folder = stack.library / video.relative_to(stack.library).parts[0]
    source = stack.fakesite.catalog.series(key, "serienstream" if site == STO else "aniworld")
    assert source is not None
    # Written right after the outcome is committed, by the same job: the NFO comes last.
    stack.wait_for(video.with_suffix(".nfo").exists, 30, "the episode's NFO")
    show = ET.parse(folder / "tvshow.nfo").getroot()
    assert (show.findtext("title"), show.findtext("year")) == (source.title,
                                                               str(source.start_year))
    assert show.find("uniqueid").attrib["type"] == site  # type: ignore[union-attr]
    # The cover comes by its own job on the worker (a download never waits for artwork).
    stack.wait_for((folder / "poster.jpg").exists, 30, "the poster")
    assert (folder / "poster.jpg").read_bytes() == JPEG
    episode = ET.parse(video.with_suffix(".nfo")).getroot()
    first = source.seasons[0].episodes[0]
    assert episode.findtext("title") == first.title_de
    assert (episode.findtext("season"), episode.findtext("episode")) == ("1", "1")


def test_cover_and_write_now_jobs_run_on_the_worker(running_stack: Stack) -> None:
    stack = running_stack
    stack.add_series(KAEMPFER)
    stack.settings(write_metadata=False)
    video = finished_file(stack, KAEMPFER)
    folder = stack.library / video.relative_to(stack.library).parts[0]
    assert not list(folder.glob("*.nfo")) and not video.with_suffix(".nfo").exists()
    with stack.sessions() as session:
        cover = get_series(session, KAEMPFER).cover
    assert cover is not None
    store = CoverStore.in_library(stack.library)
    for old in store.root.rglob("*"):  # covers of earlier tests on this running stack
        if old.is_file():
            old.unlink()

    assert dispatch.enqueue_cover(stack.redis(), "aniworld", KAEMPFER, cover)
    stack.wait_for(lambda: store.find("aniworld", KAEMPFER, cover), 30, "the cover job")

    stack.settings(write_metadata=True)
    with stack.sessions() as session:
        request_write(session, None)
        session.commit()
    assert dispatch.enqueue_metadata(stack.redis(), None)

    def finished() -> bool:
        with stack.sessions() as session:
            return load_write_status(session).state == FINISHED

    stack.wait_for(finished, 30, "the metadata run")
    assert (folder / "poster.jpg").read_bytes() == JPEG
    assert (folder / "tvshow.nfo").is_file() and video.with_suffix(".nfo").is_file()
