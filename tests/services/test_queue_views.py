"""Reading the queue: grouped view, pages for workers, and persistence across engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aniworld.database import make_engine
from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, Priority, Series
from aniworld.services import queue
from tests.db_fixtures import claim_item, complete_item, count_statements, fail_item

GER = Language.GERMAN_DUB


def fill(session: Session, make_series: Callable[..., Series]) -> dict[str, list[int]]:
    """Three series with items in every state; returns the ids expected in each group."""
    groups: dict[str, list[int]] = {name: [] for name in
                                    ("active", "pending", "completed", "failed", "cancelled")}
    for number in range(3):
        series = make_series()
        low, normal, high, done, bad, gone = queue.add_many(
            session, series, [(1, n) for n in range(1, 7)], GER).created
        queue.set_priority(session, low.id, Priority.LOW)
        queue.set_priority(session, high.id, Priority.HIGH)
        complete_item(session, done.id)
        fail_item(session, bad.id)
        claim_item(session, gone.id)
        if number < 2:
            queue.remove_item(session, gone.id)
            groups["cancelled"].insert(0, gone.id)
        else:
            groups["active"].append(gone.id)
        groups["completed"].insert(0, done.id)
        groups["failed"].insert(0, bad.id)
        groups["pending"] += [high.id, normal.id, low.id]
    session.commit()
    return groups


def ids(items: list) -> list[int]:  # noqa: ANN001 - lists of DownloadItem
    return [item.id for item in items]


def test_list_queue_groups_and_orders(session: Session,
                                      make_series: Callable[..., Series]) -> None:
    expected = fill(session, make_series)
    view = queue.list_queue(session)
    pending = expected["pending"]
    assert ids(view.pending) == pending[0::3] + pending[1::3] + pending[2::3]
    assert {name: ids(getattr(view, name)) for name in expected if name != "pending"} == {
        name: expected[name] for name in expected if name != "pending"}
    assert view.paused is False


def test_list_queue_limits_history(session: Session, make_series: Callable[..., Series]) -> None:
    expected = fill(session, make_series)
    view = queue.list_queue(session, history_limit=1, pending_limit=2)
    assert ids(view.completed) == expected["completed"][:1]
    assert len(view.pending) == 2


def test_list_queue_loads_series_without_n_plus_one(
        session: Session, engine: Engine, make_series: Callable[..., Series]) -> None:
    fill(session, make_series)
    session.connection()
    with count_statements(engine) as statements:
        view = queue.list_queue(session)
        titles = {item.series.title for group in (view.active, view.pending, view.completed,
                                                  view.failed, view.cancelled) for item in group}
    assert len(titles) == 3
    assert len(statements) <= 11, statements


def test_pending_items_pages_skip_paused(session: Session,
                                         make_series: Callable[..., Series]) -> None:
    series = make_series()
    created = queue.add_many(session, series, [(1, n) for n in range(1, 11)], GER).created
    created[0].mark_paused()
    session.commit()
    first = queue.pending_items(session, limit=4)
    second = queue.pending_items(session, limit=4, offset=4)
    assert ids(first) + ids(second) == ids(created[1:9])


@pytest.mark.parametrize(("limit", "offset", "field"), [(0, 0, "limit"), (5, -1, "offset")])
def test_pending_items_validates_paging(session: Session, limit: int, offset: int,
                                        field: str) -> None:
    with pytest.raises(ValidationError) as info:
        queue.pending_items(session, limit=limit, offset=offset)
    assert info.value.field == field


def test_queue_survives_reopening(session: Session, db_url: str,
                                  make_series: Callable[..., Series]) -> None:
    series = make_series(title="Mushishi")
    created = queue.add_many(session, series, [(1, n) for n in range(1, 6)], GER).created
    queue.move_item(session, created[4].id, before=created[0].id)
    queue.set_priority(session, created[2].id, Priority.HIGH)
    queue.pause_queue(session)
    session.commit()
    expected = ids([created[i] for i in (2, 4, 0, 1, 3)])
    before = [(item.id, item.series_title) for item in queue.pending_items(session)]
    session.close()
    reopened = make_engine(db_url)
    with Session(reopened) as fresh:
        after = [(item.id, item.series_title) for item in queue.pending_items(fresh)]
        assert queue.is_paused(fresh) is True
    reopened.dispose()
    assert after == before
    assert [item_id for item_id, _ in after] == expected


def test_pending_rows_carry_the_series_and_aware_times(
        session: Session, make_series: Callable[..., Series]) -> None:
    item = queue.add_item(session, make_series(title="Mushishi"), 1, 2, GER)
    retry_at = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    item.not_before = retry_at
    session.commit()
    (row,) = queue.pending_items(session)
    assert (row.id, row.series_title, row.code, row.language, row.priority) == (
        item.id, "Mushishi", "S01E02", GER, Priority.NORMAL)
    assert row.not_before == retry_at and row.not_before.tzinfo is not None
    session.expire_all()
    loaded = session.get(DownloadItem, row.id)
    assert loaded.not_before == retry_at and loaded.created_at.tzinfo is not None
