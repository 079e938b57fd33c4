"""Queue page benchmark: 10,000 pending items in a SQLite file, through the Flask test client.

Run from the project root: ``.venv/bin/python -m bench.queue_page``. Prints figures only.
Targets: the queue page < 100 KB and < 50 ms server time, the polled partial < 20 KB.
The 10,000 waiting items are six long series (1,000 episodes each, one of them at high
priority), 80 series of 50 episodes (ten at low priority), single episodes moved to the top
and paused items inside groups; one more series has two running downloads, failed and
completed history.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series, utcnow
from aniworld.services import queue
from bench.pages import benchmark_app

LONG_SERIES = 6
LONG_EPISODES = 1_000
SHORT_SERIES = 80
SHORT_EPISODES = 50
MOVED_TO_TOP = 20
HISTORY = 57  # items of the last series: 2 running, 50 completed, 5 failed
PAGE_BYTES, PAGE_SECONDS, PARTIAL_BYTES = 100_000, 0.050, 20_000
REPEAT = 9
PASSWORD = "benchmark password"
HX = {"HX-Request": "true"}
STEP = 1024


def long_keys(index: int) -> list[tuple[int, int]]:
    """One season of 1,000 episodes for the first long series, four of 250 for the others."""
    if index == 0:
        return [(1, number) for number in range(1, LONG_EPISODES + 1)]
    return [(season, number) for season in range(1, 5) for number in range(1, 251)]


def seed(session: Session) -> dict[str, int]:
    """Fill the queue; returns how many items of each status it holds."""
    titles = ["Tidebreaker Saga", *(f"Long Series {n}" for n in range(1, LONG_SERIES)),
              *(f"Short Series {n:02d}" for n in range(SHORT_SERIES)), "Finished Series"]
    session.execute(insert(Series), [{"site": "aniworld", "key": f"series-{n}", "title": title}
                                     for n, title in enumerate(titles)])
    ids = list(session.scalars(select(Series.id).order_by(Series.id)))
    rows: list[dict[str, Any]] = []
    for index, series_id in enumerate(ids):
        keys = long_keys(index) if index < LONG_SERIES else \
            [(1, number) for number in range(1, SHORT_EPISODES + 1)] if index < len(ids) - 1 \
            else [(2, number) for number in range(1, HISTORY + 1)]
        priority = Priority.HIGH if index == 1 else \
            Priority.LOW if index >= LONG_SERIES + SHORT_SERIES - 10 else Priority.NORMAL
        for order, (season, number) in enumerate(keys):
            rows.append(_item(series_id, season, number, priority,
                              (index * 2_000 + order + 1) * STEP))
    _shape(rows[:-HISTORY], rows[-HISTORY:])
    session.execute(insert(DownloadItem), rows)
    session.commit()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"].value] = counts.get(row["status"].value, 0) + 1
    return counts


def _item(series_id: int, season: int, number: int, priority: Priority,
          position: int) -> dict[str, Any]:
    return {"series_id": series_id, "season": season, "episode": number,
            "language": Language.GERMAN_SUB, "status": ItemStatus.PENDING,
            "priority": priority, "position": position}


def _shape(rows: list[dict[str, Any]], history: list[dict[str, Any]]) -> None:
    """Running, finished, failed and paused items; single episodes moved to the top."""
    now = utcnow()
    for row in history[:2]:
        row.update(status=ItemStatus.DOWNLOADING, progress=41.5, downloaded_bytes=415 << 20,
                   total_bytes=1000 << 20, speed=2.0 * 2**20, eta_seconds=290, hoster="VOE",
                   lease="bench", heartbeat_at=now, started_at=now)
    for row in history[2:52]:
        row.update(status=ItemStatus.COMPLETED, progress=100.0, completed_at=now,
                   file_path=f"/library/Finished Series/S02E{row['episode']:02d}.mkv")
    for row in history[52:57]:
        row.update(status=ItemStatus.FAILED, attempts=3, last_error="VOE: stream not found")
    for row in rows[3_000:3_003]:
        row.update(status=ItemStatus.PAUSED, downloaded_bytes=12 << 20)
    for number, row in enumerate(rows[7_000:7_000 + 50 * MOVED_TO_TOP:50]):
        row.update(priority=Priority.NORMAL, position=-(MOVED_TO_TOP - number) * STEP)


def timed(action: Callable[[], TestResponse],
          before: Callable[[], object] | None = None) -> tuple[float, float, int]:
    """(median, worst) seconds over REPEAT runs after a warm-up, and the answer's size.

    ``before`` runs ahead of each request, outside the timing (a change to the queue).
    """
    size = len(action().data)
    samples = []
    for _ in range(REPEAT):
        if before:
            before()
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples), size


def report(label: str, figures: tuple[float, float, int], size_target: int | None = None,
           time_target: float | None = None) -> None:
    """Print one request's size and time with the targets that apply to it."""
    median, worst, size = figures
    targets = []
    if size_target:
        targets.append(f"size target < {size_target // 1000} KB")
    if time_target:
        targets.append(f"time target < {time_target * 1000:.0f} ms")
    print(f"{label:<44} {size / 1000:9.1f} KB  median {median * 1000:7.1f} ms  "
          f"worst {worst * 1000:7.1f} ms  {'; '.join(targets)}")


