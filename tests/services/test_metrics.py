"""The database side of /metrics and of the status JSON, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Series, utcnow
from aniworld.services import execution, hoster_health, metrics
from aniworld.services import queue as queue_service
from aniworld.services.download_status import download_status
from aniworld.services.hoster_health import Breaker
from aniworld.services.library import scan_state
from tests.db_fixtures import claim_item, complete_item, fail_item

DUB = Language.GERMAN_DUB


def _items(session: Session, make_series: Callable[..., Series], count: int) -> list[int]:
    series = make_series(key="drache", title="Drache")
    ids = [queue_service.add_item(session, series, 1, n, DUB).id for n in range(1, count + 1)]
    session.commit()
    return ids


def test_counters_add_up_from_many_sessions_at_once(
        session: Session, session_factory: sessionmaker[Session]) -> None:
    def add_many() -> None:
        with session_factory() as own:
            for _ in range(20):
                metrics.add_to_counter(own, metrics.DOWNLOADS, "aniworld", "voe")
                own.commit()

    threads = [threading.Thread(target=add_many) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metrics.add_to_counter(session, metrics.BYTES, "sto", "Vidmoly", 5_000_000_000)
    metrics.add_to_counter(session, metrics.FAILURES, "sto", None)
    session.commit()
    assert metrics.counter_values(session) == {
        metrics.DOWNLOADS: {("aniworld", "VOE"): 60},
        metrics.BYTES: {("sto", "Vidmoly"): 5_000_000_000},
        metrics.FAILURES: {("sto", "none"): 1}}


def test_unknown_counter_is_refused(session: Session) -> None:
    try:
        metrics.add_to_counter(session, "downloads_total", "aniworld", "VOE")
    except ValueError as exc:
        assert "downloads, downloaded_bytes, download_failures" in str(exc)
    else:
        raise AssertionError("an unknown counter name must be refused")


def test_snapshot_reads_queue_hosters_and_the_last_scan(
        session: Session, make_series: Callable[..., Series]) -> None:
    ids = _items(session, make_series, 5)
    complete_item(session, ids[0])
    fail_item(session, ids[1])
    claim_item(session, ids[2])
    queue_service.pause_item(session, ids[3])
    for _ in range(2):
        hoster_health.record_success(session, "aniworld", "VOE", 1000)
    hoster_health.record_failure(session, "aniworld", "voe", "hoster_unavailable", "HTTP 503",
                                 Breaker())
    scan_state.begin(session)
    started = scan_state.load_status(session).started_at
    scan_state.finish(session, "3 folders")
    session.commit()

    snap = metrics.snapshot(session)
    assert snap.queue == {"pending": 1, "downloading": 1, "paused": 1, "completed": 1,
                          "failed": 1, "cancelled": 0}
    assert not snap.queue_paused
    assert snap.hoster_attempts == {("aniworld", "VOE", "success"): 2,
                                    ("aniworld", "VOE", "failure"): 1}
    finished = scan_state.load_status(session).finished_at
    assert started and finished and snap.scan.finished_at is not None
    assert snap.scan.finished_at.isoformat() == finished
    assert 0 <= snap.scan.duration_seconds < 5 and not snap.scan.active  # type: ignore[operator]


def test_no_scan_duration_before_a_scan_ended(session: Session) -> None:
    assert metrics.scan_figures(session) == metrics.ScanFigures()
    scan_state.begin(session)
    session.commit()
    assert metrics.scan_figures(session) == metrics.ScanFigures(active=True)


def test_status_sums_running_items_and_names_the_last_completed(
        session: Session, make_series: Callable[..., Series]) -> None:
    ids = _items(session, make_series, 7)
    earlier = utcnow() - timedelta(hours=1)
    for item_id in ids[:2]:
        complete_item(session, item_id, f"/lib/{item_id}.mp4")
    session.execute(update(DownloadItem).where(DownloadItem.id == ids[0])
                    .values(completed_at=earlier))
    fail_item(session, ids[2])
    for item_id, done, total, speed, eta in ((ids[3], 250, 1000, 100.0, 8),
                                             (ids[4], 750, 1000, 300.0, 2)):
        lease = claim_item(session, item_id).lease
        assert execution.record_progress(session, item_id, lease, done, total, speed, eta)
    session.commit()

    status = download_status(session)
    assert (status.active, status.progress, status.speed, status.eta_seconds) == (2, 50.0, 400.0,
                                                                                  8)
    assert (status.pending, status.paused, status.failed, status.completed) == (2, 0, 1, 2)
    last = status.last_completed
    assert last is not None and (last.series_key, last.code, last.language) == (
        "drache", "S01E02", "german-dub")
    assert last.at is not None and last.at > earlier


def test_status_without_sizes_averages_percentages_and_idles_at_zero(
        session: Session, make_series: Callable[..., Series]) -> None:
    idle = download_status(session)
    assert (idle.active, idle.progress, idle.speed, idle.eta_seconds) == (0, 0.0, 0.0, 0)
    assert idle.last_completed is None
    ids = _items(session, make_series, 2)
    first = claim_item(session, ids[0]).lease
    execution.record_progress(session, ids[0], first, 300, 1000, None, None)
    claim_item(session, ids[1])  # just started: no size, no speed yet
    session.commit()
    status = download_status(session)
    assert (status.active, status.progress, status.speed, status.eta_seconds) == (2, 15.0, 0.0,
                                                                                  None)
    assert download_status(session).last_completed is None
    assert session.get(DownloadItem, ids[1]).status is ItemStatus.DOWNLOADING  # type: ignore[union-attr]
