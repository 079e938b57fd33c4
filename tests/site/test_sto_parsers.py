"""s.to V2 parsers against the §1.8 skeletons and the stand-in's pages (markup per §1.4/§1.5)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from aniworld.languages import Language
from aniworld.site.classify import classify_response
from aniworld.site.engines import ENGINES
from aniworld.site.errors import PlayGateRequired, SiteNotFound
from aniworld.site.parsers.serienstream_search import (
    is_play_gate,
    parse_search_page,
    parse_suggest,
)
from aniworld.site.transport import Response
from tests.fakesite.content import STO_V2, build_catalog
from tests.fakesite.sto_pages import episode_page, gate_page, search_page, series_page
from tests.site import sto_skeletons as skel

STO = ENGINES["serienstream"]
BASE = "https://serienstream.example"
ORIGIN = "https://serienstream.to"
_CATALOG = build_catalog()
DEMO = _CATALOG.series("demo-serie", STO_V2)
DE, EN, SUB = Language.GERMAN_DUB, Language.ENGLISH_DUB, Language.GERMAN_SUB


def fake_token(link: Any) -> str:
    """A stable play URL for markup tests (the server makes fresh ones per view)."""
    return f"/r?t=eyJpdiI6IkFh{link.link_id}In0%3D"


def test_skeleton_series_page() -> None:
    """Title, year, description, genre facts, the channel cover (not the backdrop), seasons."""
    info = STO.parse_series(skel.SERIES_PAGE, BASE, "demo-serie")
    assert (info.title, info.start_year, info.genres) == ("Demo Serie", 2019, ["Drama"])
    assert info.description == "Kurzbeschreibung mit Umlauten äöü."
    assert info.cover == f"{BASE}/media/images/channel/desktop/demo-serie-Ab12Cd?format=jpg"
    assert info.seasons == [0, 1, 2]
    assert info.url == f"{BASE}/serie/demo-serie"


def test_skeleton_season_table_leaves_out_the_upcoming_row() -> None:
    """Row 2 is "Demnächst": only row 1 remains, with both flags and the on-site URL."""
    [episode] = STO.parse_season(skel.SERIES_PAGE, BASE, "demo-serie", 1)
    assert (episode.number, episode.title_de, episode.title_en) == (1, "Neuanfang", "Pilot")
    assert episode.languages == frozenset({DE, EN})
    assert episode.url == f"{BASE}/serie/demo-serie/staffel-1/episode-1"


def test_upcoming_words_in_titles_do_not_hide_a_row() -> None:
    """Only the row's marker (class, badge, text outside the titles) makes it upcoming."""
    markup = skel.SERIES_PAGE.replace("Neuanfang", "Demnächst in der Stadtbahn")
    markup = markup.replace('"episode-title-eng">Pilot', '"episode-title-eng">TBA')
    [episode] = STO.parse_season(markup, BASE, "demo-serie", 1)
    assert (episode.title_de, episode.title_en) == ("Demnächst in der Stadtbahn", "TBA")
    plain = markup.replace("episode-row upcoming", "episode-row").replace(
        '<span class="badge badge-upcoming">Demnächst</span>', "<span>Demnächst</span>")
    assert [e.number for e in STO.parse_season(plain, BASE, "demo-serie", 1)] == [1]


def test_skeleton_episode_buttons() -> None:
    """Provider, language id and a relative /r?t= play URL joined to the configured base."""
    hosters = STO.parse_episode(skel.EPISODE_PAGE, BASE)
    assert [(h.hoster, h.language, h.link_id) for h in hosters.hosters] == [
        ("VOE", DE, "9001"), ("Vidara", DE, "9002"), ("VOE", EN, "9003"),
    ]
    assert hosters.hosters[0].redirect_url == f"{BASE}/r?t=eyJpdiI6IkAbCdIn0%3D"
    assert STO.redirect_target(hosters.hosters[0].redirect_url) == "/r?t=eyJpdiI6IkAbCdIn0%3D"