def toggle_priority(app: Flask) -> None:
    """A change to the waiting list: the last waiting item between normal and high."""
    with app.app_context():
        (last,) = db.session.scalars(select(DownloadItem).where(
            DownloadItem.status == ItemStatus.PENDING, DownloadItem.episode == SHORT_EPISODES,
            DownloadItem.series_id == LONG_SERIES + 1))
        high = last.priority is Priority.HIGH
        queue.set_priority(db.session, last.id, Priority.NORMAL if high else Priority.HIGH)
        db.session.commit()


def toggle_pause(app: Flask) -> None:
    """A change to the queue's version: pause it, or resume it when paused."""
    with app.app_context():
        if queue.is_paused(db.session):
            queue.resume_queue(db.session)
        else:
            queue.pause_queue(db.session)
        db.session.commit()


def get(client: FlaskClient, url: str, headers: dict[str, str] | None = None,
        ) -> Callable[[], TestResponse]:
    """A request that must answer 200 (or 286, a final poll answer)."""
    def run() -> TestResponse:
        response = client.get(url, headers=headers)
        if response.status_code not in (200, 286):
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response
    return run


def measure(client: FlaskClient, change: Callable[[], object],
            move: Callable[[], object]) -> None:
    """Time the page, the partial, the poll and (when the page offers them) the lazy parts."""
    page = client.get("/queue/").get_data(as_text=True)
    report("page: GET /queue/", timed(get(client, "/queue/")), PAGE_BYTES, PAGE_SECONDS)
    report("page: after each queue change (pause flag)", timed(get(client, "/queue/"), change),
           PAGE_BYTES, PAGE_SECONDS)
    report("page: after each waiting list change", timed(get(client, "/queue/"), move),
           PAGE_BYTES, PAGE_SECONDS)
    report("partial: GET /queue/ (htmx, rendered)", timed(get(client, "/queue/", HX)),
           PARTIAL_BYTES)
    report("poll: GET /queue/partial (stale version)",
           timed(get(client, "/queue/partial?v=stale", HX)), PARTIAL_BYTES)
    report("poll: the same after each waiting list change",
           timed(get(client, "/queue/partial?v=stale", HX), move), PARTIAL_BYTES)
    progress = re.search(r'hx-get="(/queue/progress[^"]*)"', page)
    if progress:
        url = progress[1].replace("&amp;", "&").replace("p=", "p=stale-", 1)
        report("progress: GET /queue/progress (stale)", timed(get(client, url, HX)))
    for label, pattern in (("group: opened, first 50 episodes", r'hx-get="(/queue/groups/\d+)"'),
                           ("groups: the next page", r'hx-get="(/queue/groups/\?[^"]*)"')):
        found = re.search(pattern, page)
        if found:
            report(label, timed(get(client, found[1].replace("&amp;", "&"), HX)))


def main() -> None:
    """Build the queue, time the page and its parts, clean up."""
    with benchmark_app("aniworld-bench-queue-page-", PASSWORD) as (app, client, _root):
        with app.app_context():
            started = time.perf_counter()
            counts = seed(db.session)
            print(f"queue {counts} built in {time.perf_counter() - started:.1f} s "
                  f"({os.cpu_count()} CPUs)")
        measure(client, lambda: toggle_pause(app), lambda: toggle_priority(app))


if __name__ == "__main__":
    main()
