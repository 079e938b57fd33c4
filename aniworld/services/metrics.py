"""The figures ``/metrics`` exports that live in the database. Session in, no commit.

Everything is read when Prometheus scrapes, so the answer is the same whichever web process
gives it and however many worker hosts do the work. What workers *did* (downloads, bytes,
failures) is added up in ``metric_counter`` rows that only ever grow: deriving it from queue
rows would go down when the user clears completed items, and ``hoster_health`` counts
attempts (one item may try several hosters) and no bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aniworld.hosters import canonical_name
from aniworld.models import DownloadItem, HosterHealth, ItemStatus, MetricCounter
from aniworld.services.library import scan_state
from aniworld.services.queue import is_paused

DOWNLOADS = "downloads"
BYTES = "downloaded_bytes"
FAILURES = "download_failures"
COUNTERS = (DOWNLOADS, BYTES, FAILURES)
# The hoster label of a failure before any hoster was tried (no links, site refused us).
NO_HOSTER = "none"

Labels = tuple[str, str]  # (site, hoster)


def hoster_label(hoster: str | None) -> str:
    """The hoster as people spell it (``VOE``), or ``none``."""
    if not hoster:
        return NO_HOSTER
    return canonical_name(hoster) or hoster


def add_to_counter(session: Session, name: str, site: str, hoster: str | None,
                   amount: int = 1) -> None:
    """Add ``amount`` to the counter ``name`` of (site, hoster); creates the row if missing."""
    if name not in COUNTERS:
        raise ValueError(f"unknown counter {name!r}; use one of {', '.join(COUNTERS)}")
    values = {"name": name, "site": site, "hoster": hoster_label(hoster)}
    # Two workers may count the first download of a hoster at once: insert or keep theirs,
    # then add in one UPDATE so concurrent additions never overwrite each other.
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(maker(MetricCounter).values(**values, value=0).on_conflict_do_nothing())
    session.execute(update(MetricCounter).filter_by(**values)
                    .values(value=MetricCounter.value + amount))


@dataclass(frozen=True)
class ScanFigures:
    """The last finished library scan: how long it took and when it ended (None: never)."""

    duration_seconds: float | None = None
    finished_at: datetime | None = None
    active: bool = False


@dataclass(frozen=True)
class MetricsSnapshot:
    """Database figures of one scrape."""

    queue: dict[str, int]
    queue_paused: bool
    counters: dict[str, dict[Labels, int]]
    hoster_attempts: dict[tuple[str, str, str], int]  # (site, hoster, outcome) -> count
    scan: ScanFigures = field(default_factory=ScanFigures)


def queue_counts(session: Session) -> dict[str, int]:
    """Queue items per status, every status present (0 when none)."""
    rows = session.execute(select(DownloadItem.status, func.count(DownloadItem.id))
                           .group_by(DownloadItem.status))
    counts = {status.value: 0 for status in ItemStatus}
    counts.update({status.value: count for status, count in rows})
    return counts


def counter_values(session: Session) -> dict[str, dict[Labels, int]]:
    """Every durable counter by name, then (site, hoster)."""
    values: dict[str, dict[Labels, int]] = {name: {} for name in COUNTERS}
    for row in session.scalars(select(MetricCounter)):
        values.setdefault(row.name, {})[(row.site, row.hoster)] = row.value
    return values


def hoster_attempts(session: Session) -> dict[tuple[str, str, str], int]:
    """Hoster tries by (site, hoster, success|failure) from the hoster health rows."""
    attempts = {}
    for row in session.scalars(select(HosterHealth)):
        hoster = hoster_label(row.hoster)
        attempts[(row.site, hoster, "success")] = row.successes
        attempts[(row.site, hoster, "failure")] = row.failures
    return attempts


def scan_figures(session: Session) -> ScanFigures:
    """Duration and end of the last scan that ran to its end (finished or failed)."""
    status = scan_state.load_status(session)
    ended = status.state in (scan_state.FINISHED, scan_state.FAILED)
    if not (ended and status.started_at and status.finished_at):
        return ScanFigures(active=status.active)
    started = datetime.fromisoformat(status.started_at)
    finished = datetime.fromisoformat(status.finished_at)
    return ScanFigures(max(0.0, (finished - started).total_seconds()), finished, status.active)


def snapshot(session: Session) -> MetricsSnapshot:
    """Read every database figure of a scrape."""
    return MetricsSnapshot(queue=queue_counts(session), queue_paused=is_paused(session),
                           counters=counter_values(session),
                           hoster_attempts=hoster_attempts(session), scan=scan_figures(session))
