"""Mutated real pages: every parser returns a value or raises a SiteError, nothing else."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aniworld.site.engines import ENGINES
from aniworld.site.errors import SiteError
from aniworld.site.parsers import parse_ajax_search, parse_series_search
from aniworld.site.parsers.feeds import parse_anime_calendar, parse_new_episodes
from aniworld.site.parsers.serienstream_calendar import parse_calendar
from aniworld.site.parsers.serienstream_search import parse_search_page, parse_suggest
from tests.fakesite import sto_pages
from tests.fakesite.content import STO_V2, build_catalog
from tests.fakesite.pages_episode import episode_page, series_page
from tests.fakesite.pages_feeds import anime_calendar_page, new_episodes_page
from tests.fakesite.sto_calendar import calendar_json
from tests.site import feed_skeletons, sto_skeletons
from tests.site.conftest import BASE, reference

ANIWORLD = ENGINES["aniworld"]
STO = ENGINES["serienstream"]
_TAG = re.compile(r"<[^<>]*>")
_ATTR = re.compile(r'\s[\w:-]+="[^"]*"')
_CATALOG = build_catalog()
_CAT = _CATALOG.series("dr-who-s-cat")
HTML_PAGES = [
    reference("ani-tui__aniworld-detail.html"),
    reference("ani-tui__aniworld-season.html"),
    reference("ani-tui__aniworld-episode.html"),
    series_page(_CAT, 1),
    episode_page(_CAT, 1, 2),
    series_page(_CAT, 2),  # the announced season: rows without hosters or flags
    series_page(_CAT.announced_without_rows(), 2),  # the same: an empty tbody
    episode_page(_CAT, 2, 1),  # an announcement: no hoster items
]
_DEMO = _CATALOG.series("demo-serie", STO_V2)
_REBOOT = _CATALOG.series("demo-serie-reboot-rache", STO_V2)
STO_PAGES = [
    sto_skeletons.SERIES_PAGE,
    sto_skeletons.EPISODE_PAGE,
    sto_skeletons.SEARCH_PAGE,
    sto_pages.series_page(_DEMO, 1, BASE),
    sto_pages.series_page(_DEMO, 0, BASE),
    sto_pages.series_page(_REBOOT, 2, BASE),  # announced: only "Demnächst" rows
    sto_pages.series_page(_REBOOT.announced_without_rows(), 2, BASE),  # the same, empty
    sto_pages.episode_page(_DEMO, _DEMO.episode(1, 1), BASE, lambda link: "/r?t=eyJ%3D", "Sub"),
    sto_pages.search_page([_DEMO], "demo", 1, 24),
]
_DAY = dt.date(2026, 7, 14)
FEED_PAGES = [
    feed_skeletons.NEW_EPISODES_PAGE,
    feed_skeletons.ANIME_CALENDAR_PAGE,
    new_episodes_page(_CATALOG, _DAY),
    anime_calendar_page(_CATALOG, _DAY, dt.time(12, 0)),
]
JSON_PAGES = [
    reference("ani-tui__aniworld-search.json"),
    '[{"name":"A &amp; B","link":"a-b","cover":"\\/c.jpg","productionYear":"(2020 - 2024)"}]',
    sto_skeletons.SUGGEST_JSON,
    feed_skeletons.STO_CALENDAR_JSON,
    calendar_json(_CATALOG, _DAY, dt.time(12, 0), "Sub").decode(),
]
PARSERS: list[Callable[[str], object]] = [
    lambda text: ANIWORLD.parse_series(text, BASE, "demo"),
    lambda text: ANIWORLD.parse_season(text, BASE, "demo", 1),
    lambda text: ANIWORLD.parse_season(text, BASE, "demo", 0),
    lambda text: ANIWORLD.parse_season(text, BASE, "dr-who-s-cat", 2),
    lambda text: ANIWORLD.parse_episode(text, BASE),
]
STO_PARSERS: list[Callable[[str], object]] = [
    lambda text: STO.parse_series(text, BASE, "demo-serie"),
    lambda text: STO.parse_season(text, BASE, "demo-serie", 1),
    lambda text: STO.parse_season(text, BASE, "demo-serie", 0),
    lambda text: STO.parse_season(text, BASE, "demo-serie-reboot-rache", 2),
    lambda text: STO.parse_episode(text, BASE),
    lambda text: parse_search_page(text, BASE),
]
FEED_PARSERS: list[Callable[[str], object]] = [
    lambda text: parse_new_episodes(text, BASE),
    lambda text: parse_anime_calendar(text, BASE),
]
JSON_PARSERS: list[Callable[[str], object]] = [
    lambda text: parse_ajax_search(text, BASE, "/anime/stream"),
    lambda text: parse_series_search(text, BASE, "/anime/stream"),
    lambda text: parse_suggest(text, BASE),
    lambda text: parse_calendar(text, BASE),
]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JUNK = st.text(alphabet=st.sampled_from('<>/="\' ab1&;#\u00e4-'), max_size=12)


def mutate_tag(draw: st.DrawFn, text: str) -> str:
    """Delete, duplicate, garble or strip the attributes of one tag."""
    tags = list(_TAG.finditer(text))
    if not tags:
        return text
    tag = tags[draw(st.integers(0, len(tags) - 1))]
    op = draw(st.sampled_from(["delete", "duplicate", "garble", "drop-attr"]))
    head, body, tail = text[: tag.start()], tag.group(), text[tag.end():]
    if op == "delete":
        return head + tail
    if op == "duplicate":
        return head + body + body + tail
    if op == "garble":
        cut = draw(st.integers(0, len(body)))
        return head + body[:cut] + draw(JUNK) + body[cut:] + tail
    return head + _ATTR.sub("", body, count=draw(st.integers(0, 3))) + tail


@st.composite
def mutated_html(draw: st.DrawFn, pages: list[str] = HTML_PAGES) -> str:
    """A real or stand-in page with a few random tag mutations and maybe a truncation."""
    text = draw(st.sampled_from(pages))
    for _ in range(draw(st.integers(1, 6))):
        text = mutate_tag(draw, text)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def mutated_json(draw: st.DrawFn) -> str:
    """A search answer with characters deleted, inserted or cut off."""
    text = draw(st.sampled_from(JSON_PAGES))
    for _ in range(draw(st.integers(1, 4))):
        cut = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:cut] + draw(JUNK) + text[cut:]
        else:
            text = text[:cut] + text[cut + draw(st.integers(1, 5)):]
    return text


def only_typed_errors(parsers: list[Callable[[str], object]], text: str) -> None:
    """Each parser returns or raises a SiteError subclass."""
    for parse in parsers:
        try:
            parse(text)
        except SiteError:
            pass


@FAST
@given(mutated_html())
def test_html_parsers_never_crash(text: str) -> None:
    """Deleted, duplicated, garbled tags and truncation."""
    only_typed_errors(PARSERS, text)


@FAST
@given(mutated_html(STO_PAGES))
def test_sto_v2_parsers_never_crash(text: str) -> None:
    """s.to V2 skeletons and stand-in pages, mutated the same way."""
    only_typed_errors(STO_PARSERS, text)


@FAST
@given(mutated_html(FEED_PAGES))
def test_feed_parsers_never_crash(text: str) -> None:
    """aniworld's /neue-episoden and /animekalender (skeletons and stand-in), mutated."""
    only_typed_errors(FEED_PARSERS, text)


@FAST
@given(mutated_json())
def test_json_parsers_never_crash(text: str) -> None:
    """Broken JSON text."""
    only_typed_errors(JSON_PARSERS, text)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.sampled_from(["/serie/a/staffel-1/episode-2", "2026-08-23",
                                              "20:15", "1", "Deutsch"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
_CALENDAR_FIELDS = st.sampled_from(["date", "time", "title", "language", "language_id",
                                    "season", "episode", "released", "url"])


@FAST
@given(st.dictionaries(st.text(max_size=12), st.lists(
    st.dictionaries(_CALENDAR_FIELDS, _JSON_VALUES) | _JSON_VALUES, max_size=4), max_size=4))
def test_calendar_parser_keeps_only_whole_entries(data: dict[str, object]) -> None:
    """Any calendar-shaped object: entries come out with a slug and numbers, or not at all."""
    for entry in parse_calendar(json.dumps(data), BASE):
        assert entry.key and entry.season >= 0 and entry.episode >= 0
        assert entry.url.startswith(f"{BASE}/serie/{entry.key}/staffel-")


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    """Whatever arrives instead of a page."""
    only_typed_errors(PARSERS + STO_PARSERS + FEED_PARSERS + JSON_PARSERS, text)
