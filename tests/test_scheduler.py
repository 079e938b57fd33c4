"""The scheduler's monitoring duty: enqueue a round when due, once, and never crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy.orm import Session, sessionmaker

from aniworld.models import Series
from aniworld.services.library import monitoring
from aniworld.services.settings import save_settings
from aniworld.tasks import dispatch, scheduler
from aniworld.tasks.runtime import Runtime

T0 = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)


def monitor_series(sessions: sessionmaker[Session]) -> None:
    """Store one monitored series."""
    with sessions() as session:
        session.add(Series(key="blauer-drache", title="Blauer Drache", monitored=True))
        session.commit()


def library_jobs(connection: redis.Redis) -> list[str]:
    """Ids of the jobs waiting in the library queue."""
    return dispatch.make_queue(connection, dispatch.LIBRARY_QUEUE).job_ids


def status(runtime: Runtime) -> monitoring.MonitorStatus:
    """The stored monitoring status."""
    with runtime.sessions() as session:
        return monitoring.load_status(session)


def test_tick_enqueues_the_round_once(runtime: Runtime) -> None:
    monitor_series(runtime.sessions)
    scheduler.tick(runtime)
    scheduler.tick(runtime)
    assert library_jobs(runtime.redis) == [dispatch.MONITOR_JOB_ID]
    job = Job.fetch(dispatch.MONITOR_JOB_ID, connection=runtime.redis, serializer=JSONSerializer)
    assert job.func_name == dispatch.MONITOR_JOB
    assert status(runtime).requested_at is not None


def test_due_again_after_the_interval_but_not_while_the_job_lives(runtime: Runtime) -> None:
    monitor_series(runtime.sessions)
    assert scheduler.schedule_monitor(runtime, T0)
    later = T0 + timedelta(hours=6)
    # The round still waits for a worker: it is requested again, not enqueued twice.
    assert not scheduler.schedule_monitor(runtime, later)
    assert library_jobs(runtime.redis) == [dispatch.MONITOR_JOB_ID]
    assert status(runtime).requested_at == later.isoformat()
    Job.fetch(dispatch.MONITOR_JOB_ID, connection=runtime.redis,
              serializer=JSONSerializer).delete()
    assert not scheduler.schedule_monitor(runtime, later + timedelta(hours=5))
    assert scheduler.schedule_monitor(runtime, later + timedelta(hours=6))
    assert library_jobs(runtime.redis) == [dispatch.MONITOR_JOB_ID]


def test_interval_zero_enqueues_nothing(runtime: Runtime) -> None:
    monitor_series(runtime.sessions)
    with runtime.sessions() as session:
        save_settings(session, monitor_interval_hours=0)
        session.commit()
    scheduler.tick(runtime)
    assert library_jobs(runtime.redis) == []
    assert status(runtime) == monitoring.MonitorStatus()


def test_nothing_monitored_counts_as_a_round_without_a_job(runtime: Runtime) -> None:
    assert not scheduler.schedule_monitor(runtime, T0)
    assert library_jobs(runtime.redis) == []
    assert status(runtime).requested_at == T0.isoformat()


def test_redis_down_is_logged_and_the_round_stays_due(
        runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    monitor_series(runtime.sessions)
    # No retries: redis-py would otherwise back off for seconds before giving up.
    down = redis.Redis(unix_socket_path=str(tmp_path / "nobody-listens.sock"),
                       retry=Retry(NoBackoff(), 0))
    broken = Runtime(runtime.config, runtime.engine, runtime.sessions, down)
    scheduler.tick(broken)  # must not raise
    assert "monitoring could not be scheduled" in caplog.text
    # Not recorded as requested, so the next tick tries again.
    assert status(runtime).requested_at is None
    down.close()


def test_tick_sweeps_expired_days_of_the_holding_folder(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        save_settings(session, holding_days=3)
        session.commit()
    holding = runtime.config.data_dir / "holding"
    today = datetime.now(UTC).date()
    for age in (4, 3):
        day = holding / (today - timedelta(days=age)).isoformat() / "Serie"
        day.mkdir(parents=True)
        (day / "Serie - S01E01 [German Sub].mp4").write_bytes(b"old")
    scheduler.tick(runtime)
    assert [p.name for p in holding.iterdir()] == [(today - timedelta(days=3)).isoformat()]


def test_an_unexpected_error_in_one_part_stops_neither_the_others_nor_the_tick(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    ran = []

    def broken(name: str) -> object:
        def fail(*args: object, **kwargs: object) -> None:
            ran.append(name)
            raise UnicodeEncodeError("latin-1", "\u200b", 0, 1, "ordinal not in range(256)")
        return fail

    monkeypatch.setattr(dispatch, "reconcile", broken("repairs"))
    monkeypatch.setattr(scheduler, "schedule_monitor", broken("monitor"))
    monkeypatch.setattr(scheduler.media_refresh, "flush", broken("refresh"))
    scheduler.tick(runtime)  # must not raise
    assert ran == ["repairs", "monitor", "refresh"]
    failed = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in failed] == [
        "scheduler repairs failed unexpectedly", "monitoring could not be scheduled",
        "media server refresh failed unexpectedly"]
