"""Dispatch, leases and outcomes: the compare-and-set rules that keep execution single."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series, utcnow
from aniworld.services import execution
from aniworld.services import queue as queue_service


def _job(item_id: int) -> str:
    return f"download-{item_id}"


def _queue(session: Session, series: Series, episodes: range,
           priority: Priority = Priority.NORMAL) -> list[int]:
    ids = [queue_service.add_item(session, series, 1, n, Language.GERMAN_DUB, priority).id
           for n in episodes]
    session.commit()
    return ids


def _claimed(session: Session, item_id: int) -> execution.Claim:
    execution.dispatch_candidates(session, 10, _job)
    claim = execution.claim(session, item_id, _job(item_id))
    assert claim is not None
    session.commit()
    return claim


def test_dispatch_respects_capacity_and_queue_order(
        session: Session, make_series: Callable[..., Series]) -> None:
    series = make_series()
    low = _queue(session, series, range(1, 3), Priority.LOW)
    high = _queue(session, series, range(3, 4), Priority.HIGH)
    assert execution.dispatch_candidates(session, 2, _job) == [high[0], low[0]]
    assert execution.dispatch_candidates(session, 2, _job) == []
    claim = execution.claim(session, high[0], _job(high[0]))
    assert claim is not None
    execution.complete(session, high[0], claim.lease, "/x.mp4")
    assert execution.dispatch_candidates(session, 2, _job) == [low[1]]


def test_paused_queue_and_retry_delay_hold_dispatch(
        session: Session, make_series: Callable[..., Series]) -> None:
    ids = _queue(session, make_series(), range(1, 3))
    queue_service.pause_queue(session)
    assert execution.dispatch_candidates(session, 5, _job) == []
    queue_service.resume_queue(session)
    session.get(DownloadItem, ids[0]).not_before = utcnow() + timedelta(minutes=5)
    assert execution.dispatch_candidates(session, 5, _job) == [ids[1]]


def test_an_item_is_claimed_once(session: Session,
                                 make_series: Callable[..., Series]) -> None:
    (item_id,) = _queue(session, make_series(title="Claimed"), range(1, 2))
    claim = _claimed(session, item_id)
    assert claim.series_title == "Claimed" and claim.language is Language.GERMAN_DUB
    assert execution.claim(session, item_id, _job(item_id)) is None
    assert session.get(DownloadItem, item_id).status is ItemStatus.DOWNLOADING


def test_a_lost_lease_cannot_record_anything(session: Session,
                                             make_series: Callable[..., Series]) -> None:
    (item_id,) = _queue(session, make_series(), range(1, 2))
    claim = _claimed(session, item_id)
    later = utcnow() + timedelta(seconds=60)
    assert execution.reclaim_stale(session, timedelta(seconds=45), now=later) == [item_id]
    assert not execution.record_progress(session, item_id, claim.lease, 10, 100, 1.0, 9)
    assert not execution.complete(session, item_id, claim.lease, "/x.mp4")
    assert not execution.fail(session, item_id, claim.lease, "late")
    assert execution.watch(session, item_id, claim.lease) == execution.TAKEN_OVER
    item = session.get(DownloadItem, item_id)
    assert item.status is ItemStatus.PENDING and item.job_id is None and item.note


def test_fresh_heartbeat_is_not_reclaimed(session: Session,
                                          make_series: Callable[..., Series]) -> None:
    (item_id,) = _queue(session, make_series(), range(1, 2))
    claim = _claimed(session, item_id)
    assert execution.heartbeat(session, item_id, claim.lease)
    assert execution.reclaim_stale(session, timedelta(seconds=45)) == []


def test_completed_is_never_turned_into_failed(session: Session,
                                               make_series: Callable[..., Series]) -> None:
    (item_id,) = _queue(session, make_series(), range(1, 2))
    claim = _claimed(session, item_id)
    assert execution.complete(session, item_id, claim.lease, "/lib/a.mp4")
    assert not execution.fail(session, item_id, claim.lease, "late RQ event")
    assert not execution.retry_later(session, item_id, claim.lease, "late", 60)
    item = session.get(DownloadItem, item_id)
    assert item.status is ItemStatus.COMPLETED and item.completed_at and item.progress == 100


def test_retry_later_counts_the_attempt_and_waits(session: Session,
                                                  make_series: Callable[..., Series]) -> None:
    (item_id,) = _queue(session, make_series(), range(1, 2))
    claim = _claimed(session, item_id)
    assert execution.retry_later(session, item_id, claim.lease, "503 from hoster", 300)
    item = session.get(DownloadItem, item_id)
    assert (item.status, item.attempts, item.last_error) == (
        ItemStatus.PENDING, 1, "503 from hoster")
    assert execution.dispatch_candidates(session, 5, _job) == []


def test_user_actions_are_seen_by_the_running_job(
        session: Session, make_series: Callable[..., Series]) -> None:
    first, second = _queue(session, make_series(), range(1, 3))
    claim = _claimed(session, first)
    queue_service.pause_item(session, first)
    assert execution.watch(session, first, claim.lease) == "paused"
    queue_service.cancel_item(session, first)
    assert execution.watch(session, first, claim.lease) == "cancelled"
    queue_service.remove_item(session, second)
    assert execution.watch(session, second, "no-lease") == execution.REMOVED


def test_lost_rq_jobs_are_forgotten_after_the_grace_period(
        session: Session, make_series: Callable[..., Series]) -> None:
    (item_id,) = _queue(session, make_series(), range(1, 2))
    execution.dispatch_candidates(session, 5, _job)
    assert execution.dispatched_jobs(session) == {}
    later = utcnow() + timedelta(minutes=1)
    assert execution.dispatched_jobs(session, now=later) == {item_id: _job(item_id)}
    execution.forget_dispatch(session, [item_id])
    assert execution.dispatch_candidates(session, 5, _job) == [item_id]
