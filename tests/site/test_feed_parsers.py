"""Feed parsers (site-2026 §7) against the §7 skeletons, the stand-in's pages and broken input:
a row missing what identifies an episode is skipped, a missing optional field stays empty."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aniworld.languages import Language
from aniworld.site.errors import SiteLayoutChanged
from aniworld.site.parsers.feeds import clock, parse_anime_calendar, parse_new_episodes
from aniworld.site.parsers.serienstream_calendar import parse_calendar
from aniworld.site.types import FeedEntry
from tests.fakesite.content import build_catalog
from tests.fakesite.pages_feeds import NEW_EPISODE_ROWS, anime_calendar_page, new_episodes_page
from tests.fakesite.releases import release_episode
from tests.fakesite.sto_calendar import calendar_json
from tests.site import feed_skeletons as skel

BASE = "https://aniworld.example"
TODAY = dt.date(2026, 7, 14)  # a Tuesday
NOON = dt.time(12, 0)
DE, SUB, EN_SUB, EN = (Language.GERMAN_DUB, Language.GERMAN_SUB, Language.ENGLISH_SUB,
                       Language.ENGLISH_DUB)
ALL_AW = frozenset({DE, SUB, EN_SUB})


def test_skeleton_new_episodes() -> None:
    assert parse_new_episodes(skel.NEW_EPISODES_PAGE, BASE) == [FeedEntry(
        key="demo-anime", title="Demo Anime", season=1, episode=5, languages=frozenset({SUB}),
        url=f"{BASE}/anime/stream/demo-anime/staffel-1/episode-5", day=dt.date(2026, 7, 10),
        new=True)]


def test_skeleton_anime_calendar() -> None:
    [entry] = parse_anime_calendar(skel.ANIME_CALENDAR_PAGE, BASE)
    assert (entry.key, entry.title, entry.season, entry.episode) == ("demo-anime", "Demo Anime",
                                                                     1, 3)
    assert (entry.day, entry.time, entry.languages) == (TODAY, dt.time(15, 40),
                                                        frozenset({DE}))
    assert not entry.released and not entry.new


def test_skeleton_sto_calendar() -> None:
    assert parse_calendar(skel.STO_CALENDAR_JSON, "https://s.example") == [FeedEntry(
        key="demo-serie", title="Demo Serie", season=2, episode=4, languages=frozenset({DE}),
        url="https://s.example/serie/demo-serie/staffel-2/episode-4", day=dt.date(2026, 8, 23),
        time=dt.time(20, 15), released=True)]


def test_stand_in_new_episodes_merge_language_rows() -> None:
    """150 rows become fewer entries: the rows of one episode are one entry per day."""
    catalog = build_catalog()
    entries = parse_new_episodes(new_episodes_page(catalog, TODAY), BASE)
    assert len(entries) < NEW_EPISODE_ROWS
    kaempfer = next(e for e in entries if e.key == "kaempfer-des-lichts-die-rueckkehr")
    assert (kaempfer.season, kaempfer.episode, kaempfer.languages) == (3, 32, ALL_AW)
    film = next(e for e in entries if e.season == 0)
    assert (film.key, film.episode, film.url) == (
        "sternenstaub", 2, f"{BASE}/anime/stream/sternenstaub/filme/film-2")
    assert film.languages == frozenset({SUB, EN_SUB})
    assert entries[0].new and not entries[-1].new
    assert entries[0].day == TODAY and entries[-1].day < TODAY
    assert all(e.released and e.time is None for e in entries)


def test_release_is_the_first_new_episode() -> None:
    catalog = build_catalog()
    episode = release_episode(catalog, "hell-s-kitchen-mage", 1)
    [first, *_] = parse_new_episodes(new_episodes_page(catalog, TODAY), BASE)
    assert (first.key, first.season, first.episode) == ("hell-s-kitchen-mage", 1, episode.number)
    assert first.new and first.day == TODAY and first.languages == frozenset({SUB, EN_SUB})


def test_stand_in_calendar_week() -> None:
    """Past days online, today and later announced under the series URL; 23:59 = no time."""
    entries = parse_anime_calendar(anime_calendar_page(build_catalog(), TODAY, NOON), BASE)
    assert {e.day for e in entries} == {dt.date(2026, 7, 13 + n) for n in range(7)}
    assert all(e.released == (e.day < TODAY) for e in entries)
    series_only = [e for e in entries if e.url.endswith(f"/anime/stream/{e.key}")]
    assert series_only and all(e.episode >= 1 for e in series_only)
    assert len({e.key for e in entries if e.time is None}) == 1  # the one 23:59 card
    kaempfer = next(e for e in entries if e.key == "kaempfer-des-lichts-die-rueckkehr")
    assert (kaempfer.season, kaempfer.languages) == (3, ALL_AW)


def test_stand_in_sto_calendar() -> None:
    """Released and scheduled entries, one per episode and day; films as season 0."""
    text = calendar_json(build_catalog(), TODAY, NOON, "Deutsch (Untertitel)").decode()
    assert all(key == day for key, items in json.loads(text).items()
               for day in {item["date"] for item in items})
    entries = parse_calendar(text, "https://s.example")
    demo = {(e.season, e.episode): e for e in entries if e.key == "demo-serie"}
    assert set(demo) == {(2, 2), (2, 1), (1, 3), (1, 2), (0, 2), (1, 4)}
    assert demo[(2, 1)].languages == frozenset({DE, EN}) and demo[(2, 1)].released
    assert demo[(1, 2)].languages == frozenset({SUB})  # language id 3
    assert not demo[(1, 4)].released and demo[(1, 4)].day > TODAY
    assert demo[(1, 4)].time is None  # 23:59 placeholder


# --- mutated input -------------------------------------------------------------------------

ENTRY = {"date": "2026-08-23", "time": "20:15", "title": "Demo Serie", "language": "Deutsch",
         "language_id": 1, "season": 2, "episode": 4, "released": True,
         "url": "/serie/demo-serie/staffel-2/episode-4"}


def sto_parse(*items: object, day: str = "2026-08-23") -> list[FeedEntry]:
    """Parse a calendar of one day holding ``items``."""
    return parse_calendar(json.dumps({day: list(items)}), "https://s.example")


@pytest.mark.parametrize("drop", ["url", "title", "time", "language", "language_id",
                                  "season", "episode", "released", "date"])
def test_sto_entry_without_a_field(drop: str) -> None:
    """Only the URL is required; numbers fall back to it, the rest to empty or false."""
    entries = sto_parse({k: v for k, v in ENTRY.items() if k != drop})
    if drop == "url":
        assert entries == []
        return
    [entry] = entries
    assert (entry.key, entry.season, entry.episode, entry.day) == (
        "demo-serie", 2, 4, dt.date(2026, 8, 23))
    assert entry.released == (drop != "released")
    assert entry.title == ("demo-serie" if drop == "title" else "Demo Serie")
    assert entry.languages == frozenset({DE})  # language id or label suffices


@pytest.mark.parametrize("item", [
    "text", 7, None, [ENTRY], {**ENTRY, "url": "/serie/demo-serie"},
    {**ENTRY, "url": 5}, {**ENTRY, "season": 3}, {**ENTRY, "episode": "x"},
    {**ENTRY, "season": True}, {**ENTRY, "episode": 4.5},
])
def test_sto_broken_entries_are_skipped(item: object) -> None:
    assert sto_parse(item, ENTRY) == sto_parse(ENTRY)


def test_sto_odd_values() -> None:
    [entry] = sto_parse({**ENTRY, "time": "25:99", "date": "gestern", "language_id": 9,
                         "language": "Klingonisch", "released": "yes", "season": "02"})
    assert (entry.time, entry.day, entry.languages, entry.released, entry.season) == (
        None, dt.date(2026, 8, 23), frozenset(), False, 2)
    assert sto_parse(ENTRY, day="kein-datum")[0].day == dt.date(2026, 8, 23)
    assert parse_calendar(json.dumps({"2026-08-23": "none", "2026-08-24": [ENTRY]}), "") != []


@pytest.mark.parametrize("text", ["[]", "{}", '{"2026-08-23": []}'])
def test_sto_empty_calendars(text: str) -> None:
    assert parse_calendar(text, "https://s.example") == []


@pytest.mark.parametrize("text", ["", "<html>", "[1]", '"x"', "null"])
def test_sto_non_calendar_is_a_layout_change(text: str) -> None:
    with pytest.raises(SiteLayoutChanged):
        parse_calendar(text, "https://s.example")


def test_new_episode_rows_missing_parts() -> None:
    """Without flag, date or tag the row still counts; without a usable href it is skipped."""
    row = ('<div class="col-md-12"><a href="{href}"><strong>T</strong></a>{extra}</div>')
    page = '<div class="newEpisodeList">' + "".join([
        row.format(href="/anime/stream/a/staffel-1/episode-2", extra=""),
        row.format(href="/anime/stream/b", extra=""),
        row.format(href="/anime/stream/c/staffel-x/episode-1", extra=""),
        row.format(href="https://else.where/anime/stream/d/filme/film-3",
                   extra='<img class="flag" src="/public/img/klingon.svg">'),
        '<div class="col-md-12"><a><strong>no href</strong></a></div>',
    ]) + "</div>"
    entries = parse_new_episodes(page, BASE)
    assert [(e.key, e.season, e.episode, e.languages, e.day, e.new) for e in entries] == [
        ("a", 1, 2, frozenset(), None, False), ("d", 0, 3, frozenset(), None, False)]
    assert entries[1].url == f"{BASE}/anime/stream/d/filme/film-3"


def test_calendar_cards_missing_parts() -> None:
    """A series-only card without ``S01E03`` is skipped; a missing day or time stays None."""
    card = '<div><a href="{href}"><h3 class="seriesTitle">T</h3>{small}</a></div>'
    page = ('<section class="calendarList"><h3>Kein Datum</h3><div>' + "".join([
        card.format(href="/anime/stream/a", small="<small>~ 15:40 Uhr</small>"),
        card.format(href="/anime/stream/b", small="<small>S02E07</small>"),
        card.format(href="/anime/stream/c/staffel-1/episode-4", small=""),
    ]) + "</div></section>")
    entries = parse_anime_calendar(page, BASE)
    assert [(e.key, e.season, e.episode, e.day, e.time, e.released) for e in entries] == [
        ("b", 2, 7, None, None, False), ("c", 1, 4, None, None, False)]


@pytest.mark.parametrize("parse", [parse_new_episodes, parse_anime_calendar])
def test_page_without_the_feed_is_a_layout_change(parse: object) -> None:
    with pytest.raises(SiteLayoutChanged):
        parse("<html><body><h1>Wartung</h1></body></html>", BASE)  # type: ignore[operator]


@pytest.mark.parametrize(("text", "expected"), [
    ("~ 15:40 Uhr", dt.time(15, 40)), ("20:15", dt.time(20, 15)), ("~ 23:59 Uhr", None),
    ("24:00", None), ("", None), ("bald", None), ("9:05", dt.time(9, 5)),
])
def test_clock(text: str, expected: dt.time | None) -> None:
    assert clock(text) == expected
