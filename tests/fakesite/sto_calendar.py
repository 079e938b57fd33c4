"""s.to V2's release calendar (site-2026 §7.3, §9.9): ``/serienkalender`` and ``/api/calendar``.

The JSON covers a fortnight around today, every day present (empty ones as ``[]``): episodes
released at run time today, each series' latest episodes and films on past days, and its
"Demnächst" episodes as scheduled (``released: false``) on later days. One entry per language.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import NamedTuple

from tests.fakesite.catalog import Catalog, Episode, Series
from tests.fakesite.content import STO_V2
from tests.fakesite.sto_pages import LABELS, V2_LANGUAGES, image, v2_page

DAYS_BEFORE, DAYS_AFTER = 6, 7
LATEST_PER_SERIES = 4
EVENING = ("20:15", "21:00", "22:10", "18:30", "23:59")  # 23:59: time not yet known [inf]


class Dated(NamedTuple):
    """One episode on one day of the calendar."""

    series: Series
    episode: Episode
    day: dt.date
    clock: str
    released: bool


def calendar_page(origin: str) -> str:
    """The calendar page: a shell whose script asks ``/api/calendar`` (sends it as Referer)."""
    body = ('<h1 class="h2 mb-1 fw-bold">Serienkalender</h1>\n'
            '<div id="calendar-root" data-endpoint="/api/calendar" data-locale="de"></div>\n'
            "<noscript>Der Kalender braucht JavaScript.</noscript>")
    return v2_page("Serienkalender", body, origin, "/serienkalender")


def calendar_json(catalog: Catalog, today: dt.date, now: dt.time, sub_label: str) -> bytes:
    """``{"YYYY-MM-DD": [entry, ...], ...}`` for DAYS_BEFORE..DAYS_AFTER around today."""
    days: dict[dt.date, list[dict[str, object]]] = {
        today + dt.timedelta(days=n): [] for n in range(-DAYS_BEFORE, DAYS_AFTER + 1)}
    for dated in _dated(catalog, today, now):
        if dated.day in days:
            days[dated.day] += _entries(dated, sub_label)
    return json.dumps({f"{day:%Y-%m-%d}": items for day, items in days.items()},
                      ensure_ascii=False).encode()


def _dated(catalog: Catalog, today: dt.date, now: dt.time) -> Iterator[Dated]:
    """Run-time releases today; per series its latest episodes and film, then "Demnächst"."""
    for series, episode in catalog.releases:
        if series.site == STO_V2:
            yield Dated(series, episode, today, f"{now.hour:02d}:{now.minute:02d}", True)
    released = {e.episode_id for s, e in catalog.releases if s.site == STO_V2}
    for index, series in enumerate(catalog.all(STO_V2)):
        clock = EVENING[index % len(EVENING)]
        online = [e for s in series.seasons for e in s.episodes
                  if e.links and e.episode_id not in released]
        latest = online[:-LATEST_PER_SERIES - 1:-1] + list(series.films[-1:])
        for back, episode in enumerate(latest, start=1):
            yield Dated(series, episode, today - dt.timedelta(days=back + index), clock, True)
        upcoming = [e for e in series.all_episodes() if not e.links]
        for ahead, episode in enumerate(upcoming, start=1):
            day = today + dt.timedelta(days=ahead + index)
            yield Dated(series, episode, day, EVENING[-1], False)


def _entries(dated: Dated, sub_label: str) -> list[dict[str, object]]:
    series, episode, day, clock, released = dated
    # A scheduled episode has no links yet; the calendar announces it in German.
    languages = episode.languages or list(V2_LANGUAGES)[:1]
    path = f"/serie/{series.slug}/staffel-{episode.season}/episode-{episode.number}"
    entries = []
    for language in languages:
        key = V2_LANGUAGES[language][0]
        entries.append({
            "date": f"{day:%Y-%m-%d}", "time": clock, "title": series.title,
            "language": LABELS.get(key, sub_label), "language_id": int(key),
            "season": episode.season, "episode": episode.number, "released": released,
            "url": path, "cover_url": image(series, "desktop"),
        })
    return entries
