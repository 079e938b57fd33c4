"""Where the library scan stands, kept in the database so every process sees the same thing.

The scan runs as an RQ job; Redis only executes it. If Redis loses the job, the scheduler
finds a scan that is "queued" or "running" without a live job and enqueues it again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from aniworld.models import utcnow
from aniworld.phrases import N_, Phrase, Worded, worded
from aniworld.services.settings_store import get_record, set_record

STATUS_KEY = "library.scan"
# A running scan writes progress at least this often; older means its worker died.
STALE_AFTER = timedelta(minutes=10)
IDLE, QUEUED, RUNNING, FINISHED, FAILED = "idle", "queued", "running", "finished", "failed"
# The phases, stored in English; the page translates them (``|localize``).
WAITING = N_("waiting for a worker")
READING = N_("reading folders")
MATCHING = N_("matching folders")


@dataclass(frozen=True)
class ScanStatus(Worded):
    """The latest scan: state, phase, progress and a sentence about its result."""

    state: str = IDLE
    phase: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    requested_at: str | None = None
    started_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    # ``message`` as phrase JSON, so the page shows it in the reader's language.
    message_phrase: str | None = None

    @property
    def active(self) -> bool:
        """True while a scan waits for a worker or runs."""
        return self.state in (QUEUED, RUNNING)

    @property
    def percent(self) -> int:
        """Progress of the current phase in whole percent."""
        return int(100 * self.done / self.total) if self.total else 0

    def stale(self, now: datetime | None = None) -> bool:
        """True if an active scan has not reported for :data:`STALE_AFTER`."""
        stamp = self.updated_at or self.requested_at
        if not self.active or stamp is None:
            return False
        return (now or utcnow()) - datetime.fromisoformat(stamp) > STALE_AFTER

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (English), with the derived ``active`` and ``percent``."""
        data = asdict(self)
        del data["message_phrase"]  # the API speaks English: ``message`` is that
        return {**data, "active": self.active, "percent": self.percent}


def load_status(session: Session) -> ScanStatus:
    """The stored status (idle if no scan ever ran)."""
    return get_record(session, STATUS_KEY, ScanStatus)


def _store(session: Session, status: ScanStatus) -> ScanStatus:
    return set_record(session, STATUS_KEY, status)


def request_scan(session: Session) -> tuple[ScanStatus, bool]:
    """Mark a scan as wanted; the flag says whether a job must be enqueued (no commit).

    A scan already queued or running is not requested twice unless it went stale.
    """
    status = load_status(session)
    if status.active and not status.stale():
        return status, False
    now = utcnow().isoformat()
    return _store(session, ScanStatus(QUEUED, WAITING, requested_at=now, updated_at=now,
                                      message=status.message,
                                      message_phrase=status.message_phrase)), True


def begin(session: Session) -> ScanStatus:
    """Record that a scan started now (no commit)."""
    now = utcnow().isoformat()
    old = load_status(session)
    return _store(session, ScanStatus(RUNNING, READING, requested_at=old.requested_at
                                      or now, started_at=now, updated_at=now))


def report(session: Session, phase: str, done: int, total: int) -> ScanStatus:
    """Record progress of the running scan (no commit)."""
    status = replace(load_status(session), state=RUNNING, phase=phase, done=done, total=total,
                     updated_at=utcnow().isoformat())
    return _store(session, status)


def finish(session: Session, message: str | Phrase, *, failed: bool = False) -> ScanStatus:
    """Record the end of the scan with a sentence for the user (no commit)."""
    now = utcnow().isoformat()
    status = replace(load_status(session), state=FAILED if failed else FINISHED, phase="",
                     **worded(message), updated_at=now, finished_at=now)
    return _store(session, status)
