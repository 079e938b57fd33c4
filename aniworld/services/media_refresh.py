"""The media-server refresh's bookkeeping: pending files, per-series timing, the status.

Timing rules, per series: a refresh goes out at most once per :data:`MIN_INTERVAL`, and
only once no new file has come for :data:`SETTLE` (so the files of a burst travel
together) or the oldest file has waited :data:`MAX_HOLD` (so a steady stream is not held
for ever). A failed refresh keeps its files and waits :func:`backoff` before the next try;
an error that concerns the whole server (unreachable, token refused) backs off the server.
Functions take a Session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from aniworld.config import Config
from aniworld.mediaserver import LABELS, PathMap, ServerSettings
from aniworld.mediaserver.errors import MediaServerError
from aniworld.models import MediaRefreshPath, MediaRefreshSeries, utcnow
from aniworld.phrases import Phrase, as_phrase
from aniworld.services.integration_settings import MEDIA_SERVER_OFF
from aniworld.services.settings import AppSettings, effective_library_dir, integration_value
from aniworld.services.settings_store import get_record, set_record

STATUS_KEY = "media_server.status"
MIN_INTERVAL = timedelta(seconds=60)
SETTLE = timedelta(seconds=10)
MAX_HOLD = timedelta(seconds=60)
FIRST_BACKOFF = 30
MAX_BACKOFF = 3600
# Series refreshed per scheduler tick at most: a slow server must not stall the tick.
SERIES_PER_TICK = 20


class MediaServerNotConfigured(MediaServerError):
    """A media server is chosen but its URL is missing."""

    code = "media_server_not_configured"


@dataclass(frozen=True)
class Target:
    """The configured server and how our library paths map to its paths."""

    server: ServerSettings
    paths: PathMap


@dataclass(frozen=True)
class Batch:
    """The pending files of one series: row ids and our paths."""

    series_id: int
    row_ids: tuple[int, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class RefreshStatus:
    """The server's state for the Settings page (times as ISO text, like other statuses)."""

    last_success_at: str | None = None
    last_error: str | None = None  # English (logs, API)
    last_error_at: str | None = None
    # The same error as a phrase (JSON), so the page shows it in the reader's language.
    last_error_phrase: str | None = None
    failures: int = 0
    retry_at: str | None = None

    def backing_off(self, now: datetime) -> bool:
        """True while a server-wide failure's back-off lasts."""
        return self.retry_at is not None and datetime.fromisoformat(self.retry_at) > now


def server_kind(config: Config, settings: AppSettings) -> str | None:
    """jellyfin, emby or plex; None when no media server is chosen (or it is "off")."""
    kind = integration_value(config, settings, "media_server")
    return None if kind in (None, MEDIA_SERVER_OFF) else kind


def target(config: Config, settings: AppSettings) -> Target | None:
    """The configured server, or None; MediaServerNotConfigured when its URL is missing."""
    kind = server_kind(config, settings)
    if kind is None:
        return None
    url = integration_value(config, settings, "media_server_url")
    if not url:
        raise MediaServerNotConfigured(Phrase(
            "%(label)s is chosen but no URL is set: enter the server's address in "
            "Settings → Media server or set ANIWORLD_MEDIA_SERVER_URL", label=LABELS[kind]))
    server = ServerSettings(kind, url, integration_value(config, settings, "media_server_token"))
    return Target(server, target_paths(config, settings))


def target_paths(config: Config, settings: AppSettings) -> PathMap:
    """How our library folder maps to the media server's ("their path"; None: the same)."""
    return PathMap(effective_library_dir(config, settings),
                   integration_value(config, settings, "media_server_path"))


def record(session: Session, series_id: int, path: str, now: datetime | None = None) -> None:
    """Remember a new file of ``series_id`` for the next refresh (no commit)."""
    session.add(MediaRefreshPath(series_id=series_id, path=path, recorded_at=now or utcnow()))
    session.flush()


