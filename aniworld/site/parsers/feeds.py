"""Parsers for aniworld's feeds (site-2026 §7.1, §7.2): ``/neue-episoden`` and ``/animekalender``.

Both list one row per episode and language; rows of the same episode and day are merged.
A row without a series, season or episode is skipped, never guessed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import replace

from bs4 import Tag

from aniworld.phrases import N_, Phrase
from aniworld.site.errors import SiteLayoutChanged
from aniworld.site.parsers.common import (
    SLUG_PATTERN,
    attr,
    clean,
    flag_languages,
    href_path,
    make_soup,
    require,
    site_url,
    text_of,
)
from aniworld.site.types import FeedEntry

logger = logging.getLogger(__name__)

_HREF = re.compile(
    rf"^/anime/stream/({SLUG_PATTERN})(?:/staffel-(\d{{1,4}})/episode-(\d{{1,4}})"
    r"|/filme/film-(\d{1,4}))?$"
)
_SEASON_EPISODE = re.compile(r"S(\d{1,4})\s*E(\d{1,4})", re.I)
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
# The calendar's "time unknown, some time that day" value (§7.2).
END_OF_DAY = dt.time(23, 59)
RELEASED_TAG = "stream online"
NEW_TAG = "neu"

Episode = tuple[str, int, int]  # slug, season (0 = film), episode or film number


def parse_new_episodes(markup: str, base_url: str) -> list[FeedEntry]:
    """Parse ``div.newEpisodeList`` (newest first); raise SiteLayoutChanged without it."""
    soup = make_soup(markup, N_("new episodes"))
    block = require(soup.select_one("div.newEpisodeList"), N_("new episodes"),
                    "the list of new episodes (div.newEpisodeList)")
    entries = []
    for link in block.select("a[href]"):
        found = _episode_of(link, "")
        if found is None:
            continue
        row = _row_of(link)
        day = _date_in(text_of(link.select_one(".elementFloatRight")))
        entries.append(_entry(found, link, base_url, row, day=day, new=_has_tag(row, NEW_TAG)))
    return merge_entries(entries)


def parse_anime_calendar(markup: str, base_url: str) -> list[FeedEntry]:
    """Parse the week of ``section.calendarList`` days; raise SiteLayoutChanged without any."""
    soup = make_soup(markup, N_("calendar"))
    days = soup.select("section.calendarList")
    if not days:
        raise SiteLayoutChanged(Phrase(
            "the calendar page no longer looks as expected: the days of the week "
            "(section.calendarList) are missing; please report it"
        ))
    entries = []
    for section in days:
        day = _date_in(text_of(_day_heading(section)))
        for link in section.select("a[href]"):
            smalls = " ".join(text_of(small) for small in link.find_all("small"))
            found = _episode_of(link, smalls)
            if found is None:
                continue
            card = _row_of(link)
            entries.append(_entry(found, link, base_url, card, day=day, time=clock(smalls),
                                  released=_has_tag(card, RELEASED_TAG)))
    return merge_entries(entries)


def merge_entries(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """Merge rows of the same episode and day (one per language), keeping first-seen order."""
    merged: dict[tuple[str, int, int, dt.date | None], FeedEntry] = {}
    for entry in entries:
        key = (entry.key, entry.season, entry.episode, entry.day)
        seen = merged.get(key)
        if seen is None:
            merged[key] = entry
            continue
        merged[key] = replace(
            seen, languages=seen.languages | entry.languages, time=seen.time or entry.time,
            released=seen.released or entry.released, new=seen.new or entry.new,
        )
    return list(merged.values())


def clock(text: str) -> dt.time | None:
    """Read ``~ 15:40 Uhr`` or ``20:15``; None when absent, invalid or the 23:59 placeholder."""
    match = _CLOCK.search(text or "")
    if match is None:
        return None
    try:
        found = dt.time(int(match[1]), int(match[2]))
    except ValueError:
        return None
    return None if found == END_OF_DAY else found


def _episode_of(link: Tag, label: str) -> Episode | None:
    """Series, season and episode from the href, else from an ``S01E03`` label."""
    match = _HREF.match(href_path(attr(link, "href")))
    if match is None:
        return None
    if match[4]:
        return match[1], 0, int(match[4])
    if match[2]:
        return match[1], int(match[2]), int(match[3])
    numbers = _SEASON_EPISODE.search(label)
    if numbers is None:
        logger.debug("feed card without episode skipped slug=%s", match[1])
        return None
    return match[1], int(numbers[1]), int(numbers[2])


def _entry(found: Episode, link: Tag, base_url: str, row: Tag, *, day: dt.date | None,
           time: dt.time | None = None, released: bool = True, new: bool = False) -> FeedEntry:
    slug, season, episode = found
    return FeedEntry(key=slug, title=_title(link) or slug, season=season, episode=episode,
                     languages=flag_languages(row.select("img.flag")),
                     url=site_url(base_url, attr(link, "href")), day=day, time=time,
                     released=released, new=new)


def _row_of(link: Tag) -> Tag:
    """The element holding a link's flags and tags (they follow the link in its row)."""
    return link.parent if isinstance(link.parent, Tag) else link


def _title(link: Tag) -> str:
    """The ``strong`` title of a row, or a card's ``h3.seriesTitle`` without its child spans."""
    heading = link.select_one("h3.seriesTitle")
    if heading is not None:
        return clean("".join(heading.find_all(string=True, recursive=False)))
    return text_of(link.find("strong"))


def _has_tag(row: Tag, word: str) -> bool:
    """True when a ``span.listTag`` of the row says ``word`` (in its text or title)."""
    for tag in row.select("span.listTag"):
        text = f"{text_of(tag)} {attr(tag, 'title')}".casefold()
        if re.search(rf"\b{word}\b", text):
            return True
    return False


def _day_heading(section: Tag) -> Tag | None:
    """The day's ``h3`` ("Dienstag, 14.07.2026"), not a card's ``h3.seriesTitle``."""
    return next((h3 for h3 in section.find_all("h3")
                 if "seriesTitle" not in (h3.get("class") or [])), None)


def _date_in(text: str) -> dt.date | None:
    match = _DATE.search(text or "")
    if match is None:
        return None
    try:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None

