"""Wanted view benchmark: 1,000 series / 100,000 episodes in a SQLite file.

Run from the project root: ``.venv/bin/python -m bench.wanted``. Prints figures only.
Target: the Wanted page's first page (service + template, through the Flask test client,
logged in) and ``GET /api/v1/wanted`` each answer in < 300 ms. The library mixes files on
disk (tagged and untagged), finished downloads whose files exist, pending and failed queue
items, missing episodes, episodes a better language is offered for, monitored series and
episodes first seen this week.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFile,
    LibraryFolder,
    Series,
    utcnow,
)
from aniworld.services.library.wanted import WantedFilter, wanted_page
from aniworld.services.settings import load_settings
from bench.pages import benchmark_app

SERIES = 1_000
FOLDERS = 850  # series with a folder in the library; the rest were added lately
SEASONS = 4
EPISODES_PER_SEASON = 25
TARGET = 0.300
REPEAT = 7
PASSWORD = "benchmark password"
SUB, DUB, ENG = Language.GERMAN_SUB.value, Language.GERMAN_DUB.value, Language.ENGLISH_SUB.value


def episode_keys() -> list[tuple[int, int]]:
    """99 episodes in four seasons and one film per series: 100,000 in all."""
    keys = [(season, number) for season in range(1, SEASONS + 1)
            for number in range(1, EPISODES_PER_SEASON + 1)]
    return [*keys[:-1], (0, 1)]


def offered(index: int, season: int, number: int) -> str:
    """German Sub everywhere, German Dub for most (a season late for every fourth series).

    Every fifth series is still airing: its last four episodes are announced, not out.
    """
    if index % 5 == 0 and season == SEASONS and number > 20:
        return ""
    languages = [SUB]
    if index % 3 != 2 and not (index % 4 == 0 and season == SEASONS):
        languages.insert(0, DUB)
    if number % 7 == 0:
        languages.append(ENG)
    return ",".join(languages)


def held(index: int, season: int, number: int, languages: str) -> str | None | bool:
    """The language of the series' file of an episode, None untagged, False for no file.

    Most of the library is on disk in the best language; the rest makes the Wanted view:
    Sub files where a Dub came out (every tenth series' season 2), the new episodes of
    airing series, some films, series added but never downloaded, unscanned downloads.
    """
    if not languages or index >= FOLDERS:
        return False
    if index % 5 == 0 and season == SEASONS and number > 15:
        return False  # aired this week, not fetched yet
    if (index % 7 == 0 and season == 0) or (index % 20 == 3 and season == 3 and number <= 10):
        return False  # the film is missing / season 3 was downloaded since the last scan
    if index % 9 == 0 and season == 1:
        return None
    if index % 10 == 1 and season == 2:
        return SUB
    return languages.split(",")[0]


def seed(session: Session, media: Path) -> dict[str, int]:
    """Fill the database with the mixed library; returns how many rows of each kind."""
    now = utcnow()
    session.execute(insert(Series), [
        {"site": "aniworld", "key": f"series-{index:04d}", "title": f"Series {index:04d}",
         "monitored": index % 3 == 0} for index in range(SERIES)])
    ids = dict(session.execute(select(Series.key, Series.id)).all())
    session.execute(insert(LibraryFolder), [
        {"name": f"Series {index:04d}", "series_id": ids[f"series-{index:04d}"],
         "state": FolderState.MATCHED.value} for index in range(FOLDERS)])
    folders = dict(session.execute(select(LibraryFolder.series_id, LibraryFolder.id)).all())
    episodes, files, items = [], [], []
    for index in range(SERIES):
        series_id = ids[f"series-{index:04d}"]
        for season, number in episode_keys():
            languages = offered(index, season, number)
            fresh = index % 5 == 0 and season == SEASONS and number > 15
            episodes.append({"series_id": series_id, "season": season, "number": number,
                             "languages": languages,
                             "first_seen_at": now - timedelta(hours=number) if fresh else None})
            language = held(index, season, number, languages)
            if language is not False:
                files.append({"folder_id": folders[series_id], "season": season,
                              "episode": number, "language": language, "size": 1,
                              "path": f"/library/{index}/S{season:02d}E{number:02d}.mkv"})
        items += queue_rows(index, series_id, media)
    for chunk in range(0, len(episodes), 20_000):
        session.execute(insert(Episode), episodes[chunk:chunk + 20_000])
    session.execute(insert(LibraryFile), files)
    session.execute(insert(DownloadItem), items)
    session.commit()
    return {"series": SERIES, "episodes": len(episodes), "files": len(files),
            "items": len(items)}


def queue_rows(index: int, series_id: int, media: Path) -> list[dict[str, Any]]:
    """Unscanned downloads (two files since deleted), pending episodes, failed films."""
    if FOLDERS <= index < FOLDERS + 30:  # added whole to the queue
        return [_item(index, series_id, season, number, ItemStatus.PENDING)
                for season, number in episode_keys()]
    rows: list[dict[str, Any]] = []
    if index % 20 == 3:
        for number in range(1, 11):
            path = media / f"{index:04d}-S03E{number:02d}.mkv"
            if number > 2:
                path.write_bytes(b"x")
            rows.append(_item(index, series_id, 3, number, ItemStatus.COMPLETED, str(path)))
    if index % 10 == 2:
        rows += [_item(index, series_id, SEASONS, number, ItemStatus.PENDING)
                 for number in range(22, 25)]
    if index % 7 == 0 and index % 2 == 0:
        rows.append(_item(index, series_id, 0, 1, ItemStatus.FAILED))
    return rows


def _item(index: int, series_id: int, season: int, number: int, status: ItemStatus,
          path: str | None = None) -> dict[str, Any]:
    return {"series_id": series_id, "season": season, "episode": number,
            "language": Language.GERMAN_SUB, "status": status,
            "position": (index * 128 + season * 32 + number) * 1024, "file_path": path,
            "last_error": "no hoster" if status is ItemStatus.FAILED else None}


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """(median, worst) seconds of ``action`` over REPEAT runs, after one warm-up run."""
    action()
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples)


def report(label: str, figures: tuple[float, float], extra: str = "") -> None:
    """Print one figure against the target."""
    median, worst = figures
    print(f"{label:<34} median {median * 1000:7.1f} ms  worst {worst * 1000:7.1f} ms  "
          f"target {TARGET * 1000:.0f} ms  ratio {median / TARGET:5.2f}  {extra}")


def get(client: FlaskClient, url: str) -> Callable[[], object]:
    """A request that must answer 200."""
    def run() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response
    return run


def main() -> None:
    """Build the library, time the service, the page and the API, clean up."""
    with benchmark_app("aniworld-bench-wanted-", PASSWORD) as (app, client, root):
        media = root / "media"
        media.mkdir()
        with app.app_context():
            started = time.perf_counter()
            counts = seed(db.session, media)
            print(f"built {counts} in {time.perf_counter() - started:.1f} s "
                  f"({os.cpu_count()} CPUs)")
            settings = load_settings(db.session)
            first = wanted_page(db.session, settings, WantedFilter())
            print(f"wanted: {first.total} episodes in {first.series_total} series "
                  f"({first.missing} missing, {first.upgrades} upgrades), {first.pages} pages")
            report("service: wanted_page (page 1)",
                   timed(lambda: wanted_page(db.session, settings, WantedFilter())))
        page = client.get("/wanted/")
        report("page: GET /wanted/", timed(get(client, "/wanted/")),
               f"{len(page.data) // 1024} KiB")
        report("page: GET /wanted/?sort=newest", timed(get(client, "/wanted/?sort=newest")))
        report("page: monitored, German Dub",
               timed(get(client, "/wanted/?monitored=1&language=german-dub")))
        report("api: GET /api/v1/wanted", timed(get(client, "/api/v1/wanted")))
        report("home page: GET /", timed(get(client, "/")))


if __name__ == "__main__":
    main()
