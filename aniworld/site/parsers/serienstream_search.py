"""Parsers for s.to V2 search (suggest JSON + ``/suche`` page) and its ``/r`` play gate."""

from __future__ import annotations

import html
import json
import logging
import re

from aniworld.phrases import N_, Phrase, as_phrase
from aniworld.site.errors import SiteLayoutChanged
from aniworld.site.parsers.common import (
    SLUG_PATTERN,
    attr,
    clean,
    href_path,
    image_source,
    make_soup,
    site_url,
    text_of,
)
from aniworld.site.types import SearchResult

logger = logging.getLogger(__name__)

_SERIES_HREF = re.compile(rf"^/serie/(?:stream/)?({SLUG_PATTERN})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Markers of the "Stream wird vorbereitet" Turnstile/ALTCHA gate a /r answer may stay on.
GATE_MARKERS = (
    "player-prepare-turnstile",
    "player-prepare-form",
    "playerpreparemodal",
    "episode-redirect-gate-root",
    "cf-turnstile",
    "captcha-form",
    "altcha-widget",
    "<title>stream wird vorbereitet",
)


def parse_suggest(text: str, base_url: str) -> list[SearchResult]:
    """Parse ``/api/search/suggest``: ``{"shows": [{"name", "url"}], "people", "genres"}``."""
    if not text.strip():
        return []
    data = load_json(text, N_("search answer"))
    shows = data.get("shows") if isinstance(data, dict) else None
    if not isinstance(shows, list):
        raise SiteLayoutChanged(Phrase(
            "the s.to search answer no longer looks as expected (no 'shows' list); "
            "please report it"
        ))
    results = []
    for show in shows:
        if not isinstance(show, dict):
            continue
        found = _series_key(str(show.get("url") or ""))
        title = clean(str(show.get("name") or ""))
        if found and title:
            results.append(_result(found, title, None, base_url))
    return results


def parse_search_page(markup: str, base_url: str) -> list[SearchResult]:
    """Parse the series cards of ``/suche?term=`` (episode hits and later pages ignored)."""
    if not markup.strip():
        return []
    soup = make_soup(markup, N_("search"))
    results = []
    for card in soup.select(".search-results-list .cover-card"):
        if card.find_parent(class_="search-section--episodes") is not None:
            continue
        link = card.select_one('a[href*="/serie/"]')
        found = _series_key(attr(link, "href"))
        img = card.find("img")
        title = text_of(card.select_one(".show-title")) or clean(attr(img, "alt"))
        if found and title:
            cover = image_source(img)
            results.append(_result(found, title, site_url(base_url, cover) if cover else None,
                                   base_url))
    return results


def merge_v2_results(suggest: list[SearchResult], page: list[SearchResult]) -> list[SearchResult]:
    """Suggest order first, covers from the search page, page-only hits appended."""
    covers = {r.key: r.cover for r in page}
    merged: dict[str, SearchResult] = {}
    for result in suggest:
        if result.key not in merged:
            merged[result.key] = SearchResult(result.key, result.title, None,
                                              covers.get(result.key), result.url, "")
    for result in page:
        merged.setdefault(result.key, result)
    return list(merged.values())


def is_play_gate(markup: str) -> bool:
    """Return True when a page carries the Turnstile/ALTCHA play gate markers."""
    head = markup[:100_000].lower()
    return any(marker in head for marker in GATE_MARKERS)


def load_json(text: str, what: str | Phrase) -> object:
    """Decode an s.to JSON answer (control characters dropped, entities tolerated).

    Raise SiteLayoutChanged naming ``what`` when it is not JSON.
    """
    cleaned = _CONTROL.sub("", text)
    try:
        return json.loads(cleaned)
    except ValueError:
        pass
    try:
        # Some answers arrive HTML-escaped as a whole.
        return json.loads(html.unescape(cleaned))
    except ValueError:
        raise SiteLayoutChanged(Phrase(
            "the s.to %(what)s is not valid JSON; the site may have changed, please report it",
            what=as_phrase(what),
        )) from None


def _series_key(href: str) -> str | None:
    match = _SERIES_HREF.match(href_path(href))
    return match.group(1) if match else None


def _result(key: str, title: str, cover: str | None, base_url: str) -> SearchResult:
    return SearchResult(key=key, title=title, year=None, cover=cover,
                        url=f"{base_url}/serie/{key}", description="")
