"""Queue order: priorities, set_priority and drag-and-drop moves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aniworld.database import make_engine
from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, Priority, Series
from aniworld.services import queue
from tests.db_fixtures import claim_item, complete_item, count_statements

GER = Language.GERMAN_DUB


@pytest.fixture
def items(session: Session, make_series: Callable[..., Series]) -> list[DownloadItem]:
    """Six pending items: two of each priority, added low first so order needs sorting."""
    series = make_series()
    added = [queue.add_item(session, series, 1, number, GER, priority)
             for number, priority in enumerate(
                 [Priority.LOW, Priority.NORMAL, Priority.HIGH] * 2, start=1)]
    session.commit()
    return added


def order(session: Session) -> list[int]:
    """Episode numbers of the pending items in download order."""
    return [item.episode for item in queue.pending_items(session)]


def test_high_then_normal_then_low_then_position(session: Session,
                                                 items: list[DownloadItem]) -> None:
    assert order(session) == [3, 6, 2, 5, 1, 4]


def test_move_before_within_group(session: Session, items: list[DownloadItem]) -> None:
    queue.move_item(session, items[5].id, before=items[2].id)
    session.commit()
    assert order(session) == [6, 3, 2, 5, 1, 4]


def test_move_after_across_priorities_takes_target_priority(
        session: Session, items: list[DownloadItem]) -> None:
    moved = queue.move_item(session, items[3].id, after=items[2].id)
    session.commit()
    assert moved.priority is Priority.HIGH
    assert order(session) == [3, 4, 6, 2, 5, 1]


def test_move_to_the_end_and_front_of_a_group(session: Session,
                                              items: list[DownloadItem]) -> None:
    queue.move_item(session, items[0].id, after=items[4].id)
    queue.move_item(session, items[3].id, before=items[2].id)
    session.commit()
    assert order(session) == [4, 3, 6, 2, 5, 1]


def test_move_is_a_handful_of_statements(session: Session, engine: Engine,
                                         items: list[DownloadItem]) -> None:
    ids = [item.id for item in items]
    session.connection()
    with count_statements(engine) as statements:
        queue.move_item(session, ids[5], before=ids[2])
    assert len(statements) <= 4, statements


def test_exhausted_gap_renumbers_the_group(session: Session, make_series: Callable[..., Series],
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="aniworld.services.queue")
    series = make_series()
    created = queue.add_many(session, series, [(2, n) for n in range(1, 16)], GER).created
    anchor, expected = created[0], [1]
    for item in created[1:]:
        # Each move halves the gap right after the anchor; ten halvings use up a step.
        queue.move_item(session, item.id, after=anchor.id)
        expected.insert(1, item.episode)
    session.commit()
    pending = queue.pending_items(session)
    assert [item.episode for item in pending] == expected
    assert len({item.position for item in pending}) == 15
    assert "queue renumber priority=normal items=14" in caplog.text


@pytest.mark.parametrize("kwargs", [{}, {"before": 1, "after": 2}])
def test_move_needs_exactly_one_anchor(session: Session, items: list[DownloadItem],
                                       kwargs: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        queue.move_item(session, items[0].id, **kwargs)


def test_move_next_to_itself_refused(session: Session, items: list[DownloadItem]) -> None:
    with pytest.raises(ValidationError) as info:
        queue.move_item(session, items[0].id, after=items[0].id)
    assert info.value.field == "after"


def test_move_next_to_downloading_item_refused(session: Session,
                                               items: list[DownloadItem]) -> None:
    claim_item(session, items[2].id)
    with pytest.raises(ConflictError, match="only waiting items"):
        queue.move_item(session, items[0].id, before=items[2].id)


def test_move_unknown_target(session: Session, items: list[DownloadItem]) -> None:
    with pytest.raises(NotFoundError, match="queue item 999999 does not exist"):
        queue.move_item(session, items[0].id, before=999999)


def test_set_priority_moves_to_end_of_new_group(session: Session,
                                                items: list[DownloadItem]) -> None:
    item = queue.set_priority(session, items[0].id, Priority.HIGH)
    session.commit()
    assert item.priority is Priority.HIGH
    assert order(session) == [3, 6, 1, 2, 5, 4]


def test_set_same_priority_keeps_place(session: Session, items: list[DownloadItem]) -> None:
    queue.set_priority(session, items[2].id, Priority.HIGH)
    session.commit()
    assert order(session) == [3, 6, 2, 5, 1, 4]


def test_set_priority_of_completed_item_refused(session: Session,
                                                items: list[DownloadItem]) -> None:
    complete_item(session, items[0].id)
    with pytest.raises(ConflictError, match="already completed"):
        queue.set_priority(session, items[0].id, Priority.HIGH)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.booleans()), max_size=40))
def test_moves_match_a_list_model(moves: list[tuple[int, int, bool]]) -> None:
    """Any sequence of moves orders the queue exactly like moves in a Python list."""
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        series = Series(key="s", title="S")
        created = queue.add_many(session, series, [(1, n) for n in range(1, 7)], GER).created
        model = [item.id for item in created]
        for source, target, after in moves:
            if source == target:
                continue
            item_id, target_id = created[source].id, created[target].id
            queue.move_item(session, item_id, **{"after" if after else "before": target_id})
            model.remove(item_id)
            model.insert(model.index(target_id) + after, item_id)
        assert [item.id for item in queue.pending_items(session)] == model
    engine.dispose()
