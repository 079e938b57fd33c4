"""Putting episodes into the queue: single adds, whole seasons, and retries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from aniworld.errors import ConflictError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.services.queue._common import (
    POSITION_STEP,
    EpisodeKey,
    active_episodes,
    duplicate_message,
    flush_items,
    lock_item,
    next_position,
    validate_episode,
)

logger = logging.getLogger(__name__)


@dataclass
class BulkResult:
    """Outcome of :func:`add_many`: items created and (season, episode) pairs skipped."""

    created: list[DownloadItem] = field(default_factory=list)
    skipped: list[EpisodeKey] = field(default_factory=list)


def add_item(session: Session, series: Series, season: int, episode: int, language: Language,
             priority: Priority = Priority.NORMAL) -> DownloadItem:
    """Append one episode to its priority group; raises ``ValidationError``/``ConflictError``."""
    validate_episode(season, episode)
    key = (season, episode)
    existing = active_episodes(session, series, language, only=key)
    if key in existing:
        raise ConflictError(duplicate_message(series, key, language, existing[key]))
    item = _new_item(series, key, language, priority, next_position(session, priority))
    session.add(item)
    flush_items(session, [item])
    logger.info("queue add item_id=%s series_id=%s episode=%s language=%s",
                item.id, series.id, item.code, language.value)
    return item


def add_many(session: Session, series: Series, episodes: Sequence[EpisodeKey],
             language: Language, priority: Priority = Priority.NORMAL) -> BulkResult:
    """Append many episodes at once, skipping ones already queued or repeated in the request.

    Costs a constant number of statements (two SELECTs and one multi-row INSERT) however many
    episodes are given; raises ``ValidationError`` before adding anything if one is invalid.
    """
    for season, episode in episodes:
        validate_episode(season, episode)
    taken = set(active_episodes(session, series, language))
    position = next_position(session, priority)
    result = BulkResult()
    for season, episode in episodes:
        key = (season, episode)
        if key in taken:
            result.skipped.append(key)
            continue
        taken.add(key)
        result.created.append(_new_item(series, key, language, priority, position))
        position += POSITION_STEP
    session.add_all(result.created)
    flush_items(session, result.created)
    logger.info("queue add_many series_id=%s language=%s created=%d skipped=%d",
                series.id, language.value, len(result.created), len(result.skipped))
    return result


def retry_item(session: Session, item_id: int) -> DownloadItem:
    """Requeue a failed or cancelled item at the end of its group with a clean slate.

    Raises ``ConflictError`` for other states or when the episode is queued again meanwhile.
    """
    item = lock_item(session, item_id)
    if item.status is ItemStatus.CANCELLED:
        # A failed item still holds its slot in the unique index; a cancelled one does not,
        # so the episode may have been queued again since.
        key = (item.season, item.episode)
        others = active_episodes(session, item.series, item.language, only=key)
        if key in others:
            raise ConflictError(duplicate_message(item.series, key, item.language, others[key]))
    position = next_position(session, item.priority)
    item.reset_for_retry()
    item.position = position
    flush_items(session, [item])
    logger.info("queue retry item_id=%s", item.id)
    return item


def _new_item(series: Series, key: EpisodeKey, language: Language, priority: Priority,
              position: int) -> DownloadItem:
    """Build a pending item; Python-side defaults fill the remaining columns at flush."""
    return DownloadItem(series=series, season=key[0], episode=key[1], language=language,
                        priority=priority, position=position)
