"""User actions on items, removal, leased progress, pausing and the queue's version fingerprint."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Series
from aniworld.services import execution, queue
from tests.db_fixtures import claim_item, complete_item, count_statements, fail_item

GER = Language.GERMAN_DUB


@pytest.fixture
def series(make_series: Callable[..., Series]) -> Series:
    return make_series(title="Dandadan")


@pytest.fixture
def item(session: Session, series: Series) -> DownloadItem:
    added = queue.add_item(session, series, 1, 1, GER)
    session.commit()
    return added


def test_a_claimed_download_stamps_its_times(session: Session, item: DownloadItem) -> None:
    assert (item.started_at, item.completed_at) == (None, None)
    claim = claim_item(session, item.id)
    session.commit()
    assert item.status is ItemStatus.DOWNLOADING and item.lease == claim.lease
    assert item.started_at is not None and item.completed_at is None
    assert execution.complete(session, item.id, claim.lease, "/media/Dandadan/S01E01.mkv")
    session.commit()
    assert item.status is ItemStatus.COMPLETED
    assert item.completed_at is not None and item.completed_at >= item.started_at
    assert (item.progress, item.lease, item.job_id) == (100.0, None, None)


def test_failure_stores_error_and_counts_attempt(session: Session, item: DownloadItem) -> None:
    fail_item(session, item.id, "voe: 404 Not Found")
    session.commit()
    assert (item.status, item.last_error, item.attempts) == (
        ItemStatus.FAILED, "voe: 404 Not Found", 1)
    assert item.completed_at is None


def test_user_action_sees_change_committed_by_another_session(
        session: Session, engine: Engine, session_factory: Callable[[], Session],
        item: DownloadItem) -> None:
    item_id = item.id
    # Reading the expired fixture item began a (write-locking) transaction; end it.
    session.rollback()
    with Session(engine, expire_on_commit=False) as web:
        stale = queue.get_item(web, item_id)
        web.commit()
        with session_factory() as worker:
            complete_item(worker, item_id)
            worker.commit()
        assert stale.status is ItemStatus.PENDING
        with pytest.raises(ConflictError, match="cancelled: it is completed"):
            queue.cancel_item(web, item_id)


def test_get_item_unknown_id(session: Session) -> None:
    with pytest.raises(NotFoundError, match="queue item 404 does not exist"):
        queue.get_item(session, 404)


def test_remove_deletes_waiting_item(session: Session, item: DownloadItem) -> None:
    queue.remove_item(session, item.id)
    session.commit()
    assert session.get(DownloadItem, item.id) is None


def test_remove_cancels_downloading_item(session: Session, item: DownloadItem) -> None:
    claim = claim_item(session, item.id)
    queue.remove_item(session, item.id)
    session.commit()
    assert queue.get_item(session, item.id).status is ItemStatus.CANCELLED
    assert execution.watch(session, item.id, claim.lease) == "cancelled"


def test_clear_completed_counts_and_keeps_others(session: Session, series: Series) -> None:
    items = queue.add_many(session, series, [(1, n) for n in range(1, 6)], GER).created
    for done in items[:3]:
        complete_item(session, done.id, f"/media/{done.code}.mkv")
    fail_item(session, items[3].id)
    session.commit()
    assert queue.clear_completed(session) == 3
    session.commit()
    left = session.scalars(select(DownloadItem.status).order_by(DownloadItem.id)).all()
    assert left == [ItemStatus.FAILED, ItemStatus.PENDING]


def test_leased_progress_is_one_update(session: Session, engine: Engine,
                                       item: DownloadItem) -> None:
    item_id = item.id
    claim = claim_item(session, item_id)
    session.commit()
    session.connection()
    with count_statements(engine) as statements:
        assert execution.record_progress(session, item_id, claim.lease, 250, 1000, 2048.0, 12)
    session.commit()
    assert [s.split()[0] for s in statements] == ["UPDATE"]
    fresh = queue.get_item(session, item_id)
    assert (fresh.progress, fresh.downloaded_bytes, fresh.total_bytes, fresh.speed,
            fresh.eta_seconds) == (25.0, 250, 1000, 2048.0, 12)


def test_progress_without_the_lease_changes_nothing(session: Session,
                                                    item: DownloadItem) -> None:
    claim_item(session, item.id)
    session.commit()
    assert execution.record_progress(session, item.id, "not-the-lease", 10, 100, None,
                                     None) is False
    session.commit()
    assert (item.downloaded_bytes, item.progress) == (0, 0.0)


def test_pause_and_resume_queue(session: Session) -> None:
    assert queue.is_paused(session) is False
    queue.pause_queue(session)
    session.commit()
    assert queue.is_paused(session) is True
    queue.resume_queue(session)
    session.commit()
    assert queue.is_paused(session) is False


def test_queue_version_changes_on_every_kind_of_change(session: Session, series: Series) -> None:
    versions = [queue.queue_version(session)]

    def changed() -> bool:
        session.commit()
        versions.append(queue.queue_version(session))
        return versions[-1] != versions[-2]

    first = queue.add_item(session, series, 1, 1, GER)
    assert changed()
    second = queue.add_item(session, series, 1, 2, GER)
    assert changed()
    queue.move_item(session, second.id, before=first.id)
    assert changed()
    claim_item(session, first.id)
    assert changed()
    queue.pause_queue(session)
    assert changed()
    queue.remove_item(session, second.id)
    assert changed()
    assert not changed()
    assert len(set(versions)) == len(versions) - 1


def test_progress_changes_the_progress_version_not_the_queue_version(
        session: Session, series: Series) -> None:
    running, waiting = queue.add_many(session, series, [(1, 1), (1, 2)], GER).created
    claim = claim_item(session, running.id)
    session.commit()
    version = queue.queue_version(session)
    progress = queue.progress_version(queue.active_progress(session, [running.id]))
    execution.record_progress(session, running.id, claim.lease, 1, 10, 5.0, 9)
    execution.heartbeat(session, running.id, claim.lease)
    execution.set_hoster(session, running.id, claim.lease, "VOE")
    session.commit()
    (now,) = queue.active_progress(session, [running.id, waiting.id])
    assert (now.id, now.downloaded_bytes, now.total_bytes, now.hoster) == (running.id, 1, 10, "VOE")
    assert queue.progress_version([now]) != progress
    assert queue.queue_version(session) == version
    assert execution.complete(session, running.id, claim.lease, "/media/x.mkv")
    session.commit()
    assert queue.queue_version(session) != version
    assert queue.active_progress(session, [running.id]) == []


def test_the_waiting_version_follows_the_waiting_items_only(session: Session,
                                                            series: Series) -> None:
    first, second, third = queue.add_many(session, series, [(1, 1), (1, 2), (1, 3)], GER).created
    session.commit()
    versions = [queue.waiting_version(session)]

    def changed() -> bool:
        session.commit()
        versions.append(queue.waiting_version(session))
        return versions[-1] != versions[-2]

    claim = claim_item(session, first.id)
    assert changed()
    assert execution.complete(session, first.id, claim.lease, "/media/x.mkv")
    queue.pause_queue(session)
    assert not changed()
    queue.move_item(session, third.id, before=second.id)
    assert changed()
    queue.pause_item(session, second.id)
    assert changed()
    queue.remove_item(session, third.id)
    assert changed()


def test_deleting_series_through_service_session_removes_its_items(
        session: Session, series: Series) -> None:
    queue.add_many(session, series, [(1, n) for n in range(1, 4)], GER)
    session.commit()
    session.delete(series)
    session.commit()
    assert session.scalar(select(func.count(DownloadItem.id))) == 0


def test_retry_failed_requeues_every_failed_item_in_order(
        session: Session, make_series: Callable[..., Series]) -> None:
    series = make_series()
    ids = [queue.add_item(session, series, 1, n, Language.GERMAN_DUB).id for n in (1, 2, 3)]
    for item_id in (ids[1], ids[0]):
        fail_item(session, item_id)
        session.commit()
    assert queue.retry_failed(session) == 2
    pending = [item.id for item in queue.pending_items(session)]
    assert pending == [ids[2], ids[1], ids[0]]
    assert queue.retry_failed(session) == 0
