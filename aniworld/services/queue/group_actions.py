"""What a user does to a whole group of waiting items: move, reprioritise, pause, resume, remove.

Each action is one UPDATE or DELETE over the group's rows (see ``groups.Run.members``), so
a group of a thousand episodes changes in one short statement without loading its items.
A group keeps its inner order: moves shift all its positions by the same amount.
"""

from __future__ import annotations

import logging

from sqlalchemy import Executable, and_, case, delete, func, select, update
from sqlalchemy.orm import Session

from aniworld.errors import ValidationError
from aniworld.models import DownloadItem, ItemStatus, Priority
from aniworld.phrases import Phrase
from aniworld.services.queue._common import POSITION_STEP, next_position
from aniworld.services.queue.groups import WAITING_NOW, Run, find_run

logger = logging.getLogger(__name__)

MOVE_TARGETS = ("top", "bottom")


def move_group(session: Session, group_id: int, to: str) -> int:
    """Move a group to the top or bottom of its priority; returns how many items it holds.

    Raises ``ValidationError`` for another ``to`` and ``NotFoundError`` for a group that no
    longer waits.
    """
    if to not in MOVE_TARGETS:
        raise ValidationError(Phrase("to must be 'top' or 'bottom', not %(to)s", to=repr(to)),
                              "to")
    run = find_run(session, group_id)
    members = run.members()
    low, high = session.execute(select(func.min(DownloadItem.position),
                                       func.max(DownloadItem.position)).where(*members)).one()
    others = (WAITING_NOW, DownloadItem.priority == run.priority, ~and_(*members))
    if to == "top":
        edge = session.scalar(select(func.min(DownloadItem.position)).where(*others))
        delta = None if edge is None or high < edge else edge - POSITION_STEP - high
    else:
        edge = session.scalar(select(func.max(DownloadItem.position)).where(*others))
        delta = None if edge is None or low > edge else edge + POSITION_STEP - low
    moved = _shift(session, run, delta, run.priority)
    logger.info("queue move_group group_id=%s to=%s items=%d", group_id, to, moved)
    return moved


def set_group_priority(session: Session, group_id: int, priority: Priority) -> int:
    """Give a group ``priority`` and put it, in its order, at the end of that priority.

    The priority it already has leaves it in place. Returns how many items it holds.
    """
    run = find_run(session, group_id)
    delta = None
    if priority != run.priority:
        low = session.scalar(select(func.min(DownloadItem.position)).where(*run.members()))
        delta = next_position(session, priority) - (low or 0)
    changed = _shift(session, run, delta, priority)
    logger.info("queue group_priority group_id=%s priority=%s items=%d", group_id,
                priority.label, changed)
    return changed


def _shift(session: Session, run: Run, delta: int | None, priority: Priority) -> int:
    """Add ``delta`` to the group's positions under ``priority``; count them when None."""
    members = run.members()
    if delta is None:
        return session.scalar(select(func.count(DownloadItem.id)).where(*members)) or 0
    return _execute(session, update(DownloadItem).where(*members).values(
        priority=priority, position=DownloadItem.position + delta))


def pause_group(session: Session, group_id: int) -> int:
    """Hold every pending item of a group; returns how many were paused."""
    members = find_run(session, group_id).members()
    # Their queued jobs (if any) find the rows no longer dispatched to them and skip.
    paused = _execute(session, update(DownloadItem)
                      .where(*members, DownloadItem.status == ItemStatus.PENDING)
                      .values(status=ItemStatus.PAUSED, job_id=None, speed=None,
                              eta_seconds=None))
    logger.info("queue pause_group group_id=%s items=%d", group_id, paused)
    return paused


def resume_group(session: Session, group_id: int) -> int:
    """Let every paused item of a group download again; returns how many were resumed."""
    members = find_run(session, group_id).members()
    # As resume_item: a job id stays only on an item a job still holds (its lease).
    keep_job = case((DownloadItem.lease.is_(None), None), else_=DownloadItem.job_id)
    resumed = _execute(session, update(DownloadItem)
                       .where(*members, DownloadItem.status == ItemStatus.PAUSED)
                       .values(status=ItemStatus.PENDING, not_before=None, job_id=keep_job))
    logger.info("queue resume_group group_id=%s items=%d", group_id, resumed)
    return resumed


def remove_group(session: Session, group_id: int) -> int:
    """Delete every item of a group (none of them is running); returns how many."""
    members = find_run(session, group_id).members()
    removed = _execute(session, delete(DownloadItem).where(*members))
    logger.info("queue remove_group group_id=%s items=%d", group_id, removed)
    return removed


def _execute(session: Session, statement: Executable) -> int:
    """Run one bulk statement over a group's rows and return how many rows it touched."""
    # Rows loaded earlier in the session are expired rather than synchronised one by one.
    result = session.execute(statement.execution_options(synchronize_session=False))
    session.expire_all()
    return int(result.rowcount)  # type: ignore[attr-defined]
