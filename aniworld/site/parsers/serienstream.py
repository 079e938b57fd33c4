"""Parsers for s.to's V2 engine (serienstream.to since Jan 2026): series, season, episode."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import parse_qs, quote, urlsplit

from bs4 import BeautifulSoup, Tag

from aniworld.languages import Language
from aniworld.phrases import N_, Phrase
from aniworld.site.errors import SiteNotFound
from aniworld.site.parsers.common import (
    SLUG_PATTERN,
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
from aniworld.site.types import EpisodeHosters, EpisodeInfo, HosterLink, SeriesInfo

logger = logging.getLogger(__name__)

# data-language-id on the hoster buttons: 3 = German subtitles on English audio.
V2_LANGUAGE_KEYS: Mapping[str, Language] = {
    "1": Language.GERMAN_DUB,
    "2": Language.ENGLISH_DUB,
    "3": Language.GERMAN_SUB,
}
# Inline SVG flag names in the season table ("<audio>[-<subtitle>]").
V2_FLAGS: Mapping[str, Language] = {
    "german": Language.GERMAN_DUB,
    "english": Language.ENGLISH_DUB,
    "english-german": Language.GERMAN_SUB,
}
_SEASON_HREF = re.compile(rf"^/serie/({SLUG_PATTERN})/staffel-(\d{{1,4}})$")
EPISODE_HREF = re.compile(rf"^/serie/({SLUG_PATTERN})/staffel-(\d{{1,4}})/episode-(\d{{1,4}})$")
_ONCLICK = re.compile(r"""window\.location\s*=\s*['"]([^'"]+)['"]""")
_FLAG_CLASS = re.compile(r"(?:svg-flag-|#icon-flag-)([a-z-]+)")
_UPCOMING = re.compile(r"\b(?:demnächst|tba|coming soon)\b")
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{1,4096}$")


def parse_v2_series(markup: str, base_url: str, key: str) -> SeriesInfo:
    """Parse ``/serie/<slug>``: title, description, genres, year, cover and season list."""
    soup = make_soup(markup, N_("series"))
    title = text_of(require(_title(soup), N_("series"), N_("the h1 title")))
    year_link = soup.select_one('p.text-muted a[href*="/jahr/"]')
    seasons = _nav_seasons(soup, key)
    if not seasons and soup.select_one("tr.episode-row") is not None:
        seasons = [1]
    return SeriesInfo(
        key=key,
        title=title,
        alternative_titles=[],
        description=text_of(soup.select_one("span.description-text")),
        genres=_facts(soup, "genre"),
        start_year=to_int(text_of(year_link)) if year_link is not None else None,
        end_year=None,
        cover=_cover(soup, base_url),
        url=f"{base_url}/serie/{key}",
        seasons=seasons,
    )


def parse_v2_season(markup: str, base_url: str, key: str, season: int) -> list[EpisodeInfo]:
    """Parse the episode table of ``/serie/<slug>/staffel-N``; upcoming rows are left out."""
    soup = make_soup(markup, N_("season"))
    require(_title(soup), N_("season"), N_("the h1 title"))
    listed = _nav_seasons(soup, key)
    if listed and season not in listed:
        raise SiteNotFound(
            Phrase("the site lists no season %(season)s for this series", season=season)
        )
    active = _active_season(soup)
    if active is not None and active != season:
        # A site that answers an unknown season path with another season's page.
        raise SiteNotFound(Phrase(
            "the site answered season %(active)s when asked for season %(season)s",
            active=active, season=season,
        ))
    episodes: dict[int, EpisodeInfo] = {}
    for row in soup.select("tr.episode-row"):
        found = _row(row, base_url, key, season)
        if found is not None:
            episodes.setdefault(found.number, found)
    return sorted(episodes.values(), key=lambda e: e.number)


def parse_v2_episode(markup: str, base_url: str) -> EpisodeHosters:
    """Parse the ``button[data-play-url]`` hoster buttons (none for an upcoming episode)."""
    soup = make_soup(markup, N_("episode"))
    buttons = soup.select("[data-play-url]")
    if not buttons:
        require(soup.select_one("h2.h4") or _title(soup), N_("episode"), N_("the episode heading"))
    hosters: list[HosterLink] = []
    keys: dict[str, Language] = {}
    seen: set[str] = set()
    for button in buttons:
        link = _button(button, base_url, keys)
        if link is not None and link.redirect_url not in seen:
            seen.add(link.redirect_url)
            hosters.append(link)
    return EpisodeHosters(hosters=hosters, language_keys=keys)


def play_path(value: str) -> str | None:
    """Return ``/r?t=<token>`` (token re-encoded) for a play URL or path, else None."""
    parts = urlsplit(str(value).strip())
    tokens = parse_qs(parts.query).get("t") or []
    if parts.path.rstrip("/") != "/r" or len(tokens) != 1 or not _TOKEN.match(tokens[0]):
        return None
    return "/r?t=" + quote(tokens[0], safe="")


def _title(soup: BeautifulSoup) -> Tag | None:
    return soup.select_one("h1.fw-bold") or soup.find("h1")


def _nav_seasons(soup: BeautifulSoup, key: str) -> list[int]:
    found: set[int] = set()
    for link in soup.select("a[href]"):
        match = _SEASON_HREF.match(href_path(attr(link, "href")))
        if match and match.group(1) == key:
            found.add(int(match.group(2)))
    for pill in soup.select("#season-nav [data-season-pill]"):
        number = attr(pill, "data-season-pill").strip()
        if number.isdigit() and len(number) < 5:
            found.add(int(number))
    return sorted(found)


def _active_season(soup: BeautifulSoup) -> int | None:
    """The season the nav marks active (the one whose table the page shows), if marked."""
    for pill in soup.select("#season-nav [data-season-pill]"):
        number = attr(pill, "data-season-pill").strip()
        if "active" in attr(pill, "class").split() and number.isdigit() and len(number) < 5:
            return int(number)
    return None


def _facts(soup: BeautifulSoup, label: str) -> list[str]:
    for group in soup.select("li.series-group"):
        if text_of(group.find("strong")).lower().startswith(label):
            names = [text_of(a) for a in group.select("a")]
            return list(dict.fromkeys(name for name in names if name))
    return []


def _cover(soup: BeautifulSoup, base_url: str) -> str | None:
    for img in soup.select("picture img"):
        if img.find_parent(class_="backdrop-picture") is not None:
            continue
        source = image_source(img)
        if "/media/images/channel/" in source:
            return site_url(base_url, source)
    return None


def _row(row: Tag, base_url: str, key: str, season: int) -> EpisodeInfo | None:
    if _is_upcoming(row):
        return None
    path = _row_path(row)
    match = EPISODE_HREF.match(path)
    if match is None or match.group(1) != key or int(match.group(2)) != season:
        logger.warning("season row skipped path=%s season=%s", path, season)
        return None
    number = to_int(text_of(row.find("th"))) or int(match.group(3))
    return EpisodeInfo(
        season=season,
        number=number,
        title_de=text_of(row.select_one(".episode-title-ger")),
        title_en=text_of(row.select_one(".episode-title-eng")),
        languages=_row_languages(row),
        url=site_url(base_url, path),
    )


def _is_upcoming(row: Tag) -> bool:
    if "upcoming" in attr(row, "class").lower() or row.select_one(".badge-upcoming"):
        return True
    text = text_of(row).lower()
    for title in row.select(".episode-title-ger, .episode-title-eng"):
        text = text.replace(text_of(title).lower(), " ")  # a title may say "Demnächst"
    return _UPCOMING.search(text) is not None


def _row_path(row: Tag) -> str:
    link = row.select_one('a[href*="/episode-"]')
    if link is not None:
        return href_path(attr(link, "href"))
    match = _ONCLICK.search(attr(row, "onclick"))
    return href_path(match.group(1)) if match else ""


def _row_languages(row: Tag) -> frozenset[Language]:
    cell = row.select_one("td.episode-language-cell")
    found: set[Language] = set()
    for tag in cell.select("svg, use") if cell is not None else []:
        marks = f"{attr(tag, 'class')} {attr(tag, 'href')} {attr(tag, 'xlink:href')}"
        for name in _FLAG_CLASS.findall(marks.lower()):
            language = V2_FLAGS.get(name)
            if language is None:
                logger.warning("unknown s.to flag name=%s", name)
            else:
                found.add(language)
    return frozenset(found)


def _button(button: Tag, base_url: str, keys: dict[str, Language]) -> HosterLink | None:
    path = play_path(attr(button, "data-play-url"))
    name = clean(attr(button, "data-provider-name")) or text_of(button)
    key = clean(attr(button, "data-language-id"))
    label = attr(button, "data-language-label")
    language = V2_LANGUAGE_KEYS.get(key) or language_from_label(label)
    if path is None or not name or language is None:
        logger.warning("hoster button skipped play=%s name=%s language_id=%s",
                       attr(button, "data-play-url")[:80], name, key)
        return None
    if key:
        keys.setdefault(key, language)
    return HosterLink(
        hoster=name,
        language=language,
        link_id=clean(attr(button, "data-link-id")) or path,
        redirect_url=base_url + path,
    )


def language_from_label(label: str) -> Language | None:
    """Map a language label ("Deutsch", "Englisch", "... Untertitel") to a language."""
    text = clean(label).lower()
    if "untertitel" in text:
        return Language.GERMAN_SUB
    return {"deutsch": Language.GERMAN_DUB, "englisch": Language.ENGLISH_DUB}.get(text)

