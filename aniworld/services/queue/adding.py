"""Putting episodes into the queue: single adds, whole seasons, and retries."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.phrases import Phrase
from aniworld.services.queue._common import (
    POSITION_STEP,
    EpisodeKey,
    active_episodes,
    check_known,
    duplicate_message,
    duplicates_as_conflict,
    lock_item,
    next_position,
    validate_episode,
)
from aniworld.services.queue.languages import catalog_offers, choose_language, plan_languages

logger = logging.getLogger(__name__)


@dataclass
class BulkResult:
    """Outcome of :func:`add_many`: items created, episodes skipped and episodes refused.

    ``skipped`` holds (season, episode) pairs already queued or repeated in the request;
    ``not_offered`` the refused ones with the languages they are offered in.
    """

    created: list[DownloadItem] = field(default_factory=list)
    skipped: list[EpisodeKey] = field(default_factory=list)
    not_offered: dict[EpisodeKey, frozenset[Language]] = field(default_factory=dict)

    @property
    def languages_chosen(self) -> dict[Language, int]:
        """How many items were created in each language."""
        return dict(Counter(item.language for item in self.created))


def add_item(session: Session, series: Series, season: int, episode: int,
             language: Language | None = None, priority: Priority = Priority.NORMAL, *,
             force: bool = False, language_fallback: bool = False) -> DownloadItem:
    """Append one episode to its priority group; raises ``ValidationError``/``ConflictError``.

    Without ``language`` the episode takes the best language it is offered in (see
    :mod:`.languages`). ``force`` downloads even if the file is already in the library;
    ``language_fallback`` accepts a language the episode is not offered in and lets the
    download use another one when none of the hosters offers it.
    """
    validate_episode(season, episode)
    key = (season, episode)
    offers = catalog_offers(session, series)
    check_known(series, offers.languages, [key])
    language = choose_language(session, series, key, language, fallback=language_fallback,
                               offers=offers)
    existing = active_episodes(session, series, language, only=key)
    if key in existing:
        raise ConflictError(duplicate_message(series, key, language, existing[key]))
    item = DownloadItem(series=series, season=season, episode=episode, language=language,
                        priority=priority, position=next_position(session, priority),
                        force=force, language_fallback=language_fallback)
    session.add(item)
    with duplicates_as_conflict(item.code):
        session.flush()
    logger.info("queue add item_id=%s series_id=%s episode=%s language=%s",
                item.id, series.id, item.code, language.value)
    return item


def add_many(session: Session, series: Series, episodes: Sequence[EpisodeKey],
             language: Language | None = None, priority: Priority = Priority.NORMAL, *,
             language_fallback: bool = False) -> BulkResult:
    """Append many episodes at once, skipping ones already queued, repeated or not offered.

    Without ``language`` every episode takes the best language it is offered in, so one
    call may create items in several languages. Costs a constant number of statements
    (three SELECTs and one multi-row INSERT for one language) however many episodes are
    given; raises ``ValidationError`` before adding anything if one is invalid or (naming
    the field "episodes") unknown to the site.
    """
    for season, episode in episodes:
        validate_episode(season, episode)
    offers = catalog_offers(session, series)
    check_known(series, offers.languages, episodes, "episodes")
    plan = plan_languages(session, offers, episodes, language, fallback=language_fallback)
    taken = {chosen: set(active_episodes(session, series, chosen))
             for chosen in dict.fromkeys(plan.chosen.values())}
    result, rows = BulkResult(not_offered=plan.not_offered), []
    position = next_position(session, priority)
    for key in episodes:
        chosen = plan.chosen.get(key)
        if chosen is None:
            continue
        if key in taken[chosen]:
            result.skipped.append(key)
            continue
        taken[chosen].add(key)
        rows.append({"series_id": series.id, "season": key[0], "episode": key[1],
                     "language": chosen, "language_fallback": language_fallback,
                     "priority": priority, "position": position})
        position += POSITION_STEP
    if rows:
        result.created = _insert_rows(session, rows)
    logger.info("queue add_many series_id=%s language=%s created=%d skipped=%d refused=%d",
                series.id, language.value if language else "best", len(result.created),
                len(result.skipped), len(result.not_offered))
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
    with duplicates_as_conflict(item.code):
        session.flush()
    logger.info("queue retry item_id=%s", item.id)
    return item


def retry_failed(session: Session) -> int:
    """Requeue every failed item, oldest first so they keep their order; returns how many."""
    failed = session.scalars(select(DownloadItem.id)
                             .where(DownloadItem.status == ItemStatus.FAILED)
                             .order_by(DownloadItem.updated_at, DownloadItem.id)).all()
    for item_id in failed:
        retry_item(session, item_id)
    return len(failed)


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> list[DownloadItem]:
    """Insert ``rows`` in one multi-row INSERT … RETURNING and return them in request order."""
    # The unit of work would send one INSERT per row on SQLite (it wants a sentinel column to
    # match RETURNING rows to objects); an ORM bulk insert without ordering batches them, and
    # (season, episode) is unique within the batch, so the rows are matched up here instead.
    statement = insert(DownloadItem).returning(DownloadItem)
    with duplicates_as_conflict(Phrase("One of the %(count)s episodes", count=len(rows))):
        inserted = session.scalars(statement, rows).all()
    by_key = {(item.season, item.episode): item for item in inserted}
    return [by_key[(row["season"], row["episode"])] for row in rows]
