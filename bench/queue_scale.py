"""Queue scale benchmark on a temporary SQLite file; prints figures and asserts nothing.

Run from the project root: ``python -m bench.queue_scale``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aniworld.database import make_engine
from aniworld.languages import Language
from aniworld.models import Base, Series
from aniworld.services import execution, queue

BASE_ITEMS = 10_000
EPISODES_PER_SERIES = 500
LANGUAGE = Language.GERMAN_SUB


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``action`` over ``repeat`` runs, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def seed(sessions: sessionmaker[Session]) -> None:
    """Fill the queue with BASE_ITEMS pending items spread over several series."""
    with sessions() as session:
        for number in range(BASE_ITEMS // EPISODES_PER_SERIES):
            series = Series(key=f"seed-{number}", title=f"Seed {number}")
            episodes = [(1 + n // 100, 1 + n % 100) for n in range(EPISODES_PER_SERIES)]
            queue.add_many(session, series, episodes, LANGUAGE)
        session.commit()


def fresh_series(sessions: sessionmaker[Session], counter: list[int]) -> int:
    """Create an empty series to add to; returns its id."""
    counter[0] += 1
    with sessions() as session:
        series = Series(key=f"bench-{counter[0]}", title=f"Bench {counter[0]}")
        session.add(series)
        session.commit()
        return series.id


def drop_series(sessions: sessionmaker[Session], series_id: int) -> None:
    """Delete a benchmark series; ON DELETE CASCADE removes its items."""
    with sessions() as session:
        session.delete(session.get(Series, series_id))
        session.commit()


def bench_bulk_add(sessions: sessionmaker[Session], counter: list[int]) -> float:
    """Median seconds for add_many of 1,000 episodes in one committed transaction."""
    samples = []
    for _ in range(5):
        series_id = fresh_series(sessions, counter)
        start = time.perf_counter()
        with sessions() as session:
            series = session.get(Series, series_id)
            assert series is not None
            queue.add_many(session, series, [(s, e) for s in (1, 2) for e in range(1, 501)],
                           LANGUAGE)
            session.commit()
        samples.append(time.perf_counter() - start)
        drop_series(sessions, series_id)
    return statistics.median(samples)


def bench_single_adds(sessions: sessionmaker[Session], counter: list[int]) -> float:
    """Median seconds for 100 add_item calls, each in its own committed transaction."""
    samples = []
    for _ in range(3):
        series_id = fresh_series(sessions, counter)
        start = time.perf_counter()
        for episode in range(1, 101):
            with sessions() as session:
                series = session.get(Series, series_id)
                assert series is not None
                queue.add_item(session, series, 1, episode, LANGUAGE)
                session.commit()
        samples.append(time.perf_counter() - start)
        drop_series(sessions, series_id)
    return statistics.median(samples)


def bench_progress(sessions: sessionmaker[Session]) -> float:
    """Median seconds for 100 leased record_progress calls, each committed like a worker does."""
    with sessions() as session:
        (item_id,) = execution.dispatch_candidates(session, 1, lambda i: f"download-{i}")
        claim = execution.claim(session, item_id, f"download-{item_id}")
        assert claim is not None
        session.commit()

    def hundred_updates() -> None:
        for step in range(1, 101):
            with sessions() as session:
                assert execution.record_progress(session, item_id, claim.lease,
                                                 step * 1_000_000, 100_000_000, 5e6, 100 - step)
                session.commit()

    return timed(hundred_updates, repeat=5)


def bench_read(sessions: sessionmaker[Session], limit: int) -> float:
    """Median seconds for one pending_items(limit) call in a fresh session."""
    def read() -> None:
        with sessions() as session:
            items = queue.pending_items(session, limit=limit)
            assert len(items) == limit and items[-1].series_title

    read()
    return timed(read, repeat=20)


def report(rows: list[tuple[str, float, float | None]], engine: Engine, items: int) -> None:
    """Print each figure with its bound and the bound/measured ratio."""
    print(f"queue scale benchmark: {engine.dialect.name} {engine.url.database}, "
          f"{items:,} items in the queue before the runs")
    print(f"{'measurement':<52}{'measured':>12}{'bound':>10}{'ratio':>9}")
    for name, measured, bound in rows:
        limits = f"{bound * 1000:>8.0f}ms{bound / measured:>8.1f}x" if bound else f"{'-':>10}"
        print(f"{name:<52}{measured * 1000:>10.1f}ms{limits}")


def main() -> None:
    """Seed the queue, run every measurement and print the table."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        Base.metadata.create_all(engine)
        sessions = sessionmaker(engine)
        seed(sessions)
        counter = [0]
        bulk = bench_bulk_add(sessions, counter)
        rows = [
            ("add_many 1,000 episodes (one transaction)", bulk, None),
            ("add_many per 100 inserts (the above / 10)", bulk / 10, 2.0),
            ("100 add_item calls, each committed", bench_single_adds(sessions, counter), 2.0),
            ("pending_items first page of 50 (bound assumed)", bench_read(sessions, 50), 0.1),
            ("pending_items 500 (the pending query)", bench_read(sessions, 500), 0.1),
            ("100 record_progress, each committed", bench_progress(sessions), 1.0),
        ]
        report(rows, engine, BASE_ITEMS)
        engine.dispose()


if __name__ == "__main__":
    main()
