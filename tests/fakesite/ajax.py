"""JSON endpoints: /ajax/search, /ajax/seriesSearch, /ajax/randomGeneratorSeries (§2.8)."""

from __future__ import annotations

import json
import random

from tests.fakesite.catalog import Catalog, Series
from tests.fakesite.content import SUPPORT_QUESTIONS, USERS
from tests.fakesite.html import esc
from tests.fakesite.pages_series import cover_path, episode_path, series_path


def php_json(value: object) -> bytes:
    """Encode like PHP json_encode: ASCII only (``\\u00fc``) and slashes escaped as ``\\/``."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def highlight(text: str, keyword: str) -> str:
    """HTML-escape ``text`` and wrap the first case-insensitive match in ``<em>``."""
    at = text.casefold().find(keyword.casefold()) if keyword else -1
    if at < 0:
        return esc(text)
    end = at + len(keyword)
    return f"{esc(text[:at])}<em>{esc(text[at:end])}</em>{esc(text[end:])}"


def _matches(series: Series, keyword: str) -> bool:
    haystack = " ".join((series.title, *series.alt_titles)).casefold()
    return keyword.casefold() in haystack


def _teaser(text: str) -> str:
    return esc(text[:80].rstrip()) + " &#8230;"


def _item(title: str, description: str, link: str) -> dict[str, str]:
    return {"title": title, "description": description, "link": link}


def search(catalog: Catalog, keyword: str) -> bytes:
    """POST /ajax/search: series, an episode link, support questions and users that match."""
    keyword = keyword.strip()
    items: list[dict[str, str]] = []
    if not keyword:
        return php_json(items)
    for series in catalog.all():
        if not _matches(series, keyword):
            continue
        items.append(
            _item(
                highlight(series.title, keyword), _teaser(series.description), series_path(series)
            )
        )
        first = (
            series.seasons[0].episodes[0] if series.seasons and series.seasons[0].episodes else None
        )
        if first is not None:
            label = f"{series.title} Staffel {first.season} Episode {first.number}"
            items.append(
                _item(
                    highlight(label, keyword),
                    _teaser(first.description),
                    episode_path(series, first),
                )
            )
    for question, slug in SUPPORT_QUESTIONS:
        if keyword.casefold() in question.casefold():
            items.append(_item(highlight(question, keyword), "Support", f"/support/frage/{slug}"))
    for user in USERS:
        if keyword.casefold() in user.casefold():
            items.append(_item(highlight(user, keyword), "Benutzerprofil", f"/user/profil/{user}"))
    return php_json(items)


def _years(series: Series) -> str:
    return f"({series.start_year} - {series.end_year or 'Heute'})"


def series_search(catalog: Catalog, keyword: str) -> bytes:
    """GET /ajax/seriesSearch: bare slugs, small covers and "(YYYY - YYYY)"."""
    keyword = keyword.strip()
    found = [s for s in catalog.all() if keyword and _matches(s, keyword)]
    return php_json(
        [
            {
                "name": esc(s.title),
                "link": s.slug,
                "description": esc(s.description),
                "cover": cover_path(s, "150x225"),
                "productionYear": _years(s),
            }
            for s in found
        ]
    )


def random_series(catalog: Catalog) -> bytes:
    """POST /ajax/randomGeneratorSeries: a fixed-seed shuffle of the catalogue."""
    everything = catalog.all()
    picks = random.Random(20251124).sample(everything, k=min(10, len(everything)))
    return php_json([{"name": esc(s.title), "link": s.slug} for s in picks])
