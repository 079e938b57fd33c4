"""Parsers for the two JSON search endpoints (``/ajax/search`` and ``/ajax/seriesSearch``)."""

from __future__ import annotations

import html
import json
import logging
import re
from typing import Any

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
            raise SiteLayoutChanged(
                f"the {endpoint} answer is not JSON any more; the site may have changed"
            ) from None
    if not isinstance(data, list):
        raise SiteLayoutChanged(f"the {endpoint} answer is not a JSON list")
    return data


def plain(value: Any) -> str:
    """Return a JSON field as display text: no highlight tags, no entities."""
    if not isinstance(value, str | int | float):
        return ""
    return clean(_TAGS.sub("", html.unescape(str(value))))


def parse_ajax_search(text: str, base_url: str, prefix: str) -> list[SearchResult]:
    """Parse ``POST /ajax/search``: keep only links of the form ``<prefix>/<slug>``."""
    series_link = re.compile(rf"^{re.escape(prefix)}/({SLUG_PATTERN})/?$")
    results = []
    for item in load_json_list(text, "search"):
        if not isinstance(item, dict):
            continue
        match = series_link.match(plain(item.get("link")))
        title = plain(item.get("title"))
        if not match or not title:
            continue
        key = match.group(1)
        url = site_url(base_url, f"{prefix}/{key}")
        results.append(SearchResult(key, title, None, None, url, plain(item.get("description"))))
    return dedupe(results)


def parse_series_search(text: str, base_url: str, prefix: str) -> list[SearchResult]:
    """Parse ``GET /ajax/seriesSearch``: ``link`` is the bare slug, with cover and years."""
    slug = re.compile(rf"^(?:{re.escape(prefix)}/)?({SLUG_PATTERN})/?$")
    results = []
    for item in load_json_list(text, "seriesSearch"):
        if not isinstance(item, dict):
            continue
        match = slug.match(plain(item.get("link")))
        title = plain(item.get("name")) or plain(item.get("title"))
        if not match or not title:
            continue
        key = match.group(1)
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
