"""A job runs a language upgrade: downloads and checks the dub first, then swaps it in.

Runs real jobs in-process against the stand-in site and hosters over HTTP: the episode is
first downloaded in German Sub, the stand-in later offers a German Dub, a refresh of the
monitored series queues the upgrade and the job replaces the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from aniworld.config import Config
from aniworld.downloader.ffmpeg import probe
from aniworld.languages import Language
from aniworld.library import swap
from aniworld.models import Base, DownloadItem, ItemStatus
from aniworld.services import catalog, execution
from aniworld.services.library.monitoring import apply_refresh
from aniworld.services.series import find_series, get_series
from aniworld.services.settings import load_settings, save_settings
from aniworld.site import SiteClient
from aniworld.tasks.download import runner
from aniworld.tasks.runtime import Runtime, build_runtime
from tests.db_fixtures import run_download
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite

BLAU = "blauer-drache"  # German Sub only, on VOE
SAME_NAME = "{series}/{series} - S{season:02}E{episode:02}.{ext}"


class Crash(BaseException):
    """The worker process dies here: nothing of the job's clean-up runs."""


@pytest.fixture
def runtime(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> Iterator[Runtime]:
    """A worker's runtime on a fresh SQLite file with Blauer Drache stored and monitored."""
    runtime = build_runtime(Config.from_env({
        "ANIWORLD_DATA_DIR": str(tmp_path / "data"),
        "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"),
        "REDIS_URL": redis_url, "ANIWORLD_SITE_URL": fakesite.url,
        "ANIWORLD_SITE_TRANSPORT": "requests", "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1",
        "ANIWORLD_LEASE_SECONDS": "4"}))
    Base.metadata.create_all(runtime.engine)
    refresh(runtime)
    with runtime.sessions() as session:
        series = get_series(session, BLAU)
        # Upgrades only: "new episodes only" keeps the other missing episodes out of the queue.
        series.monitored, series.monitor_scope = True, "new"
        session.commit()
    yield runtime
    runtime.engine.dispose()


def refresh(runtime: Runtime) -> int:
    """Read the series from the stand-in as a refresh does; returns how many were queued."""
    with SiteClient(runtime.config.site_settings("aniworld")) as client:
        snapshot = catalog.fetch_series(client, BLAU, fresh=True)
    with runtime.sessions() as session:
        series = find_series(session, BLAU) or catalog.store_snapshot(session, snapshot)
        queued = apply_refresh(session, series.id, snapshot, load_settings(session))[1]
        session.commit()
    return queued


def hold_sub(runtime: Runtime) -> DownloadItem:
    with runtime.sessions() as session:
        series_id = get_series(session, BLAU).id
    held = run_download(runtime, series_id, 1, 1, Language.GERMAN_SUB)
    assert held.status is ItemStatus.COMPLETED, held.last_error
    return held


def run(runtime: Runtime, item_id: int) -> DownloadItem:
    with runtime.sessions() as session:
        execution.dispatch_candidates(session, 1, lambda i: f"download-{i}")
        session.commit()
    runner.run_item(runtime, item_id, f"download-{item_id}")
    with runtime.sessions() as session:
        return session.get(DownloadItem, item_id)


def upgrade_ids(runtime: Runtime) -> list[int]:
    with runtime.sessions() as session:
        return list(session.scalars(select(DownloadItem.id).where(
            DownloadItem.upgrade_from.is_not(None))))


def episode_files(runtime: Runtime) -> list[Path]:
    library = runtime.config.library_dir
    return sorted(p for p in library.rglob("*.mp4") if ".aniworld" not in p.parts)


def held_files(runtime: Runtime) -> list[Path]:
    return sorted(swap.holding_root(runtime.config.data_dir).rglob("*.mp4"))


