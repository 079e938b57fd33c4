"""A Sonarr grab runs as a normal job but lands in its save path, not in the library.

Real jobs in-process against the stand-in site and hosters over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, MediaRefreshPath
from aniworld.services.bridge import grabs
from aniworld.services.bridge.releases import ReleaseId, magnet_link, release_title
from aniworld.services.file_naming import EpisodeName, episode_path
from aniworld.services.series import get_series
from aniworld.services.settings import AppSettings, save_settings
from aniworld.tasks import events
from aniworld.tasks.events import DownloadFinished
from aniworld.tasks.runtime import Runtime
from tests.db_fixtures import run_job, store_site_series, worker_runtime
from tests.fakesite.server import FakeSite

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


@pytest.fixture
def runtime(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> Iterator[Runtime]:
    """A worker's runtime on a fresh SQLite file with the stand-in's Kämpfer stored."""
    runtime = worker_runtime(tmp_path, redis_url, fakesite)
    store_site_series(runtime, KAEMPFER)
    yield runtime
    runtime.engine.dispose()


def grab(runtime: Runtime, save_path: Path | str) -> DownloadItem:
    """Add S01E01 in German as Sonarr would and run its job to the end; the final row."""
    release = ReleaseId("aniworld", KAEMPFER, 1, 1, Language.GERMAN_DUB)
    title = release_title("Warriors of Light: The Return", 1, 1, Language.GERMAN_DUB)
    with runtime.sessions() as session:
        item = grabs.add_grab(session, magnet_link(release, title), "tv-sonarr",
                              runtime.config.library_dir, str(save_path))
        session.commit()
    return run_job(runtime, item.id)


def test_grab_goes_to_its_save_path_and_skips_the_library_steps(
        runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(events, "_subscribers", lambda: (lambda rt, event: seen.append(event),))
    library = runtime.config.library_dir
    # The episode is in the library already: a library download would stop at that.
    with runtime.sessions() as session:
        series = get_series(session, KAEMPFER)
        episode = session.scalar(select(Episode).where(
            Episode.series_id == series.id, Episode.season == 1, Episode.number == 1))
        name = EpisodeName(series.title, series.year, None, 1, 1, episode.title_de)
    present = episode_path(library, AppSettings(), name, Language.GERMAN_DUB)
    present.parent.mkdir(parents=True)
    present.write_bytes(b"the user's own copy")
    item = grab(runtime, tmp_path / "sonarr")
    assert item.status is ItemStatus.COMPLETED, item.last_error
    expected = tmp_path / "sonarr" / \
        f"Warriors of Light - The Return S01E01 GERMAN 1080p WEB-DL [{item.bridge_hash[:8]}].mp4"
    assert item.file_path == str(expected) and expected.stat().st_size > 1000
    assert item.note is None  # not "already present in the library"
    assert sorted(p.name for p in present.parent.parent.iterdir()) == [present.parent.name]
    assert not any(library.glob("*/.aniworld.json"))  # no series marker written
    assert not (library / ".aniworld" / "partial" / str(item.id)).exists()
    assert seen == [DownloadFinished(item.id, str(expected))]


def test_a_grab_in_the_default_save_path_gets_no_library_metadata_nor_refresh(
        runtime: Runtime) -> None:
    with runtime.sessions() as session:
        save_settings(session, write_metadata=True, media_server="jellyfin",
                      media_server_url="http://127.0.0.1:9", media_server_token="t0ken")
        session.commit()
    item = grab(runtime, "")  # the default: <library>/.aniworld/bridge/<category>
    assert item.status is ItemStatus.COMPLETED, item.last_error
    work = runtime.config.library_dir / ".aniworld"
    video = Path(item.file_path)
    assert video.parent == work / "bridge" / "tv-sonarr"
    # No tvshow.nfo, poster, metadata record or episode .nfo beside the grab.
    assert [p for p in (work / "bridge").rglob("*") if p.is_file()] == [video]
    assert not list(work.glob("*.nfo")) and not list(work.glob("poster.*"))
    with runtime.sessions() as session:
        assert session.scalars(select(MediaRefreshPath)).all() == []


def test_a_grab_never_overwrites_a_file_in_its_save_path(runtime: Runtime,
                                                         tmp_path: Path) -> None:
    release = ReleaseId("aniworld", KAEMPFER, 1, 1, Language.GERMAN_DUB)
    name = grabs.grab_name(release, ["Warriors of Light: The Return"])
    there = tmp_path / "sonarr" / f"{name.replace(':', ' -')}.mp4"
    there.parent.mkdir()
    there.write_bytes(b"someone else's file")
    item = grab(runtime, tmp_path / "sonarr")
    assert item.status is ItemStatus.FAILED
    assert "exists already" in (item.last_error or "") and str(there) in item.last_error
    assert there.read_bytes() == b"someone else's file"
