"""The metrics subscriber turns download events into durable counters (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aniworld.config import Config
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.services import execution, metrics
from aniworld.services import queue as queue_service
from aniworld.tasks import metrics as subscriber
from aniworld.tasks.events import DownloadFailed, DownloadFinished, MonitorQueued
from aniworld.tasks.runtime import Runtime
from tests.db_fixtures import claim_item, complete_item, fail_item


@pytest.fixture
def runtime(engine: Engine, tmp_path: Path) -> Runtime:
    """A worker's runtime on the test database (Redis is not needed by this subscriber)."""
    config = Config.from_env({"ANIWORLD_DATA_DIR": str(tmp_path / "data"),
                              "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib")})
    return Runtime(config, engine, sessionmaker(engine, expire_on_commit=False),
                   None)  # type: ignore[arg-type]


def _item(session: Session, make_series: Callable[..., Series], episode: int,
          site: str = "aniworld") -> int:
    series = make_series(site=site, key=f"s{episode}")
    item_id = queue_service.add_item(session, series, 1, episode, Language.GERMAN_DUB).id
    session.commit()
    return item_id


def _with_hoster(session: Session, item_id: int, hoster: str) -> execution.Claim:
    claim = claim_item(session, item_id)
    execution.set_hoster(session, item_id, claim.lease, hoster)
    return claim


def test_finished_download_counts_once_with_the_file_size(
        runtime: Runtime, session: Session, make_series: Callable[..., Series],
        tmp_path: Path) -> None:
    episode = tmp_path / "S01E01.mp4"
    episode.write_bytes(b"x" * 12_345)
    item_id = _item(session, make_series, 1, site="sto")
    claim = _with_hoster(session, item_id, "VOE")
    assert execution.complete(session, item_id, claim.lease, str(episode))
    session.commit()
    subscriber.on_event(runtime, DownloadFinished(item_id, str(episode)))
    subscriber.on_event(runtime, DownloadFinished(item_id, str(episode), already_present=True))
    subscriber.on_event(runtime, MonitorQueued(3))
    session.expire_all()
    values = metrics.counter_values(session)
    assert values[metrics.DOWNLOADS] == {("sto", "VOE"): 1}
    assert values[metrics.BYTES] == {("sto", "VOE"): 12_345}
    assert values[metrics.FAILURES] == {}


def test_failures_count_by_last_hoster_or_none(
        runtime: Runtime, session: Session, make_series: Callable[..., Series]) -> None:
    tried = _item(session, make_series, 1)
    claim = _with_hoster(session, tried, "vidmoly")
    assert execution.fail(session, tried, claim.lease, "gone")
    untried = _item(session, make_series, 2)
    fail_item(session, untried)
    session.commit()
    for item_id in (tried, untried, tried):
        subscriber.on_event(runtime, DownloadFailed(item_id, "gone"))
    session.expire_all()
    assert metrics.counter_values(session)[metrics.FAILURES] == {
        ("aniworld", "Vidmoly"): 2, ("aniworld", "none"): 1}


def test_unreadable_file_counts_the_items_bytes_and_a_removed_item_nothing(
        runtime: Runtime, session: Session, make_series: Callable[..., Series]) -> None:
    item_id = _item(session, make_series, 1)
    claim = _with_hoster(session, item_id, "VOE")
    execution.record_progress(session, item_id, claim.lease, 900, 1000, None, None)
    complete_item_id = _item(session, make_series, 2)
    complete_item(session, complete_item_id)
    session.commit()
    subscriber.on_event(runtime, DownloadFinished(item_id, "/nowhere/x.mp4"))
    queue_service.remove_item(session, complete_item_id)
    session.commit()
    subscriber.on_event(runtime, DownloadFinished(complete_item_id, "/nowhere/y.mp4"))
    session.expire_all()
    assert metrics.counter_values(session)[metrics.BYTES] == {("aniworld", "VOE"): 1000}
