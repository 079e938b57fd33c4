"""Parser for s.to V2's ``GET /api/calendar`` (site-2026 §7.3): the release calendar as JSON.

The answer is an object keyed by ``YYYY-MM-DD`` whose values list entries such as
``{"date", "time", "title", "language", "language_id", "season", "episode", "released",
"url", "cover_url"}``, one per language. An entry without a series URL or episode numbers
is skipped; missing optional fields (time, language, released) stay empty or false.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from aniworld.languages import Language
from aniworld.phrases import N_, Phrase
from aniworld.site.errors import SiteLayoutChanged
from aniworld.site.parsers.common import clean, href_path, site_url
from aniworld.site.parsers.feeds import clock, merge_entries
from aniworld.site.parsers.serienstream import (
    EPISODE_HREF,
    V2_LANGUAGE_KEYS,
    language_from_label,
)
from aniworld.site.parsers.serienstream_search import load_json
from aniworld.site.types import FeedEntry

logger = logging.getLogger(__name__)

_TRUE = (True, "1", "true")


def parse_calendar(text: str, base_url: str) -> list[FeedEntry]:
    """Parse ``/api/calendar``; raise SiteLayoutChanged when it is not a calendar object."""
    entries = []
    for day_key, item in _items(load_json(text, N_("calendar answer"))):
        entry = _entry(item, day_key, base_url)
        if entry is None:
            logger.debug("calendar entry skipped entry=%.200r", item)
        else:
            entries.append(entry)
    return merge_entries(entries)


def _items(data: object) -> Iterator[tuple[str, Any]]:
    """(date key, entry) pairs; PHP sends an empty calendar as ``[]``."""
    if isinstance(data, list) and not data:
        return
    if not isinstance(data, dict):
        raise SiteLayoutChanged(Phrase(
            "the s.to calendar answer no longer looks as expected (no object keyed by date); "
            "please report it"
        ))
    for day_key, items in data.items():
        for item in items if isinstance(items, list) else ():
            yield str(day_key), item


def _entry(item: object, day_key: str, base_url: str) -> FeedEntry | None:
    if not isinstance(item, dict):
        return None
    url = item.get("url")
    match = EPISODE_HREF.match(href_path(url)) if isinstance(url, str) else None
    if match is None:
        return None
    season = _number(item.get("season"), match[2])
    episode = _number(item.get("episode"), match[3])
    if season is None or episode is None:
        return None
    language = _language(item)
    return FeedEntry(
        key=match[1], title=clean(str(item.get("title") or "")) or match[1], season=season,
        episode=episode, languages=frozenset([language] if language else []),
        url=site_url(base_url, url), day=_day(item.get("date")) or _day(day_key),
        time=clock(str(item.get("time") or "")), released=item.get("released") in _TRUE,
    )


def _number(value: object, fallback: str) -> int | None:
    """A whole number from the JSON field, else from the URL; None when they disagree."""
    from_url = int(fallback)
    if value is None:
        return from_url
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() and int(text) == from_url else None


def _language(item: dict[str, Any]) -> Language | None:
    found = V2_LANGUAGE_KEYS.get(str(item.get("language_id") or "").strip())
    return found or language_from_label(str(item.get("language") or ""))


def _day(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