def due(session: Session, now: datetime, limit: int = SERIES_PER_TICK) -> list[Batch]:
    """The series whose refresh is due now, oldest waiting first, with their files."""
    state = MediaRefreshSeries
    statement = (
        select(MediaRefreshPath.series_id)
        .outerjoin(state, state.series_id == MediaRefreshPath.series_id)
        .where(or_(state.sent_at.is_(None), state.sent_at <= now - MIN_INTERVAL),
               or_(state.retry_at.is_(None), state.retry_at <= now))
        .group_by(MediaRefreshPath.series_id)
        .having(or_(func.max(MediaRefreshPath.recorded_at) <= now - SETTLE,
                    func.min(MediaRefreshPath.recorded_at) <= now - MAX_HOLD))
        .order_by(func.min(MediaRefreshPath.recorded_at), MediaRefreshPath.series_id)
        .limit(limit))
    return [_batch(session, series_id) for series_id in session.scalars(statement)]


def _batch(session: Session, series_id: int) -> Batch:
    rows = session.execute(select(MediaRefreshPath.id, MediaRefreshPath.path)
                           .where(MediaRefreshPath.series_id == series_id)
                           .order_by(MediaRefreshPath.id)).all()
    return Batch(series_id, tuple(row.id for row in rows), tuple(row.path for row in rows))


def mark_sent(session: Session, batch: Batch, now: datetime) -> None:
    """The server has heard about ``batch``: drop its rows, start the series' minute."""
    session.execute(delete(MediaRefreshPath).where(MediaRefreshPath.id.in_(batch.row_ids)))
    row = _state(session, batch.series_id)
    row.sent_at, row.failures, row.retry_at, row.last_error = now, 0, None, None
    _store_status(session, replace(load_status(session), last_success_at=now.isoformat(),
                                   failures=0, retry_at=None))


def mark_failed(session: Session, series_id: int, error: MediaServerError,
                now: datetime) -> None:
    """Keep the series' files and back off (the whole server for a server-wide error)."""
    if error.server_wide:
        record_server_error(session, error.phrase, now)
        return
    row = _state(session, series_id)
    row.failures += 1
    row.retry_at = now + timedelta(seconds=backoff(row.failures))
    row.last_error = error.message
    _store_status(session, replace(load_status(session), last_error_at=now.isoformat(),
                                   **_error_fields(error.phrase)))


def record_server_error(session: Session, message: str | Phrase,
                        now: datetime) -> RefreshStatus:
    """A failure that holds for every series: back off the server and show ``message``."""
    status = load_status(session)
    failures = status.failures + 1
    retry_at = now + timedelta(seconds=backoff(failures))
    return _store_status(session, replace(status, last_error_at=now.isoformat(),
                                          failures=failures, retry_at=retry_at.isoformat(),
                                          **_error_fields(message)))


def _error_fields(message: str | Phrase) -> dict[str, str]:
    """The status' error in English and as phrase JSON."""
    phrase = as_phrase(message)
    return {"last_error": str(phrase), "last_error_phrase": phrase.to_json()}


def clear_backoff(session: Session) -> None:
    """Try again on the next tick (new settings, or a test that reached the server)."""
    for row in session.scalars(select(MediaRefreshSeries).where(
            MediaRefreshSeries.retry_at.is_not(None))):
        row.failures, row.retry_at = 0, None
    status = load_status(session)
    if status.retry_at is not None or status.failures:
        _store_status(session, replace(status, failures=0, retry_at=None))


def backoff(failures: int) -> int:
    """Seconds to wait after ``failures`` failed refreshes in a row: 30 s doubling to 1 h."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, failures - 1))


def pending_counts(session: Session) -> tuple[int, int]:
    """(files, series) waiting to be announced."""
    files, series = session.execute(select(
        func.count(MediaRefreshPath.id),
        func.count(func.distinct(MediaRefreshPath.series_id)))).one()
    return files, series


def load_status(session: Session) -> RefreshStatus:
    """The stored status (defaults when nothing was sent yet)."""
    return get_record(session, STATUS_KEY, RefreshStatus)


def _store_status(session: Session, status: RefreshStatus) -> RefreshStatus:
    return set_record(session, STATUS_KEY, status)


def _state(session: Session, series_id: int) -> MediaRefreshSeries:
    row = session.get(MediaRefreshSeries, series_id)
    if row is None:
        row = MediaRefreshSeries(series_id=series_id, failures=0)
        session.add(row)
    return row