def test_skeleton_search_and_suggest() -> None:
    """Suggest names and series paths; page cards only, the episode-hit block skipped."""
    assert [(r.key, r.title) for r in parse_suggest(skel.SUGGEST_JSON, BASE)] == [
        ("demo-serie", "Demo Serie"), ("demo-serie-reboot", "Demo Serie: Reboot"),
    ]
    [card] = parse_search_page(skel.SEARCH_PAGE, BASE)
    assert (card.key, card.title) == ("demo-serie", "Demo Serie")
    assert card.cover == f"{BASE}/media/images/channel/desktop/demo-serie-Ab12Cd?format=jpg"
    merged = STO.parse_search([skel.SUGGEST_JSON, skel.SEARCH_PAGE], BASE)
    assert [(r.key, r.cover is not None) for r in merged] == [
        ("demo-serie", True), ("demo-serie-reboot", False),
    ]


def test_gate_is_recognised_and_is_not_a_site_challenge() -> None:
    """The gated /r answer maps to PlayGateRequired; a normal page is not a gate."""
    assert is_play_gate(skel.GATED_PAGE) and is_play_gate(gate_page("tok", ORIGIN))
    assert not is_play_gate(series_page(DEMO, 1, ORIGIN))
    assert isinstance(STO.stayed_on_site("u", skel.GATED_PAGE), PlayGateRequired)
    assert not isinstance(STO.stayed_on_site("u", "<html>odd</html>"), PlayGateRequired)


@pytest.mark.parametrize("markup", [
    series_page(DEMO, 1, ORIGIN),
    episode_page(DEMO, DEMO.episode(1, 1), ORIGIN, fake_token, "Deutsch (Untertitel)"),
    gate_page("tok", ORIGIN),
    search_page([DEMO], "demo", 1, 24),
])
def test_v2_pages_with_cloudflare_script_are_content(markup: str) -> None:
    """Cloudflare's injected challenge-platform script must not turn a V2 page into a check."""
    assert "cdn-cgi/challenge-platform" in markup or "Stream wird" in markup
    assert classify_response(Response(200, {}, markup, f"{ORIGIN}/x")) is None


def test_stand_in_markup_keeps_documented_strings_and_attribute_order() -> None:
    """The regexes peers use (§1.4, §1.5) match the stand-in's pages."""
    page = series_page(DEMO, 1, ORIGIN)
    assert '<h1 class="h2 mb-1 fw-bold">Demo Serie</h1>' in page
    assert re.search(r'<a class="small text-muted" href="/jahr/2019">2019</a>', page)
    assert re.search(r'<a href="/genre/drama" class="link-light">Drama</a>', page)
    assert re.search(rf'<a\s+href="{ORIGIN}/serie/demo-serie/staffel-1/episode-\d+"', page)
    assert "onclick=\"window.location='https://serienstream.to/serie/demo-serie/" in page
    assert 'class="svg-flag-english-german"><use href="#icon-flag-english-german">' in page
    assert 'class="episode-row upcoming"' in page and "Demnächst" in page
    episode = episode_page(DEMO, DEMO.episode(1, 1), ORIGIN, fake_token, "Deutsch (Untertitel)")
    order = (r'data-link-id="\d+" data-play-url="/r\?t=[^"]+" data-provider-name="VOE" '
             r'data-language-label="Deutsch" data-language-id="1"')
    assert re.search(order, episode)
    assert re.search(r'<h2 class="h4 mb-1">S01E01: Neuanfang \(Pilot\) </h2>', episode)
    assert 'data-language-id="2"' in episode and 'data-language-id="3"' in episode
    assert '<iframe name="player-iframe" src="/r?t=' in episode


@pytest.mark.parametrize("slug", ["demo-serie", "demo-serie-reboot-rache"])
def test_stand_in_seasons_and_films_match_the_catalogue(slug: str) -> None:
    """Every season (0 = films) parses to the catalogue's released episodes."""
    series = _CATALOG.series(slug, STO_V2)
    info = STO.parse_series(series_page(series, 1, ORIGIN), BASE, slug)
    assert info.seasons == ([0] if series.has_films else []) + series.season_numbers
    for number in info.seasons:
        parsed = STO.parse_season(series_page(series, number, ORIGIN), BASE, slug, number)
        truth = [e for e in series.season(number).episodes if e.links]
        assert [(e.number, e.title_de, e.title_en) for e in parsed] == [
            (e.number, e.title_de, e.title_en) for e in truth
        ]


