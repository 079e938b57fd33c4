"""Parser for the episode table of a season page (season 0 = the films page)."""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, Tag

from aniworld.phrases import Phrase
from aniworld.site.errors import SiteLayoutChanged, SiteNotFound
from aniworld.site.parsers.common import (
    attr,
    flag_languages,
    href_path,
    make_soup,
    site_url,
    text_of,
    to_int,
)
from aniworld.site.parsers.series import parse_season_numbers
from aniworld.site.types import EpisodeInfo

logger = logging.getLogger(__name__)

_EPISODE_HREF = re.compile(r"/(?:staffel-\d+/episode|filme/film)-(\d+)$")
_ENGLISH_SUFFIX = re.compile(r"\s*\[Episode \d+\]$")


def parse_season(
    markup: str, base_url: str, prefix: str, key: str, season: int
) -> list[EpisodeInfo]:
    """Parse every row of ``table.seasonEpisodesList``; raise SiteNotFound for a missing season."""
    page = Phrase("films") if season == 0 else Phrase("season %(number)s", number=season)
    soup = make_soup(markup, page)
    table = soup.select_one("table.seasonEpisodesList")
    if table is None:
        return _without_table(soup, prefix, season, page)
    episodes: dict[int, EpisodeInfo] = {}
    rows = [row for row in table.select("tr") if row.find("td")]
    for row in rows:
        episode = _parse_row(row, base_url, f"{prefix}/{key}", season)
        if episode is None:
            logger.warning("season row without episode number page=%s", page)
        else:
            episodes.setdefault(episode.number, episode)
    if rows and not episodes:
        raise SiteLayoutChanged(Phrase(
            "the %(page)s page no longer looks as expected: no row of the episode table "
            "carries an episode number; please report it", page=page,
        ))
    return sorted(episodes.values(), key=lambda episode: episode.number)


def _without_table(soup: BeautifulSoup, prefix: str, season: int,
                   page: Phrase) -> list[EpisodeInfo]:
    """A page without episode table: not found, announced (nothing out yet) or changed."""
    # The site answers an unknown season with a normal page that simply has no table.
    try:
        listed = parse_season_numbers(soup, prefix)
    except SiteLayoutChanged:
        listed = None
    if listed is not None and season not in listed:
        raise SiteNotFound(Phrase("the series has no %(page)s; it lists seasons %(listed)s",
                                  page=page, listed=str(listed)))
    if listed is not None and not _nav_has_episodes(soup):
        # Listed, and its navigation names no episode either: announced, nothing out yet.
        # A table gone while episodes are listed is a layout change (below).
        return []
    raise SiteLayoutChanged(Phrase(
        "the %(page)s page no longer looks as expected: table.seasonEpisodesList is missing; "
        "please report it", page=page,
    ))


def _nav_has_episodes(soup: BeautifulSoup) -> bool:
    nav = soup.select_one("#stream")
    links = nav.select("a[href]") if nav is not None else []
    return any(_EPISODE_HREF.search(href_path(attr(link, "href"))) for link in links)


def _parse_row(row: Tag, base_url: str, series_path: str, season: int) -> EpisodeInfo | None:
    href = attr(row.select_one("a[href]"), "href")
    number = _episode_number(row, href)
    if number is None:
        return None
    if not _EPISODE_HREF.search(href_path(href)):
        href = f"{series_path}/filme/film-{number}" if season == 0 else (
            f"{series_path}/staffel-{season}/episode-{number}"
        )
    title_cell = row.select_one("td.seasonEpisodeTitle")
    title_en = _ENGLISH_SUFFIX.sub("", text_of(title_cell.find("span") if title_cell else None))
    return EpisodeInfo(
        season=season,
        number=number,
        title_de=text_of(title_cell.find("strong") if title_cell else None),
        title_en=title_en,
        languages=flag_languages(row.select("img")),
        url=site_url(base_url, href),
    )


def _episode_number(row: Tag, href: str) -> int | None:
    meta = row.select_one("meta[itemprop=episodeNumber]")
    candidates = [attr(meta, "content")]
    match = _EPISODE_HREF.search(href_path(href))
    candidates.append(match.group(1) if match else "")
    candidates.append(attr(row, "data-episode-season-id"))
    first_cell = row.find("td")
    candidates.append(text_of(first_cell) if isinstance(first_cell, Tag) else "")
    for candidate in candidates:
        number = to_int(candidate)
        if number is not None:
            return number
    return None
