"""Helpers shared by the queue service modules: lookups, positions, duplicate checks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.models.download_item import ACTIVE_STATUSES, QUEUED_STATUSES, episode_code
from aniworld.phrases import Phrase

# Gapped positions let a move land between two neighbours without renumbering the group.
POSITION_STEP = 1024

EpisodeKey = tuple[int, int]


def get_item(session: Session, item_id: int) -> DownloadItem:
    """Return the queue item ``item_id``; raises ``NotFoundError`` when it does not exist."""
    item = session.get(DownloadItem, item_id)
    if item is None:
        raise NotFoundError(Phrase("queue item %(id)s does not exist", id=item_id))
    return item


def lock_item(session: Session, item_id: int) -> DownloadItem:
    """Re-read ``item_id`` fresh from the database, row-locked where the dialect can."""
    # FOR UPDATE (ignored by SQLite, whose BEGIN IMMEDIATE already serialises writers) keeps a
    # second PostgreSQL worker from applying a transition based on a stale status.
    statement = (select(DownloadItem).where(DownloadItem.id == item_id).with_for_update()
                 .execution_options(populate_existing=True))
    item = session.scalars(statement).one_or_none()
    if item is None:
        raise NotFoundError(Phrase("queue item %(id)s does not exist", id=item_id))
    return item


def validate_episode(season: int, episode: int) -> None:
    """Raise ``ValidationError`` naming the field when season or episode is out of range."""
    if season < 0:
        raise ValidationError(Phrase("season must be 0 (films) or more, not %(season)s",
                                     season=season), "season")
    if episode < 1:
        raise ValidationError(Phrase("episode must be 1 or more, not %(episode)s",
                                     episode=episode), "episode")


def check_known(series: Series, known: Collection[EpisodeKey], keys: Iterable[EpisodeKey],
                field: str | None = None) -> None:
    """Raise ``ValidationError`` for an episode the site does not list for ``series``.

    ``known`` holds the episodes stored for the series (``catalog_offers`` reads them). The
    error names ``field``, else "season" or "episode". A series whose episodes were never
    read from the site has none stored and nothing to check against.
    """
    if not known:
        return
    seasons = {season for season, _ in known}
    for season, episode in keys:
        if (season, episode) in known:
            continue
        what = (Phrase("episode %(code)s", code=episode_code(season, episode))
                if season in seasons else Phrase("season %(season)s", season=season))
        raise ValidationError(Phrase(
            "%(series)s has no %(what)s on the site; refresh the series if it was just "
            "released", series=series.title, what=what),
            field or ("episode" if season in seasons else "season"))


def next_position(session: Session, priority: Priority) -> int:
    """Return the position just after the last queued item of ``priority``."""
    statement = select(func.max(DownloadItem.position)).where(
        DownloadItem.priority == priority, DownloadItem.status.in_(QUEUED_STATUSES))
    return (session.scalar(statement) or 0) + POSITION_STEP


def active_episodes(session: Session, series: Series, language: Language,
                    only: EpisodeKey | None = None) -> dict[EpisodeKey, ItemStatus]:
    """Map (season, episode) to status for the series' unfinished items in ``language``."""
    if series.id is None:
        # A series created in this request needs its id before its items can refer to it.
        session.add(series)
        session.flush()
    statement = select(DownloadItem.season, DownloadItem.episode, DownloadItem.status).where(
        DownloadItem.series_id == series.id, DownloadItem.language == language,
        DownloadItem.status.in_(ACTIVE_STATUSES))
    if only is not None:
        statement = statement.where(DownloadItem.season == only[0],
                                    DownloadItem.episode == only[1])
    return {(season, episode): status for season, episode, status in session.execute(statement)}


def duplicate_message(series: Series, key: EpisodeKey, language: Language,
                      status: ItemStatus) -> Phrase:
    """Explain which unfinished item blocks adding ``key`` again."""
    return Phrase("%(episode)s of %(series)s in %(language)s is already in the queue "
                  "(%(status)s)", episode=episode_code(*key), series=series.title,
                  language=language.phrase, status=status.value)


@contextmanager
def duplicates_as_conflict(subject: str | Phrase) -> Iterator[None]:
    """Turn a lost race on the unique active-item index into ``ConflictError``."""
    # The service checks for duplicates first; only two concurrent adds on PostgreSQL (SQLite
    # serialises writers with BEGIN IMMEDIATE) can still reach the index.
    try:
        yield
    except IntegrityError as exc:
        text = str(exc.orig)
        if "uq_download_item_active" not in text and \
                "UNIQUE constraint failed: download_item" not in text:
            raise
        raise ConflictError(Phrase("%(subject)s was added to the queue at the same time by "
                                   "someone else; reload the queue", subject=subject)) from exc
