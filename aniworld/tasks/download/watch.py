"""The job's side channel to the database while bytes flow: stop checks, progress, heartbeat."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from aniworld.database import BEGIN_MODE
from aniworld.downloader import Progress, StopRequested
from aniworld.services import execution

logger = logging.getLogger(__name__)

CHECK_INTERVAL = 0.5
# What the job does when the user changed the row under it.
STOP_FOR_STATUS = {
    "paused": StopRequested.PAUSE,
    "pending": StopRequested.PAUSE,
    "cancelled": StopRequested.CANCEL,
    execution.REMOVED: StopRequested.CANCEL,
    # Another worker owns the item now: keep its partial data, just walk away.
    execution.TAKEN_OVER: StopRequested.PAUSE,
}


class ItemWatch:
    """Answers ``should_stop`` (from the database, at most every 0.5 s) and records progress."""

    def __init__(self, sessions: sessionmaker[Session], item_id: int, lease: str) -> None:
        self.sessions = sessions
        self.item_id = item_id
        self.lease = lease
        self._checked_at = 0.0
        self._verdict: StopRequested | None = None

    def should_stop(self) -> StopRequested | None:
        """Return why to stop, or None to keep going."""
        now = time.monotonic()
        if self._verdict is None and now - self._checked_at >= CHECK_INTERVAL:
            self._checked_at = now
            with self.sessions() as session:
                # A plain read: no write lock needed on SQLite.
                session.connection(execution_options={BEGIN_MODE: "DEFERRED"})
                status = execution.watch(session, self.item_id, self.lease)
            self._verdict = STOP_FOR_STATUS.get(status)
        return self._verdict

    def on_progress(self, progress: Progress) -> None:
        """Persist progress (the engine calls this at most about once per second)."""
        with self.sessions() as session:
            execution.record_progress(
                session, self.item_id, self.lease, progress.downloaded_bytes,
                progress.total_bytes, progress.speed, progress.eta_seconds)
            session.commit()


class Heartbeat:
    """Renews the lease every few seconds from a thread, even while ffmpeg remuxes."""

    def __init__(self, sessions: sessionmaker[Session], item_id: int, lease: str,
                 lease_seconds: int) -> None:
        self.sessions = sessions
        self.item_id = item_id
        self.lease = lease
        # Four beats per lease period: one late beat never looks like a dead worker.
        self.interval = lease_seconds / 4
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{item_id}",
                                        daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self.sessions() as session:
                    execution.heartbeat(session, self.item_id, self.lease)
                    session.commit()
            except Exception:  # noqa: BLE001 - a missed beat must not kill the download
                logger.exception("heartbeat failed item=%s", self.item_id)
