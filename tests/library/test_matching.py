"""Title normalisation and folder-to-series matching."""

from __future__ import annotations

import pytest

from aniworld.library.matching import match_folder, normalise_title, title_keys
from aniworld.site.types import SearchResult


def result(key: str, title: str, year: int | None = None) -> SearchResult:
    """A search result with only the fields matching reads."""
    return SearchResult(key, title, year, None, f"https://aniworld.to/anime/stream/{key}", "")


@pytest.mark.parametrize(("title", "expected"), [
    ("Kämpfer des Lichts", "kaempfer des lichts"),
    ("The Promised Neverland", "promised neverland"),
    ("Re:Zero - Starting Life in Another World", "re zero starting life in another world"),
    ("Pokémon (2019)", "pokemon"),
    ("Straße [2001]", "strasse"),
    ("Tom & Jerry", "tom and jerry"),
    ("  ÖL   Über  ", "oel ueber"),
    ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
])
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


@pytest.mark.parametrize(("left", "right"), [
    ("Kämpfer des Lichts", "Kaempfer des Lichts"),
    ("Kämpfer des Lichts", "Kampfer des Lichts"),
    ("Kämpfer des Lichts", "kaempfer-des-lichts"),
    ("Re:Zero", "ReZero"),
    ("The Rising of the Shield Hero", "Rising of Shield Hero"),
    ("Attack on Titan (2013)", "Attack on Titan"),
])
def test_title_variants_meet(left: str, right: str) -> None:
    assert title_keys(left) & title_keys(right)


def test_different_titles_do_not_meet() -> None:
    assert not title_keys("Naruto") & title_keys("Naruto Shippuden")


def test_exact_title_and_year() -> None:
    wanted = result("kaempfer-des-lichts", "Kämpfer des Lichts", 2019)
    match = match_folder("Kaempfer des Lichts", 2019, [result("x", "Other"), wanted])
    assert (match.result, match.confidence, match.confident) == (wanted, 1.0, True)


@pytest.mark.parametrize(("folder_year", "site_year"), [(None, 2019), (2019, None), (None, None)])
def test_exact_title_with_a_year_unknown(folder_year: int | None, site_year: int | None) -> None:
    wanted = result("a", "Title", site_year)
    match = match_folder("Title", folder_year, [wanted])
    assert match.result == wanted
    assert 0.8 < match.confidence < 1.0


def test_year_mismatch_is_unmatched() -> None:
    match = match_folder("Title", 2020, [result("a", "Title", 2005)])
    assert match.result is None
    assert "year" in str(match.reason)


def test_year_picks_among_remakes() -> None:
    old, new = result("hxh-1999", "Hunter x Hunter", 1999), result("hxh", "Hunter x Hunter", 2011)
    assert match_folder("Hunter x Hunter", 2011, [old, new]).result == new
    assert match_folder("Hunter x Hunter", 1999, [old, new]).result == old


def test_same_title_without_year_is_ambiguous() -> None:
    candidates = [result("hxh-1999", "Hunter x Hunter", 1999),
                  result("hxh", "Hunter x Hunter", 2011)]
    match = match_folder("Hunter x Hunter", None, candidates)
    assert match.result is None
    assert "year" in str(match.reason)


def test_single_alternative_title_match() -> None:
    wanted = result("shingeki", "Attack on Titan", 2013)
    alternatives = {"shingeki": ["Shingeki no Kyojin", "進撃の巨人"], "x": ["Something"]}
    match = match_folder("Shingeki no Kyojin", None, [wanted, result("x", "X")], alternatives)
    assert (match.result, match.confidence) == (wanted, 0.8)


def test_two_alternative_title_matches_are_unmatched() -> None:
    alternatives = {"a": ["Same Name"], "b": ["Same Name"]}
    match = match_folder("Same Name", None, [result("a", "A"), result("b", "B")], alternatives)
    assert match.result is None


def test_exact_title_wins_over_alternative() -> None:
    exact = result("b", "Same Name")
    match = match_folder("Same Name", None, [result("a", "A"), exact], {"a": ["Same Name"]})
    assert match.result == exact


@pytest.mark.parametrize(("title", "candidates"), [
    ("Naruto", [result("naruto-shippuden", "Naruto Shippuden")]),
    ("One Piece Film Red", [result("one-piece", "One Piece")]),
    ("Something", []),
    ("[1080p]", [result("a", "A")]),
    ("!!!", [result("a", "A")]),
])
def test_unconfident(title: str, candidates: list[SearchResult]) -> None:
    match = match_folder(title, None, candidates)
    assert match.result is None
    assert not match.confident
    assert 0.0 <= match.confidence < 0.8


def test_closest_candidate_is_named() -> None:
    match = match_folder("Naruto", None, [result("a", "Bleach"), result("b", "Naruto Shippuden")])
    assert "Naruto Shippuden" in str(match.reason)
