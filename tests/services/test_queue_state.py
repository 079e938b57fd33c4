"""Item transitions, removal, progress, pausing and the queue's version fingerprint."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Series
from aniworld.services import queue
from tests.db_fixtures import count_statements

GER = Language.GERMAN_DUB


@pytest.fixture
def series(make_series: Callable[..., Series]) -> Series:
    return make_series(title="Dandadan")


@pytest.fixture
def item(session: Session, series: Series) -> DownloadItem:
    added = queue.add_item(session, series, 1, 1, GER)
    session.commit()
    return added


def test_transitions_stamp_times(session: Session, item: DownloadItem) -> None:
    assert (item.started_at, item.completed_at) == (None, None)
    queue.mark_downloading(session, item.id, job_id="download-1", hoster="voe")
    session.commit()
    assert item.started_at is not None and item.completed_at is None
    done = queue.mark_completed(session, item.id, "/media/Dandadan/S01E01.mkv")
    session.commit()
    assert done.status is ItemStatus.COMPLETED
    assert done.completed_at is not None and done.completed_at >= done.started_at
    assert (done.progress, done.job_id, done.hoster) == (100.0, "download-1", "voe")


def test_failure_stores_error_and_counts_attempt(session: Session, item: DownloadItem) -> None:
    queue.mark_downloading(session, item.id)
    failed = queue.mark_failed(session, item.id, "voe: 404 Not Found")
    session.commit()
    assert (failed.status, failed.last_error, failed.attempts) == (
        ItemStatus.FAILED, "voe: 404 Not Found", 1)
    assert failed.completed_at is None


def test_completed_is_never_turned_into_failed(session: Session, item: DownloadItem) -> None:
    queue.mark_downloading(session, item.id)
    queue.mark_completed(session, item.id, "/media/x.mkv")
    session.commit()
    with pytest.raises(ConflictError, match="cannot mark queue item .* failed: it is completed"):
        queue.mark_failed(session, item.id, "late abandoned-job event")
    session.rollback()
    assert queue.get_item(session, item.id).status is ItemStatus.COMPLETED


def test_transition_sees_change_committed_by_another_session(
        session: Session, engine: Engine, session_factory: Callable[[], Session],
        item: DownloadItem) -> None:
    item_id = item.id
    # Reading the expired fixture item began a (write-locking) transaction; end it.
    session.rollback()
    with Session(engine, expire_on_commit=False) as web:
        stale = queue.get_item(web, item_id)
        web.commit()
        with session_factory() as worker:
            queue.mark_downloading(worker, item_id)
            queue.mark_completed(worker, item_id, "/media/x.mkv")
            worker.commit()
        assert stale.status is ItemStatus.PENDING
        with pytest.raises(ConflictError, match="it is completed"):
            queue.mark_failed(web, item_id, "stale")


def test_get_item_unknown_id(session: Session) -> None:
    with pytest.raises(NotFoundError, match="queue item 404 does not exist"):
        queue.get_item(session, 404)


def test_remove_deletes_waiting_item(session: Session, item: DownloadItem) -> None:
    queue.remove_item(session, item.id)
    session.commit()
    assert session.get(DownloadItem, item.id) is None


def test_remove_cancels_downloading_item(session: Session, item: DownloadItem) -> None:
    queue.mark_downloading(session, item.id)
    queue.remove_item(session, item.id)
    session.commit()
    assert queue.get_item(session, item.id).status is ItemStatus.CANCELLED


def test_clear_completed_counts_and_keeps_others(session: Session, series: Series) -> None:
    items = queue.add_many(session, series, [(1, n) for n in range(1, 6)], GER).created
    for done in items[:3]:
        queue.mark_downloading(session, done.id)
        queue.mark_completed(session, done.id, f"/media/{done.code}.mkv")
    queue.mark_downloading(session, items[3].id)
    queue.mark_failed(session, items[3].id, "boom")
    session.commit()
    assert queue.clear_completed(session) == 3
    session.commit()
    left = session.scalars(select(DownloadItem.status).order_by(DownloadItem.id)).all()
    assert left == [ItemStatus.FAILED, ItemStatus.PENDING]


def test_record_progress_is_one_update(session: Session, engine: Engine,
                                       item: DownloadItem) -> None:
    item_id = item.id
    queue.mark_downloading(session, item_id)
    session.commit()
    session.connection()
    with count_statements(engine) as statements:
        assert queue.record_progress(session, item_id, 250, 1000, 2048.0, 12) is True
    session.commit()
    assert [s.split()[0] for s in statements] == ["UPDATE"]
    fresh = queue.get_item(session, item_id)
    assert (fresh.progress, fresh.downloaded_bytes, fresh.total_bytes, fresh.speed,
            fresh.eta_seconds) == (25.0, 250, 1000, 2048.0, 12)


def test_record_progress_without_total_keeps_percent(session: Session,
                                                     item: DownloadItem) -> None:
    queue.mark_downloading(session, item.id)
    queue.record_progress(session, item.id, 100, 200, None, None)
    queue.record_progress(session, item.id, 150, None, None, None)
    session.commit()
    assert (item.progress, item.downloaded_bytes, item.total_bytes) == (50.0, 150, None)


def test_record_progress_ignores_items_not_downloading(session: Session,
                                                       item: DownloadItem) -> None:
    assert queue.record_progress(session, item.id, 10, 100, None, None) is False
    session.commit()
    assert (item.downloaded_bytes, item.progress) == (0, 0.0)


def test_record_progress_rejects_negative_bytes(session: Session, item: DownloadItem) -> None:
    with pytest.raises(ValidationError):
        queue.record_progress(session, item.id, -1, None, None, None)


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
    queue.mark_downloading(session, first.id)
    assert changed()
    queue.record_progress(session, first.id, 1, 10, None, None)
    assert changed()
    queue.pause_queue(session)
    assert changed()
    queue.remove_item(session, second.id)
    assert changed()
    assert not changed()
    assert len(set(versions)) == len(versions) - 1


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
        queue.mark_downloading(session, item_id)
        queue.mark_failed(session, item_id, "boom")
        session.commit()
    assert queue.retry_failed(session) == 2
    pending = [item.id for item in queue.pending_items(session)]
    assert pending == [ids[2], ids[1], ids[0]]
    assert queue.retry_failed(session) == 0
