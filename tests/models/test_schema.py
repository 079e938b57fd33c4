"""Constraints the database itself enforces: cascades and the one-active-item rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, Series


def add_raw_item(session: Session, series: Series, status: ItemStatus,
                 episode: int = 1) -> DownloadItem:
    """Insert an item directly, bypassing the service's duplicate check."""
    item = DownloadItem(series=series, season=1, episode=episode,
                        language=Language.GERMAN_SUB, position=1024, status=status)
    session.add(item)
    session.flush()
    return item


def fill_series(session: Session, series: Series) -> None:
    """Give the series two episodes and two queue items, then commit."""
    series.episodes.extend([Episode(season=1, number=1), Episode(season=1, number=2)])
    add_raw_item(session, series, ItemStatus.PENDING, episode=1)
    add_raw_item(session, series, ItemStatus.COMPLETED, episode=2)
    session.commit()


def counts(session: Session) -> tuple[int, int]:
    """Number of (items, episodes) in the database."""
    return (session.scalar(select(func.count(DownloadItem.id))),
            session.scalar(select(func.count(Episode.id))))


def test_deleting_series_through_orm_cascades(session: Session,
                                              make_series: Callable[..., Series]) -> None:
    series = make_series()
    fill_series(session, series)
    session.delete(series)
    session.commit()
    assert counts(session) == (0, 0)


def test_deleting_series_with_raw_sql_cascades_in_database(
        session: Session, make_series: Callable[..., Series]) -> None:
    series, other = make_series(), make_series()
    fill_series(session, series)
    add_raw_item(session, other, ItemStatus.PENDING)
    session.commit()
    session.execute(text("DELETE FROM series WHERE id = :id"), {"id": series.id})
    session.commit()
    assert counts(session) == (1, 0)


@pytest.mark.parametrize("first", [ItemStatus.PENDING, ItemStatus.DOWNLOADING,
                                   ItemStatus.PAUSED, ItemStatus.FAILED])
def test_database_refuses_second_active_item(session: Session, make_series: Callable[..., Series],
                                             first: ItemStatus) -> None:
    series = make_series()
    add_raw_item(session, series, first)
    with pytest.raises(IntegrityError):
        add_raw_item(session, series, ItemStatus.PENDING)


@pytest.mark.parametrize("first", [ItemStatus.COMPLETED, ItemStatus.CANCELLED])
def test_database_allows_readding_after_finished_item(
        session: Session, make_series: Callable[..., Series], first: ItemStatus) -> None:
    series = make_series()
    add_raw_item(session, series, first)
    add_raw_item(session, series, first)
    add_raw_item(session, series, ItemStatus.PENDING)
    session.commit()
    assert counts(session)[0] == 3


def test_series_key_is_unique_per_site(session: Session,
                                       make_series: Callable[..., Series]) -> None:
    make_series(key="frieren")
    make_series(key="frieren", site="s.to")
    with pytest.raises(IntegrityError):
        make_series(key="frieren")


def test_enums_load_back_as_members(session: Session, make_series: Callable[..., Series]) -> None:
    item = add_raw_item(session, make_series(), ItemStatus.PAUSED)
    session.commit()
    session.expire_all()
    loaded = session.get(DownloadItem, item.id)
    assert loaded is not None
    assert loaded.status is ItemStatus.PAUSED
    assert loaded.language is Language.GERMAN_SUB
    assert type(loaded.priority).__name__ == "Priority"