@pytest.mark.parametrize("label", ["Deutsch (Untertitel)", "Untertitel"])
def test_language_id_3_is_german_sub_whatever_its_label(label: str) -> None:
    """[inf] label text of id 3: the id decides; English-German rows are German Sub too."""
    page = episode_page(DEMO, DEMO.episode(1, 1), ORIGIN, fake_token, label)
    hosters = STO.parse_episode(page, BASE)
    assert [h.hoster for h in hosters.for_language(SUB)] == ["Doodstream"]
    assert hosters.language_keys == {"1": DE, "3": SUB, "2": EN}
    [row] = [e for e in STO.parse_season(series_page(DEMO, 1, ORIGIN), BASE, "demo-serie", 1)
             if e.number == 2]
    assert row.languages == frozenset({SUB})


def test_upcoming_episode_page_has_no_hosters() -> None:
    """The page of a "Demnächst" episode has a heading but no buttons: an empty list."""
    page = episode_page(DEMO, DEMO.episode(1, 4), ORIGIN, fake_token, "x")
    assert STO.parse_episode(page, BASE).hosters == []


def test_active_season_decides_which_season_a_page_holds() -> None:
    """§9.1: the page of the asked season parses; a page whose nav marks another season
    active (a site answering with the wrong season's page) is not that season."""
    assert [e.number for e in STO.parse_season(series_page(DEMO, 2, ORIGIN), BASE,
                                               "demo-serie", 2)] == [1, 2]
    with pytest.raises(SiteNotFound, match="answered season 1 when asked for season 2"):
        STO.parse_season(series_page(DEMO, 1, ORIGIN), BASE, "demo-serie", 2)
    unmarked = series_page(DEMO, 2, ORIGIN).replace(' class="active"', "")
    assert len(STO.parse_season(unmarked, BASE, "demo-serie", 2)) == 2  # no mark, no check


def test_description_comes_from_the_description_span_only() -> None:
    """§9.2: the stand-in's ``span.description-text`` is the description, unescaped; without
    that span there is none (no other text is taken for it)."""
    page = series_page(DEMO, 1, ORIGIN)
    assert STO.parse_series(page, BASE, "demo-serie").description == DEMO.description
    renamed = page.replace('class="description-text"', 'class="synopsis"')
    assert STO.parse_series(renamed, BASE, "demo-serie").description == ""


def test_hidden_gate_modal_is_ignored_on_the_episode_page() -> None:
    """§9.4: the hidden gate modal (form, token input, Turnstile) adds no hoster and does not
    make the episode page a challenge; the page parses as it would without it."""
    page = episode_page(DEMO, DEMO.episode(1, 1), ORIGIN, fake_token, "Deutsch (Untertitel)")
    modal = page[page.index('<div id="episode-redirect-gate-root"'):page.index("</main>")]
    assert "player-prepare-form" in modal and "cf-turnstile" in modal
    hosters = STO.parse_episode(page, BASE)
    assert hosters == STO.parse_episode(page.replace(modal, ""), BASE)
    assert [h.hoster for h in hosters.hosters] == ["VOE", "Vidoza", "Doodstream", "VOE"]
    assert classify_response(Response(200, {}, page, f"{ORIGIN}/x")) is None


def test_season_missing_from_the_nav_is_not_found() -> None:
    """[inf] a site that answers an unknown season with season 1's page: nav decides."""
    with pytest.raises(SiteNotFound):
        STO.parse_season(series_page(DEMO, 1, ORIGIN), BASE, "demo-serie", 7)


def test_escaped_suggest_body_is_read() -> None:
    """[inf] HTML entities inside the JSON body are unescaped in names."""
    text = '{"shows":[{"name":"Mord &amp; Rache","url":"/serie/mord-rache"}],"people":[]}'
    assert [r.title for r in parse_suggest(text, BASE)] == ["Mord & Rache"]