@pytest.mark.parametrize("template", [None, SAME_NAME], ids=["tagged-names", "same-name"])
def test_published_dub_replaces_the_sub(runtime: Runtime, fakesite: FakeSite,
                                        template: str | None) -> None:
    if template:
        with runtime.sessions() as session:
            save_settings(session, naming_template=template)
            session.commit()
    held = hold_sub(runtime)
    sub_bytes = Path(held.file_path).read_bytes()
    assert refresh(runtime) == 0  # nothing better yet
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    assert refresh(runtime) == 1
    assert refresh(runtime) == 0  # one upgrade per episode, however often refreshed
    [item_id] = upgrade_ids(runtime)

    item = run(runtime, item_id)

    assert item.status is ItemStatus.COMPLETED and item.language is Language.GERMAN_DUB, \
        item.last_error
    [path] = episode_files(runtime)
    assert str(path) == item.file_path and probe(path)[0] > 1
    assert ("[German Dub]" in path.name) is (template is None)
    [kept] = held_files(runtime)
    assert kept.read_bytes() == sub_bytes and kept.name == Path(held.file_path).name
    with runtime.sessions() as session:
        assert session.get(DownloadItem, held.id).file_path is None
    assert not (runtime.config.library_dir / ".aniworld" / "partial" / str(item_id)).exists()


def test_worker_dying_mid_swap_is_finished_by_the_next_job(
        runtime: Runtime, fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    hold_sub(runtime)
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    refresh(runtime)
    [item_id] = upgrade_ids(runtime)

    def die(old: Path, held: Path) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(swap, "_keep", die)  # the new file is placed, the old one not moved
        with pytest.raises(Crash):
            run(runtime, item_id)
    assert len(episode_files(runtime)) == 2 and held_files(runtime) == []
    with runtime.sessions() as session:
        assert session.get(DownloadItem, item_id).status is ItemStatus.DOWNLOADING
        # The scheduler's reconcile, once the dead worker's lease ran out.
        assert execution.reclaim_stale(session, timedelta(seconds=0)) == [item_id]
        session.commit()
    fakesite.clear_requests()

    item = run(runtime, item_id)

    assert item.status is ItemStatus.COMPLETED, item.last_error
    assert fakesite.hoster_requests == []  # finished, not downloaded again
    [path] = episode_files(runtime)
    assert "[German Dub]" in path.name and str(path) == item.file_path
    assert [p.name for p in held_files(runtime)] == [path.name.replace("Dub", "Sub")]


def test_cancel_before_the_swap_leaves_the_library_alone(
        runtime: Runtime, fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    held = hold_sub(runtime)
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    refresh(runtime)
    [item_id] = upgrade_ids(runtime)
    real_swap_in = runner.upgrade.swap_in

    def cancel_then_swap(*args: object, **kwargs: object) -> None:
        with runtime.sessions() as session:
            session.get(DownloadItem, item_id).status = ItemStatus.CANCELLED
            session.commit()
        real_swap_in(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner.upgrade, "swap_in", cancel_then_swap)
    item = run(runtime, item_id)
    assert item.status is ItemStatus.CANCELLED
    assert episode_files(runtime) == [Path(held.file_path)] and held_files(runtime) == []
    assert not (runtime.config.library_dir / ".aniworld" / "partial" / str(item_id)).exists()


def test_cancel_while_the_swap_runs_still_tells_the_library(
        runtime: Runtime, fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    hold_sub(runtime)
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    refresh(runtime)
    [item_id] = upgrade_ids(runtime)
    real_run_swap = runner.upgrade.swap.run_swap

    def swap_then_cancel(*args: object, **kwargs: object) -> None:
        real_run_swap(*args, **kwargs)  # type: ignore[arg-type]
        with runtime.sessions() as session:  # the user's cancel lands during the copy
            session.get(DownloadItem, item_id).status = ItemStatus.CANCELLED
            session.commit()

    monkeypatch.setattr(runner.upgrade.swap, "run_swap", swap_then_cancel)
    item = run(runtime, item_id)
    assert item.status is ItemStatus.CANCELLED
    assert len(held_files(runtime)) == 1  # the sub went to holding, the dub is in place
    # The library knows the dub is there, so the next refresh queues no second upgrade.
    assert refresh(runtime) == 0 and upgrade_ids(runtime) == [item_id]
