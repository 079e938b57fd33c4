"""Reading a Torznab query as Sonarr writes it: clean scene titles, numbers, years."""

from __future__ import annotations

import pytest

from aniworld.services.bridge.titles import TitleMatch, holds_words, match_titles, title_forms

SERIES = [
    ("kaempfer", ["Kämpfer des Lichts: Die Rückkehr", "Warriors of Light: The Return"]),
    ("hells", ["Hell's Kitchen Mage"]),
    ("cat", ["Dr. Who's Cat"]),
    ("hxh", ["Hunter x Hunter"]),
    ("mob", ["Mob Psycho 100"]),
    ("bros", ["Fullmetal Alchemist: Brotherhood"]),
    ("alchemist", ["Fullmetal Alchemist"]),
]


def named(text: str, numbered: bool = True) -> list[tuple[str, str, int | None]]:
    return [(m.item, m.title, m.absolute) for m in match_titles(SERIES, text, numbered)]


@pytest.mark.parametrize(("query", "key"), [
    # What Sonarr's GetCleanSceneTitle makes of each title, "+" sent as spaces.
    ("Kampfer des Lichts Die Ruckkehr", "kaempfer"),
    ("Kaempfer des Lichts Die Rueckkehr", "kaempfer"),  # typed with umlauts spelled out
    ("Warriors of Light The Return", "kaempfer"),
    ("Hells Kitchen Mage", "hells"),
    ("Dr Whos Cat", "cat"),
    ("Hunter x Hunter 2011", "hxh"),
])
def test_clean_scene_titles_name_their_series(query: str, key: str) -> None:
    assert [item for item, _title, absolute in named(query)] == [key]


def test_the_title_the_query_named_is_the_one_the_release_carries() -> None:
    assert named("Warriors of Light The Return") == [
        ("kaempfer", "Warriors of Light: The Return", None)]


def test_absolute_number_after_the_title() -> None:
    assert named("Hells Kitchen Mage 07") == [("hells", "Hell's Kitchen Mage", 7)]
    assert named("Hunter x Hunter 2011 05") == [("hxh", "Hunter x Hunter", 5)]
    # A tvsearch with season and ep: the number can only be words of an episode's title.
    assert match_titles(SERIES, "Hells Kitchen Mage 07", numbered=False) == [
        TitleMatch("hells", "Hell's Kitchen Mage", None, ("07",))]


def test_a_number_in_the_title_is_part_of_the_title() -> None:
    assert named("Mob Psycho 100") == [("mob", "Mob Psycho 100", None)]
    assert named("Mob Psycho 100 12") == [("mob", "Mob Psycho 100", 12)]


def test_exact_titles_win_over_titles_that_hold_the_words() -> None:
    assert [item for item, _t, _a in named("Fullmetal Alchemist")] == ["alchemist"]
    assert sorted(item for item, _t, _a in named("Alchemist")) == ["alchemist", "bros"]


def test_series_title_followed_by_an_episode_title() -> None:
    found = match_titles(SERIES, "Dr Whos Cat Sieben Leben")
    assert found == [TitleMatch("cat", "Dr. Who's Cat", None, ("sieben", "leben"))]
    assert holds_words("Sieben Leben [Episode 7]", found[0].episode_words)
    assert not holds_words("Sieben", found[0].episode_words)


def test_empty_or_unknown_queries_name_nothing() -> None:
    assert named("") == [] and named("!!!") == [] and named("Naruto") == []
    assert title_forms("Kämpfer") == {("kampfer",), ("kaempfer",)}
