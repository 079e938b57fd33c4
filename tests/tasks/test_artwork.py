"""Metadata of finished downloads, written by the artwork subscriber of a real job.

Jobs run in-process against the stand-in site and hosters over HTTP (as in
test_upgrade_items.py); the runner publishes DownloadFinished and tasks/artwork.py writes
``tvshow.nfo`` and the episode's ``.nfo`` and queues the cover, whose job (run here as the
library worker would) fetches it through the series' site client and writes ``poster.jpg``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import select

from aniworld.covers import CoverRejected, CoverStore
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus
from aniworld.services.artwork import FINISHED, load_write_status
from aniworld.services.series import get_series
from aniworld.services.settings import save_settings
from aniworld.site.errors import SiteNotFound
from aniworld.tasks import artwork, dispatch
from aniworld.tasks.runtime import Runtime
from tests.db_fixtures import run_download
from tests.fakesite.covers import JPEG
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite
from tests.tasks import test_upgrade_items as upgrades
from tests.tasks.test_upgrade_items import BLAU, refresh, run

# The upgrade tests' worker runtime: Blauer Drache stored (and monitored, for the upgrade).
runtime = upgrades.runtime


def download(runtime: Runtime, episode: int = 1,
             language: Language = Language.GERMAN_SUB) -> DownloadItem:
    with runtime.sessions() as session:
        series_id = get_series(session, BLAU).id
    item = run_download(runtime, series_id, 1, episode, language)
    assert item.status is ItemStatus.COMPLETED, item.last_error
    return item


def settings(runtime: Runtime, **changes: object) -> None:
    with runtime.sessions() as session:
        save_settings(session, **changes)
        session.commit()


def series_dir(runtime: Runtime, video: Path) -> Path:
    library = runtime.config.library_dir
    return library / video.relative_to(library).parts[0]


def cover_requests(fakesite: FakeSite) -> list[object]:
    return fakesite.requests_to("/public/img/cover/")


def run_cover_jobs(runtime: Runtime) -> int:
    """Run the queued cover fetches as a worker would; how many there were."""
    queue = dispatch.make_queue(runtime.redis, dispatch.NOTIFY_QUEUE)
    jobs = [job for job in queue.jobs if job.id.startswith("cover-")]
    for job in jobs:
        queue.remove(job)
        artwork.fetch_cover(runtime, *job.args)
    return len(jobs)


def test_download_writes_show_nfo_poster_and_episode_nfo(runtime: Runtime,
                                                         fakesite: FakeSite) -> None:
    item = download(runtime)
    video = Path(item.file_path)
    folder = series_dir(runtime, video)
    # The job itself never waits on the site for artwork: the cover comes by its own job.
    assert cover_requests(fakesite) == [] and not (folder / "poster.jpg").exists()
    assert run_cover_jobs(runtime) == 1
    source = fakesite.catalog.series(BLAU)
    assert source is not None
    show = ET.parse(folder / "tvshow.nfo").getroot()
    assert show.findtext("title") == source.title
    assert show.findtext("year") == str(source.start_year)
    assert show.findtext("plot") == source.description
    assert [g.text for g in show.findall("genre")] == list(source.genres)
    assert show.findtext("originaltitle") == next(iter(source.alt_titles), None)
    assert (folder / "poster.jpg").read_bytes() == JPEG
    episode = ET.parse(video.with_suffix(".nfo")).getroot()
    first = source.seasons[0].episodes[0]
    assert (episode.findtext("title"), episode.findtext("showtitle"),
            episode.findtext("season"), episode.findtext("episode")) == (
        first.title_de, source.title, "1", "1")
    # Fetched once, through the site client, then from the cache for the next episode.
    assert len(cover_requests(fakesite)) == 1
    assert CoverStore.in_library(runtime.config.library_dir).find("aniworld", BLAU) is not None
    download(runtime, 2)
    assert run_cover_jobs(runtime) == 0 and len(cover_requests(fakesite)) == 1
    assert len(list(folder.rglob("*.nfo"))) == 3


def test_metadata_switched_off_writes_nothing(runtime: Runtime, fakesite: FakeSite) -> None:
    settings(runtime, write_metadata=False)
    item = download(runtime)
    library = runtime.config.library_dir
    assert list(library.rglob("*.nfo")) == [] and list(library.rglob("poster.*")) == []
    assert Path(item.file_path).is_file() and run_cover_jobs(runtime) == 0


def test_already_present_file_gets_its_metadata_too(runtime: Runtime) -> None:
    first = download(runtime)
    nfo = Path(first.file_path).with_suffix(".nfo")
    nfo.unlink()
    again = download(runtime)
    assert again.note and "already" in again.note.lower()
    assert nfo.is_file()


def test_poster_follows_when_the_cover_comes_later(runtime: Runtime,
                                                   fakesite: FakeSite) -> None:
    fakesite.set_fault("status", prefix="/public/img/cover/", status=404)
    item = download(runtime)
    folder = series_dir(runtime, Path(item.file_path))
    with pytest.raises(SiteNotFound):
        run_cover_jobs(runtime)
    assert (folder / "tvshow.nfo").is_file() and not (folder / "poster.jpg").exists()
    fakesite.clear_faults()
    with runtime.sessions() as session:
        source = get_series(session, BLAU).cover
    assert source is not None
    artwork.fetch_cover(runtime, "aniworld", BLAU, source)  # the cover route's next job
    assert (folder / "poster.jpg").read_bytes() == JPEG


def test_cover_that_is_no_image_is_refused_and_not_kept(runtime: Runtime,
                                                        fakesite: FakeSite) -> None:
    page = f"{fakesite.url}/anime/stream/{BLAU}"
    with pytest.raises(CoverRejected, match="not an image"):
        artwork.fetch_cover(runtime, "aniworld", BLAU, page)
    assert CoverStore.in_library(runtime.config.library_dir).find("aniworld", BLAU) is None


def test_write_now_restores_the_library_metadata(runtime: Runtime) -> None:
    item = download(runtime)
    video = Path(item.file_path)
    for nfo in runtime.config.library_dir.rglob("*.nfo"):
        nfo.unlink()
    message = artwork.write_library(runtime)
    # The run fetches the missing cover itself (it is a library job, not a download's).
    assert message == "Metadata of 1 series: 3 files written, 0 unchanged, 1 with a poster."
    assert video.with_suffix(".nfo").is_file()
    assert (series_dir(runtime, video) / "poster.jpg").read_bytes() == JPEG
    again = artwork.write_library(runtime)
    assert again.startswith("Metadata of 1 series: 0 files written, 3 unchanged")
    with runtime.sessions() as session:
        status = load_write_status(session)
    assert status.state == FINISHED and status.message == again


def test_upgrade_rewrites_the_nfo_beside_the_new_file(runtime: Runtime,
                                                      fakesite: FakeSite) -> None:
    held = download(runtime)
    old_nfo = Path(held.file_path).with_suffix(".nfo")
    assert old_nfo.is_file()
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    refresh(runtime)  # queues the upgrade
    with runtime.sessions() as session:
        [item_id] = session.scalars(select(DownloadItem.id).where(
            DownloadItem.upgrade_from.is_not(None))).all()
    item = run(runtime, item_id)
    assert item.status is ItemStatus.COMPLETED, item.last_error
    new_nfo = Path(item.file_path).with_suffix(".nfo")
    assert new_nfo != old_nfo and new_nfo.is_file() and not old_nfo.exists()
    assert ET.parse(new_nfo).getroot().findtext("episode") == "1"
