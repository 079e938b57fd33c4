"""Parsers for the two JSON search endpoints (``/ajax/search`` and ``/ajax/seriesSearch``)."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from aniworld.phrases import Phrase
from aniworld.site.errors import SiteLayoutChanged
from aniworld.site.parsers.common import SLUG_PATTERN, clean, site_url, to_int
from aniworld.site.types import SearchResult

logger = logging.getLogger(__name__)

_TAGS = re.compile(r"<[^>]*>")


def load_json_list(text: str, endpoint: str) -> list[Any]:
    """Decode a JSON array answer, tolerating HTML entities in the JSON text itself."""
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError:
        # Some answers carry entities outside string values; unescaping may repair them.
        try:
            data = json.loads(html.unescape(text))
        except ValueError:
            raise SiteLayoutChanged(Phrase(
                "the %(endpoint)s answer is not JSON any more; the site may have changed",
                endpoint=endpoint,
            )) from None
    if not isinstance(data, list):
        raise SiteLayoutChanged(
            Phrase("the %(endpoint)s answer is not a JSON list", endpoint=endpoint)
        )
    return data


def plain(value: Any) -> str:
    """Return a JSON field as display text: no highlight tags, no entities."""
    if not isinstance(value, str | int | float):
        return ""
    return clean(_TAGS.sub("", html.unescape(str(value))))


def parse_ajax_search(text: str, base_url: str, prefix: str) -> list[SearchResult]:
    """Parse ``POST /ajax/search``: keep only links of the form ``<prefix>/<slug>``."""
    series_link = re.compile(rf"^{re.escape(prefix)}/({SLUG_PATTERN})/?$")
    results = [
        SearchResult(key, title, None, None, site_url(base_url, f"{prefix}/{key}"),
                     plain(item.get("description")))
        for key, title, item in _entries(text, "search", series_link, ("title",))
    ]
    return dedupe(results)


def parse_series_search(text: str, base_url: str, prefix: str) -> list[SearchResult]:
    """Parse ``GET /ajax/seriesSearch``: ``link`` is the bare slug, with cover and years."""
    slug = re.compile(rf"^(?:{re.escape(prefix)}/)?({SLUG_PATTERN})/?$")
    results = []
    for key, title, item in _entries(text, "seriesSearch", slug, ("name", "title")):
        cover = plain(item.get("cover"))
        results.append(
            SearchResult(
                key=key,
                title=title,
                year=to_int(plain(item.get("productionYear"))),
                cover=site_url(base_url, cover) if cover else None,
                url=site_url(base_url, f"{prefix}/{key}"),
                description=plain(item.get("description")),
            )
        )
    return dedupe(results)


def _entries(
    text: str, endpoint: str, link: re.Pattern[str], title_fields: tuple[str, ...]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (slug, title, item) for each object whose link matches and that has a title."""
    for item in load_json_list(text, endpoint):
        if not isinstance(item, dict):
            continue
        match = link.match(plain(item.get("link")))
        title = next((t for t in (plain(item.get(f)) for f in title_fields) if t), "")
        if match and title:
            yield match.group(1), title, item


def dedupe(results: list[SearchResult]) -> list[SearchResult]:
    """Keep one result per slug, first seen wins, gaps filled from later duplicates."""
    merged: dict[str, SearchResult] = {}
    for result in results:
        known = merged.get(result.key)
        merged[result.key] = result if known is None else _fill(known, result)
    return list(merged.values())


def merge_results(*lists: list[SearchResult]) -> list[SearchResult]:
    """Merge the answers of several endpoints in order, deduplicated by slug."""
    return dedupe([result for results in lists for result in results])


def _fill(known: SearchResult, other: SearchResult) -> SearchResult:
    return SearchResult(
        key=known.key,
        title=known.title or other.title,
        year=known.year if known.year is not None else other.year,
        cover=known.cover or other.cover,
        url=known.url,
        description=known.description or other.description,
    )
