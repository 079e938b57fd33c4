"""Adding to the queue: validation, duplicates, bulk adds, retries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, ValidationError
from aniworld.languages import Language
from aniworld.models import Episode, ItemStatus, Priority, Series
from aniworld.services import execution, queue
from tests.db_fixtures import claim_item, complete_item, count_statements, fail_item

GER = Language.GERMAN_DUB


@pytest.fixture
def series(make_series: Callable[..., Series]) -> Series:
    return make_series(title="Frieren")


def test_add_item_appends_to_its_priority_group(session: Session, series: Series) -> None:
    first = queue.add_item(session, series, 1, 1, GER)
    second = queue.add_item(session, series, 1, 2, GER)
    high = queue.add_item(session, series, 1, 3, GER, Priority.HIGH)
    session.commit()
    assert first.status is ItemStatus.PENDING and first.priority is Priority.NORMAL
    assert second.position > first.position
    assert [i.id for i in queue.pending_items(session)] == [high.id, first.id, second.id]


@pytest.mark.parametrize(("season", "episode", "field"), [(-1, 1, "season"), (1, 0, "episode")])
def test_add_item_validates_numbers(session: Session, series: Series, season: int, episode: int,
                                    field: str) -> None:
    with pytest.raises(ValidationError) as info:
        queue.add_item(session, series, season, episode, GER)
    assert info.value.field == field


def test_films_live_in_season_zero(session: Session, series: Series) -> None:
    assert queue.add_item(session, series, 0, 1, GER).code == "Film 1"


@pytest.mark.parametrize("state", ["pending", "downloading", "paused", "failed"])
def test_duplicate_of_active_item_refused(session: Session, series: Series, state: str) -> None:
    item = queue.add_item(session, series, 1, 5, GER)
    _put_in_state(session, item.id, state)
    session.commit()
    with pytest.raises(ConflictError) as info:
        queue.add_item(session, series, 1, 5, GER)
    expected = f"S01E05 of Frieren in German Dub is already in the queue ({state})"
    assert info.value.message == expected


@pytest.mark.parametrize("state", ["completed", "cancelled"])
def test_finished_item_does_not_block_readding(session: Session, series: Series,
                                               state: str) -> None:
    item = queue.add_item(session, series, 1, 5, GER)
    _put_in_state(session, item.id, state)
    session.commit()
    again = queue.add_item(session, series, 1, 5, GER)
    session.commit()
    assert again.id != item.id and again.status is ItemStatus.PENDING


def test_same_episode_in_another_language_is_not_a_duplicate(session: Session,
                                                              series: Series) -> None:
    queue.add_item(session, series, 1, 5, GER)
    queue.add_item(session, series, 1, 5, Language.ENGLISH_SUB)
    session.commit()
    assert len(queue.pending_items(session)) == 2


def test_add_many_skips_queued_and_repeated_episodes(session: Session, series: Series) -> None:
    queue.add_item(session, series, 1, 2, GER)
    result = queue.add_many(session, series, [(1, 1), (1, 2), (1, 3), (1, 1)], GER)
    session.commit()
    assert [i.code for i in result.created] == ["S01E01", "S01E03"]
    assert result.skipped == [(1, 2), (1, 1)]
    positions = [i.position for i in queue.pending_items(session)]
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_add_many_validates_before_adding_anything(session: Session, series: Series) -> None:
    with pytest.raises(ValidationError):
        queue.add_many(session, series, [(1, 1), (1, 0)], GER)
    assert queue.pending_items(session) == []


@pytest.mark.parametrize("size", [5, 500])
def test_add_many_costs_constant_statements(session: Session, engine: Engine, series: Series,
                                            size: int) -> None:
    session.add_all(Episode(series=series, season=season, number=n)
                    for season in (1, 2) for n in range(1, size + 1))
    queue.add_item(session, series, 1, 1, GER)
    session.commit()
    assert series.id  # reload the expired series outside the counted block
    with count_statements(engine) as statements:
        result = queue.add_many(session, series, [(2, n) for n in range(1, size + 1)], GER)
    session.commit()
    assert len(result.created) == size
    # Validating against the site's episodes is the one SELECT more.
    assert len(statements) == 4, statements
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "SELECT", "INSERT"]


@pytest.fixture
def known(session: Session, series: Series) -> Series:
    """The series with the episodes the site lists: S01E01-E03 and a film."""
    session.add_all(Episode(series=series, season=season, number=number)
                    for season, number in [(0, 1), (1, 1), (1, 2), (1, 3)])
    session.flush()
    return series


@pytest.mark.parametrize(("season", "episode", "field", "message"), [
    (1, 4, "episode", "Frieren has no episode S01E04 on the site"),
    (2, 1, "season", "Frieren has no season 2 on the site"),
])
def test_add_item_refuses_what_the_site_does_not_have(session: Session, known: Series,
                                                      season: int, episode: int, field: str,
                                                      message: str) -> None:
    with pytest.raises(ValidationError) as info:
        queue.add_item(session, known, season, episode, GER)
    assert info.value.field == field and info.value.message.startswith(message)
    assert queue.add_item(session, known, 0, 1, GER).code


def test_add_many_refuses_unknown_episodes_before_adding_anything(session: Session,
                                                                  known: Series) -> None:
    with pytest.raises(ValidationError) as info:
        queue.add_many(session, known, [(1, 1), *((1, n) for n in range(4, 5004))], GER)
    assert info.value.field == "episodes" and "no episode S01E04" in info.value.message
    assert queue.pending_items(session) == []
    assert len(queue.add_many(session, known, [(1, 1), (1, 3)], GER).created) == 2


def test_retry_failed_item_starts_over_at_end_of_group(session: Session, series: Series) -> None:
    item = queue.add_item(session, series, 1, 1, GER)
    claim = claim_item(session, item.id)
    execution.record_progress(session, item.id, claim.lease, 50, 100, 1.0, 50)
    execution.fail(session, item.id, claim.lease, "timeout")
    later = queue.add_item(session, series, 1, 2, GER)
    session.commit()
    retried = queue.retry_item(session, item.id)
    session.commit()
    assert retried.status is ItemStatus.PENDING
    assert (retried.attempts, retried.last_error, retried.progress, retried.downloaded_bytes) == (
        0, None, 0.0, 0)
    assert [i.id for i in queue.pending_items(session)] == [later.id, item.id]


def test_retry_cancelled_item_refused_when_queued_again(session: Session,
                                                        series: Series) -> None:
    item = queue.add_item(session, series, 1, 1, GER)
    claim_item(session, item.id)
    queue.remove_item(session, item.id)
    queue.add_item(session, series, 1, 1, GER)
    session.commit()
    with pytest.raises(ConflictError, match="already in the queue"):
        queue.retry_item(session, item.id)


@pytest.mark.parametrize("state", ["pending", "downloading", "completed"])
def test_retry_refused_for_other_states(session: Session, series: Series, state: str) -> None:
    item = queue.add_item(session, series, 1, 1, GER)
    _put_in_state(session, item.id, state)
    with pytest.raises(ConflictError, match=f"it is {state}"):
        queue.retry_item(session, item.id)


def _put_in_state(session: Session, item_id: int, state: str) -> None:
    """Drive an item into ``state`` like a worker and a user would."""
    if state == "pending":
        return
    if state == "completed":
        complete_item(session, item_id, "/media/file.mkv")
        return
    if state == "failed":
        fail_item(session, item_id)
        return
    claim_item(session, item_id)
    if state == "cancelled":
        queue.remove_item(session, item_id)
    elif state == "paused":
        queue.pause_item(session, item_id)
