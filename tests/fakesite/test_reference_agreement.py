"""The saved real page excerpts and the fakesite's pages agree on the reference selectors."""

from __future__ import annotations

import json
import re

import pytest
import requests
from bs4 import BeautifulSoup

from tests.fakesite import FakeSite
from tests.fakesite.client import KAEMPFER, REFERENCE, soup

REFERENCE_SELECTORS = [
    (
        "ani-tui__aniworld-detail.html",
        KAEMPFER,
        [
            "div.series-title h1[itemprop=name] span",
            "p.seri_des[itemprop=accessibilitySummary][data-description-type=review]"
            "[data-full-description]",
            "div.hosterSiteDirectNav#stream ul li a[title='Alle Filme']",
            "div.hosterSiteDirectNav#stream ul li a.active[title='Staffel 1']",
            "#stream a[href*='/staffel-2'][title='Staffel 2']",
        ],
    ),
    (
        "ani-tui__aniworld-season.html",
        KAEMPFER + "/staffel-1",
        [
            "#stream ul li a[data-episode-id][data-season-id][title='Staffel 1 Episode 1']",
            "table.seasonEpisodesList tbody tr[data-episode-id][data-episode-season-id]"
            "[itemprop=episode][itemtype='http://schema.org/Episode']",
            "tr td.season1EpisodeID meta[itemprop=episodeNumber][content]",
            "tr td.season1EpisodeID a[itemprop=url][href*='/staffel-1/episode-']",
            "tr td.seasonEpisodeTitle a strong",
            "tr td.seasonEpisodeTitle a span",
        ],
    ),
    (
        "ani-tui__aniworld-episode.html",
        KAEMPFER + "/staffel-1/episode-1",
        [
            "div.changeLanguageBox strong",
            "div.changeLanguageBox img.selectedLanguage[data-lang-key='1'][src$='/german.svg']",
            "div.changeLanguageBox img[data-lang-key='3'][src$='/japanese-german.svg']",
            "div.changeLanguageBox img[data-lang-key='2'][src$='/japanese-english.svg']",
            "ul.row li[data-lang-key][data-link-id][data-link-target^='/redirect/']"
            "[data-external-embed=false]",
            "ul.row li div.generateInlinePlayer a.watchEpisode[itemprop=url][target=_blank]",
            "a.watchEpisode i.icon.VOE[title='Hoster VOE'] + h4",
            "a.watchEpisode i.icon.Vidmoly[title='Hoster Vidmoly'] + h4",
        ],
    ),
]


@pytest.mark.parametrize(("excerpt", "path", "selectors"), REFERENCE_SELECTORS)
def test_reference_excerpts_and_fakesite_agree(
    fakesite: FakeSite, excerpt: str, path: str, selectors: list[str]
) -> None:
    real = BeautifulSoup((REFERENCE / excerpt).read_text(), "lxml")
    ours = soup(fakesite, path)
    for selector in selectors:
        assert real.select(selector), f"reference lacks {selector!r}"
        assert ours.select(selector), f"fakesite lacks {selector!r}"


def test_reference_flag_strings_are_ours(fakesite: FakeSite) -> None:
    real = BeautifulSoup((REFERENCE / "ani-tui__aniworld-episode.html").read_text(), "lxml")
    ours = soup(fakesite, KAEMPFER + "/staffel-1/episode-1")

    def flags(page: BeautifulSoup) -> set[tuple[str, str, str, str]]:
        return {
            (i["src"], i["alt"], i["title"], i["data-lang-key"])
            for i in page.select("div.changeLanguageBox img")
        }

    assert flags(real) == flags(ours)


def test_reference_search_json_and_ours_share_shape(fakesite: FakeSite) -> None:
    real = json.loads((REFERENCE / "ani-tui__aniworld-search.json").read_text())
    ours = requests.post(fakesite.url + "/ajax/search", data={"keyword": "licht"}, timeout=5).json()
    assert {frozenset(x) for x in real} == {frozenset(x) for x in ours}
    pattern = re.compile(r"^/anime/stream/[a-z0-9-]+/?$")
    assert any(not pattern.match(x["link"]) for x in real)
    assert any(not pattern.match(x["link"]) for x in ours)
