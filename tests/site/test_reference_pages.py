"""Every saved real page excerpt parses (or is explicitly out of scope), and copies are exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from aniworld.languages import Language
from aniworld.site.engines import ENGINES
from aniworld.site.errors import SiteLayoutChanged
from tests.site.conftest import BASE, REFERENCE_DIR, reference

ORIGINALS = Path("/work/shared/reference/aniworld-pages")
ANIWORLD = ENGINES["aniworld"]
EXPECTED_FILES = {
    "README.md",
    "ani-tui__aniworld-detail.html",
    "ani-tui__aniworld-episode.html",
    "ani-tui__aniworld-search.json",
    "ani-tui__aniworld-season.html",
    "ani-tui__aniworld-vidmoly-embed.html",
    "ani-tui__aniworld-voe-embed.html",
}


def test_every_reference_file_is_covered() -> None:
    """A new excerpt must get a test here before the suite passes."""
    assert {p.name for p in REFERENCE_DIR.iterdir()} == EXPECTED_FILES


@pytest.mark.skipif(not ORIGINALS.is_dir(), reason="shared reference folder not present")
@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_copy_equals_original(name: str) -> None:
    """The copies under tests/ are byte-exact copies of the shared originals."""
    assert (REFERENCE_DIR / name).read_bytes() == (ORIGINALS / name).read_bytes()


def test_search_excerpt() -> None:
    """Duplicates, episode and support links go; <em> and entities are cleaned."""
    results = ANIWORLD.parse_search([reference("ani-tui__aniworld-search.json"), ""], BASE)
    assert [r.key for r in results] == ["attack-on-titan", "attack-and-defense"]
    assert results[1].title == (
        "Attack & Defense: Do You Love Your Mom and Her Two-Hit Multi-Target Attacks?"
    )
    assert results[0].url == f"{BASE}/anime/stream/attack-on-titan"
    assert results[0].description == "desc"


def test_detail_excerpt() -> None:
    """Title, alternative titles (camel-case attribute), full description and Filme = 0."""
    markup = reference("ani-tui__aniworld-detail.html")
    info = ANIWORLD.parse_series(markup, BASE, "attack-on-titan")
    assert info.title == "Attack on Titan"
    assert info.alternative_titles == ["Shingeki no Kyojin"]
    assert info.description.startswith("Vor mehreren hundert Jahren")
    assert info.seasons == [0, 1, 2]
    # The excerpt is trimmed: no years, genres or cover block.
    assert (info.start_year, info.end_year, info.genres, info.cover) == (None, None, [], None)


def test_season_excerpt() -> None:
    """Numbers come from meta[itemprop=episodeNumber].

    Known inaccuracy (README): every row has data-episode-season-id="1"; the parser must not
    read the number from it. The excerpt has no flag cells, so no languages are known.
    """
    episodes = ANIWORLD.parse_season(
        reference("ani-tui__aniworld-season.html"), BASE, "attack-on-titan", 1
    )
    assert [e.number for e in episodes] == [1, 2, 3]
    assert episodes[0].title_de.startswith("An dich in 2000 Jahren")
    assert episodes[2].title_en == "A Dim Light Amid Despair: Humanity's Comeback, Part 1"
    assert episodes[1].url == f"{BASE}/anime/stream/attack-on-titan/staffel-1/episode-2"
    assert all(e.languages == frozenset() for e in episodes)


def test_season_excerpt_header_has_seasons() -> None:
    """The season page carries the same navigation as the series page."""
    from aniworld.site.parsers.common import make_soup
    from aniworld.site.parsers.series import parse_season_numbers

    soup = make_soup(reference("ani-tui__aniworld-season.html"), "season")
    assert parse_season_numbers(soup, "/anime/stream") == [0, 1, 2]


def test_episode_excerpt() -> None:
    """Keys come from the flag box; the li class differs from the real site (README)."""
    hosters = ANIWORLD.parse_episode(reference("ani-tui__aniworld-episode.html"), BASE)
    assert hosters.language_keys == {
        "1": Language.GERMAN_DUB,
        "2": Language.ENGLISH_SUB,
        "3": Language.GERMAN_SUB,
    }
    assert [(h.hoster, h.language, h.link_id) for h in hosters.hosters] == [
        ("VOE", Language.GERMAN_DUB, "3540458"),
        ("Vidmoly", Language.GERMAN_DUB, "3381704"),
        ("Doodstream", Language.ENGLISH_SUB, "9999999"),
    ]
    assert hosters.hosters[0].redirect_url == f"{BASE}/redirect/3540458"


@pytest.mark.parametrize(
    "name", ["ani-tui__aniworld-vidmoly-embed.html", "ani-tui__aniworld-voe-embed.html"]
)
def test_hoster_embeds_are_not_site_pages(name: str) -> None:
    """Hoster player pages belong to aniworld.hosters; the site parsers reject them cleanly."""
    markup = reference(name)
    with pytest.raises(SiteLayoutChanged):
        ANIWORLD.parse_series(markup, BASE, "x")
    with pytest.raises(SiteLayoutChanged):
        ANIWORLD.parse_episode(markup, BASE)
