"""Monitoring benchmark: 300 monitored series, 5 of them with a new episode, on the stand-in.

Run from the project root: ``.venv/bin/python -m bench.monitoring``. Prints figures only.
Aim: at most 10 site requests per round (the releases feed + the seasons it names) against
at least 300 before (every monitored series' page and seasons, every round).

The aniworld stand-in runs in-process with 300 generated series (one season of 12 episodes
each) next to its own catalogue and answers every request after ``LATENCY_MS``; the client
sends without spacing, so the times are the work of a round. The real client keeps 0.25 s
between requests by default, so a round takes at least ``requests × 0.25 s`` on the site;
that bound is printed beside each time. Three rounds:

- the feed round: nothing due for a full read, so the feed and the 5 named seasons;
- a steady-state round: last full reads spread over the last 30 hours (rounds every 6 h,
  full reads every 24 h), so a quarter of the series is due and read in full too;
- every series read in full: what every round cost before the feed (plus the feed).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from aniworld.database import make_engine
from aniworld.models import Base, Series, utcnow
from aniworld.services.catalog import fetch_series, store_snapshot
from aniworld.services.library.monitor_summary import MonitorSummary
from aniworld.services.settings import AppSettings
from aniworld.site import SiteClient, SiteSettings
from aniworld.tasks.monitor import run_monitor_round
from tests.fakesite.content import generated_series
from tests.fakesite.languages import GERMAN_SUB
from tests.fakesite.server import FakeSite

SERIES = 300
RELEASED = 5
LATENCY_MS = 20
DEFAULT_SPACING = 0.25
AIM = 10
SETTINGS = AppSettings(monitor_interval_hours=6, monitor_full_refresh_hours=24)


def client_of(site: FakeSite) -> SiteClient:
    """A client of the aniworld stand-in without spacing between requests."""
    return SiteClient(SiteSettings(base_url=site.url, engine="aniworld", transport="requests",
                                   min_interval=0.0, timeout=20.0))


def build(site: FakeSite, sessions: sessionmaker[Session]) -> list[str]:
    """Add the generated series to the stand-in and, monitored, to the library."""
    added = generated_series(SERIES, site.catalog.next_ids())
    site.catalog.add_many(added)
    with client_of(site) as client:
        snapshots = [fetch_series(client, series.slug) for series in added]
    with sessions() as session:
        for snapshot in snapshots:
            series = store_snapshot(session, snapshot)
            # New episodes only: nothing of the generated back catalogue is on disk.
            series.monitored, series.monitor_scope = True, "new"
            series.monitor_since = utcnow()
        session.commit()
    return [series.slug for series in added]


def last_read(sessions: sessionmaker[Session], hours: list[float]) -> None:
    """Set the series' last full reads to ``hours[i]`` hours ago (by id)."""
    now = utcnow()
    with sessions() as session:
        ids = session.scalars(select(Series.id).order_by(Series.id)).all()
        for series_id, ago in zip(ids, hours, strict=True):
            session.execute(update(Series).where(Series.id == series_id)
                            .values(refreshed_at=now - timedelta(hours=ago)))
        session.commit()


def release(site: FakeSite, slugs: list[str]) -> None:
    """Publish one new episode of ``RELEASED`` series spread over the list."""
    for slug in slugs[7::SERIES // RELEASED][:RELEASED]:
        site.release(slug, 1, languages=[GERMAN_SUB])


def timed_round(site: FakeSite, sessions: sessionmaker[Session],
                settings: AppSettings) -> tuple[MonitorSummary, int, float]:
    """One round; returns its summary, the requests the stand-in saw and the seconds."""

    @contextmanager
    def clients(name: str) -> Iterator[SiteClient]:
        with client_of(site) as client:
            yield client

    site.clear_requests()
    started = time.perf_counter()
    summary = run_monitor_round(sessions, clients, settings)
    return summary, len(site.requests), time.perf_counter() - started


def report(label: str, figures: tuple[MonitorSummary, int, float]) -> None:
    """Print one round's figures."""
    summary, seen, seconds = figures
    print(f"{label:<34} requests={summary.requests:4d} (stand-in saw {seen:4d})  "
          f"series read={summary.checked:3d}  queued={summary.queued}  time={seconds:6.2f} s  "
          f"(>= {summary.requests * DEFAULT_SPACING:6.1f} s at the default spacing)")


def main() -> None:
    """Build, run the three rounds, print, clean up."""
    folder = Path(tempfile.mkdtemp(prefix="aniworld-bench-monitoring-"))
    site = FakeSite().start()
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    try:
        Base.metadata.create_all(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        started = time.perf_counter()
        slugs = build(site, sessions)
        print(f"{SERIES} monitored series added in {time.perf_counter() - started:.1f} s; "
              f"{RELEASED} released; {LATENCY_MS} ms latency per request, no spacing")
        site.set_fault("slow", latency_ms=LATENCY_MS)
        release(site, slugs)
        feed = timed_round(site, sessions, SETTINGS)
        report("feed round (nothing due)", feed)
        print(f"{'':<34} aim <= {AIM}: {'met' if feed[0].requests <= AIM else 'missed'}")
        release(site, slugs)
        last_read(sessions, [6 + 24 * index / SERIES for index in range(SERIES)])
        report("steady state (6 h rounds, 24 h)", timed_round(site, sessions, SETTINGS))
        release(site, slugs)
        last_read(sessions, [48.0] * SERIES)
        before = timed_round(site, sessions, AppSettings(monitor_interval_hours=24))
        report("every series in full (before)", before)
        rounds = 24 // SETTINGS.monitor_interval_hours
        daily = rounds * feed[0].requests + before[0].requests - 1
        print(f"per day at {SETTINGS.monitor_interval_hours} h rounds: before "
              f"{rounds} x {before[0].requests - 1} = {rounds * (before[0].requests - 1)} "
              f"requests; now about {rounds} x {feed[0].requests} + one full read of every "
              f"series = {daily}")
    finally:
        engine.dispose()
        site.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
