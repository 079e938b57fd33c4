"""Parser for the series page header and its season navigation."""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, Tag

from aniworld.phrases import N_
from aniworld.site.parsers.common import (
    attr,
    clean,
    href_path,
    image_source,
    make_soup,
    require,
    site_url,
    text_of,
    to_int,
)
from aniworld.site.types import SeriesInfo

logger = logging.getLogger(__name__)

# Shown in the genre list by the site but they describe languages, not content.
LANGUAGE_PSEUDO_GENRES = frozenset({"ger", "gersub", "engsub", "engdub"})


def parse_series(markup: str, base_url: str, prefix: str, key: str) -> SeriesInfo:
    """Parse a series page (or the header of a season page) into SeriesInfo."""
    soup = make_soup(markup, N_("series"))
    heading = require(soup.select_one("div.series-title h1"), N_("series"), "div.series-title h1")
    title = text_of(heading.find("span")) or text_of(heading)
    if not title:
        require(None, N_("series"), N_("the title text in div.series-title h1"))
    return SeriesInfo(
        key=key,
        title=title,
        alternative_titles=_alternative_titles(heading, title),
        description=_description(soup),
        genres=_genres(soup),
        start_year=to_int(text_of(soup.select_one("[itemprop=startDate]"))),
        end_year=to_int(text_of(soup.select_one("[itemprop=endDate]"))),
        cover=_cover(soup, base_url),
        url=site_url(base_url, f"{prefix}/{key}"),
        seasons=parse_season_numbers(soup, prefix),
    )


def parse_season_numbers(soup: BeautifulSoup, prefix: str) -> list[int]:
    """Read the season navigation; films ("Filme" or "staffel-0") become 0."""
    nav = require(soup.select_one("#stream"), N_("series"), N_("the season navigation (#stream)"))
    season_link = re.compile(rf"^{re.escape(prefix)}/[^/]+/(?:staffel-(\d+)|(filme))$")
    seasons = set()
    for link in nav.select("a[href]"):
        match = season_link.match(href_path(attr(link, "href")))
        if match:
            seasons.add(0 if match.group(2) else int(match.group(1)[:6]))
    return sorted(seasons)


def _alternative_titles(heading: Tag, title: str) -> list[str]:
    raw = attr(heading, "data-alternativetitles")
    titles: list[str] = []
    for part in clean(raw).split(","):
        part = part.strip()
        if part and part != title and part not in titles:
            titles.append(part)
    return titles


def _description(soup: BeautifulSoup) -> str:
    box = soup.select_one("p.seri_des")
    # The element text is cut off ("mehr anzeigen"); the attribute holds the full text.
    return clean(attr(box, "data-full-description")) or text_of(box)


def _genres(soup: BeautifulSoup) -> list[str]:
    genres: list[str] = []
    for link in soup.select("div.genres a.genreButton, div.genres [itemprop=genre]"):
        name = text_of(link)
        if name and name.lower() not in LANGUAGE_PSEUDO_GENRES and name not in genres:
            genres.append(name)
    return genres


def _cover(soup: BeautifulSoup, base_url: str) -> str | None:
    source = image_source(soup.select_one("div.seriesCoverBox img"))
    return site_url(base_url, source) if source else None
