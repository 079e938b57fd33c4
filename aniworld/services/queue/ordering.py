"""Reordering the queue: priorities and drag-and-drop moves on gapped positions."""

from __future__ import annotations

import logging

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, ValidationError
from aniworld.models import DownloadItem, ItemStatus, Priority
from aniworld.models.download_item import QUEUED_STATUSES
from aniworld.phrases import Phrase
from aniworld.services.queue._common import POSITION_STEP, get_item, next_position

logger = logging.getLogger(__name__)


def set_priority(session: Session, item_id: int, priority: Priority) -> DownloadItem:
    """Give the item ``priority`` and move it to the end of that group.

    Setting the priority it already has leaves its place alone. Raises ``ConflictError`` for
    a completed item.
    """
    item = get_item(session, item_id)
    if item.status is ItemStatus.COMPLETED:
        raise ConflictError(Phrase("queue item %(id)s (%(code)s) is already completed",
                                   id=item_id, code=item.code))
    if item.priority != priority:
        item.position = next_position(session, priority)
        item.priority = priority
        session.flush()
    return item


def move_item(session: Session, item_id: int, *, before: int | None = None,
              after: int | None = None) -> DownloadItem:
    """Place a waiting item right before or after another one, taking over its priority.

    Raises ``ValidationError`` unless exactly one of ``before``/``after`` is given and
    ``ConflictError`` unless both items are pending or paused.
    """
    if (before is None) == (after is None):
        raise ValidationError(Phrase("give exactly one of 'before' or 'after'"), "before")
    field, target_id = ("before", before) if before is not None else ("after", after)
    assert target_id is not None
    if target_id == item_id:
        raise ValidationError(Phrase("an item cannot be moved next to itself"), field)
    item, target = get_item(session, item_id), get_item(session, target_id)
    for queued in (item, target):
        if queued.status not in QUEUED_STATUSES:
            raise ConflictError(Phrase(
                "queue item %(id)s (%(code)s) is %(status)s; only waiting items can be "
                "reordered", id=queued.id, code=queued.code, status=queued.status.value))
    position = _slot(session, item, target, after=field == "after")
    item.priority, item.position = target.priority, position
    session.flush()
    logger.info("queue move item_id=%s %s=%s", item_id, field, target_id)
    return item


def _slot(session: Session, item: DownloadItem, target: DownloadItem, *, after: bool) -> int:
    """Return a free position between ``target`` and its neighbour on the chosen side."""
    neighbour = _neighbour(session, item, target, after=after)
    if neighbour is None:
        return target.position + (POSITION_STEP if after else -POSITION_STEP)
    if abs(neighbour - target.position) < 2:
        _renumber(session, target.priority, exclude=item.id)
        neighbour = _neighbour(session, item, target, after=after)
        assert neighbour is not None
    return (neighbour + target.position) // 2


def _neighbour(session: Session, item: DownloadItem, target: DownloadItem, *,
               after: bool) -> int | None:
    """Position of the waiting item adjacent to ``target`` in (position, id) order."""
    pos, ident = DownloadItem.position, DownloadItem.id
    if after:
        beyond = or_(pos > target.position, and_(pos == target.position, ident > target.id))
        order = (pos.asc(), ident.asc())
    else:
        beyond = or_(pos < target.position, and_(pos == target.position, ident < target.id))
        order = (pos.desc(), ident.desc())
    statement = (select(pos).where(DownloadItem.priority == target.priority,
                                   DownloadItem.status.in_(QUEUED_STATUSES),
                                   ident != item.id, beyond)
                 .order_by(*order).limit(1))
    return session.scalar(statement)


def _renumber(session: Session, priority: Priority, exclude: int) -> None:
    """Spread the waiting items of one priority group out again, keeping their order."""
    statement = (select(DownloadItem).where(DownloadItem.priority == priority,
                                            DownloadItem.status.in_(QUEUED_STATUSES),
                                            DownloadItem.id != exclude)
                 .order_by(DownloadItem.position, DownloadItem.id))
    items = session.scalars(statement).all()
    for index, queued in enumerate(items, start=1):
        queued.position = index * POSITION_STEP
    session.flush()
    logger.info("queue renumber priority=%s items=%d", priority.label, len(items))
