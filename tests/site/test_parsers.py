"""Parser edge cases on small hand-written pages shaped like the reference (§2 of the notes)."""

from __future__ import annotations

import json

import pytest

from aniworld.languages import Language
from aniworld.site.engines import ENGINES
from aniworld.site.errors import SiteLayoutChanged, SiteNotFound
from aniworld.site.parsers import parse_ajax_search, parse_series_search
from tests.site.conftest import BASE

ANIWORLD = ENGINES["aniworld"]
NAV = """<div class="hosterSiteDirectNav" id="stream"><ul>
<li><span><strong>Staffeln:</strong></span></li>
<li><a href="/anime/stream/demo/staffel-1" title="Staffel 1">1</a></li></ul>
<ul><li><a href="/anime/stream/demo/staffel-1/episode-1">1</a></li></ul></div>"""
SOFT_404 = (
    '<div class="messageAlert danger">Die gew&uuml;nschte Serie wurde nicht gefunden oder ist '
    "im Moment deaktiviert.</div>"
)
HEADER = """<div class="seriesCoverBox"><img src="/x.gif"
 data-src="https://other.host/public/img/cover/demo_220x330.jpg"></div>
<div class="series-title"><h1 itemprop="name" data-alternativeTitles="Demo Alt, デモ, Demo">
<span>Demo</span></h1>
<small> (<span itemprop="startDate"><a href="/animes/jahr/2019">2019</a></span> -
<span itemprop="endDate"><a>Heute</a></span>)</small></div>
<p class="seri_des" data-full-description="Voll &quot;quoted&quot; äöü">Kurz
<span class="showMore">mehr anzeigen</span></p>
<div class="genres"><ul><li><a class="genreButton" itemprop="genre">Action</a></li>
<li><button class="hiddenArea">+ 1</button></li>
<li><a class="genreButton">GerSub</a></li></ul></div>"""


def row(number: str, href: str, flags: str, de: str = "De", en: str = "En") -> str:
    """One season-table row."""
    meta = f'<meta itemprop="episodeNumber" content="{number}">' if number else ""
    return (
        f'<tr data-episode-season-id="99"><td class="season1EpisodeID">{meta}'
        f'<a href="{href}"> Folge x </a></td><td class="seasonEpisodeTitle"><a href="{href}">'
        f"<strong>{de}</strong> - <span>{en}</span></a></td>"
        f'<td class="editFunctions"><a>{flags}</a></td></tr>'
    )


def table(*rows: str, tbody: str = "season1") -> str:
    """A season table around rows."""
    return f'<table class="seasonEpisodesList"><tbody id="{tbody}">{"".join(rows)}</tbody></table>'


def test_series_header_fields() -> None:
    """Years ("Heute" = running), data-src cover joined to the base URL, no language genres."""
    info = ANIWORLD.parse_series(HEADER + NAV, BASE, "demo")
    assert info.alternative_titles == ["Demo Alt", "デモ"]
    assert info.description == 'Voll "quoted" äöü'
    assert info.genres == ["Action"]
    assert (info.start_year, info.end_year) == (2019, None)
    assert info.cover == f"{BASE}/public/img/cover/demo_220x330.jpg"
    assert info.seasons == [1]


def test_series_soft_404() -> None:
    """The 200 page with the alert sentence is a SiteNotFound."""
    with pytest.raises(SiteNotFound):
        ANIWORLD.parse_series(SOFT_404, BASE, "demo")


def test_series_without_navigation_is_a_layout_change() -> None:
    """The error names the page and the missing part."""
    with pytest.raises(SiteLayoutChanged, match="series page.*#stream"):
        ANIWORLD.parse_series(HEADER, BASE, "demo")


def test_specials_as_staffel_0_and_foreign_prefixes() -> None:
    """/staffel-0 counts as the films entry; links of another prefix are not seasons."""
    specials = NAV.replace(
        "<li><span>", '<li><a href="/anime/stream/demo/staffel-0">Specials</a></li><li><span>'
    )
    assert ANIWORLD.parse_series(HEADER + specials, BASE, "demo").seasons == [0, 1]
    foreign = NAV.replace("/anime/stream/", "/serie/stream/")
    assert ANIWORLD.parse_series(HEADER + foreign, BASE, "demo").seasons == []


def test_season_languages_and_titles() -> None:
    """Flags map by file name; the [Episode N] suffix goes; entities are unescaped."""
    flags = (
        '<img class="flag" src="/public/img/german.svg"><img data-src="/public/img/english.svg">'
        '<img src="/public/img/japanese-english.svg"><img src="/public/img/unknown.svg">'
    )
    href = "/anime/stream/demo/staffel-1/episode-7"
    markup = NAV + table(row("7", href, flags, de="Kater&#039;s", en="Seven [Episode 7]"))
    [episode] = ANIWORLD.parse_season(markup, BASE, "demo", 1)
    assert episode.number == 7
    assert (episode.title_de, episode.title_en) == ("Kater's", "Seven")
    assert episode.languages == {Language.GERMAN_DUB, Language.ENGLISH_DUB, Language.ENGLISH_SUB}


def test_films_table_numbers_from_href() -> None:
    """Films have no episodeNumber meta; the number comes from film-K."""
    markup = table(
        row("", "/anime/stream/demo/filme/film-4", "", de="", en="Movie [Movie][Part 3]"),
        tbody="season0",
    )
    [film] = ANIWORLD.parse_season(markup, BASE, "demo", 0)
    assert (film.season, film.number, film.title_en) == (0, 4, "Movie [Movie][Part 3]")
    assert film.url == f"{BASE}/anime/stream/demo/filme/film-4"


def test_empty_season_table() -> None:
    """A season with an empty tbody has no episodes, which is not an error."""
    assert ANIWORLD.parse_season(NAV + table(), BASE, "demo", 1) == []


def test_unknown_season_is_not_found() -> None:
    """No table and the season is not in the navigation: SiteNotFound."""
    with pytest.raises(SiteNotFound, match="season 5"):
        ANIWORLD.parse_season(NAV, BASE, "demo", 5)


def test_listed_season_without_table_is_a_layout_change() -> None:
    """No table although the navigation lists the season: the markup changed."""
    with pytest.raises(SiteLayoutChanged, match="seasonEpisodesList"):
        ANIWORLD.parse_season(NAV, BASE, "demo", 1)


def test_rows_without_any_number_are_a_layout_change() -> None:
    """Rows exist but none yields a number."""
    bad = '<tr><td class="seasonEpisodeTitle">?</td></tr>'
    with pytest.raises(SiteLayoutChanged):
        ANIWORLD.parse_season(NAV + f'<table class="seasonEpisodesList">{bad}</table>', BASE,
                              "demo", 1)


def hoster(link_id: str, key: str, name: str = "VOE") -> str:
    """One hoster item of an episode page."""
    return (
        f'<li class="episodeLink{link_id}" data-lang-key="{key}" data-link-id="{link_id}" '
        f'data-link-target="/redirect/{link_id}">'
        f'<a class="watchEpisode" href="/redirect/{link_id}">'
        f'<i class="icon {name}" title="Hoster {name}"></i><h4>{name}</h4></a></li>'
    )


def episode_page(box: str, *items: str) -> str:
    """An episode page's hoster block."""
    return f'<div class="hosterSiteVideo">{box}<ul class="row">{"".join(items)}</ul></div>'


def test_flag_box_decides_language_keys() -> None:
    """A page where key 2 means English dub, read from the flag, not assumed."""
    box = (
        '<div class="changeLanguageBox"><img src="/public/img/german.svg" data-lang-key="1">'
        '<img src="/public/img/english.svg" data-lang-key="2" title="Englisch"></div>'
    )
    result = ANIWORLD.parse_episode(episode_page(box, hoster("5", "2")), BASE)
    assert result.hosters[0].language is Language.ENGLISH_DUB


def test_flag_title_when_file_name_is_unknown() -> None:
    """An unknown flag file falls back to its title/alt text."""
    box = (
        '<div class="changeLanguageBox"><img src="/img/x.png" data-lang-key="7" '
        'title="mit Untertitel Deutsch"></div>'
    )
    result = ANIWORLD.parse_episode(episode_page(box, hoster("5", "7")), BASE)
    assert result.language_keys == {"7": Language.GERMAN_SUB}


def test_fallback_table_without_flag_box() -> None:
    """Without a flag box aniworld's fixed table applies (2 = English sub)."""
    result = ANIWORLD.parse_episode(episode_page("", hoster("5", "2")), BASE)
    assert result.hosters[0].language is Language.ENGLISH_SUB


def test_old_sto_engine_is_retired() -> None:
    """s.to is read by the V2 engine only; the old ``/serie/stream`` adapter is gone."""
    assert set(ENGINES) == {"aniworld", "serienstream"}


def test_announcement_has_no_hosters_and_unknown_keys_are_skipped() -> None:
    """No items is an empty list; an item with an unmapped key is dropped, duplicates too."""
    assert ANIWORLD.parse_episode(episode_page(""), BASE).hosters == []
    items = (hoster("1", "99"), hoster("2", "1", "Filemoon"), hoster("2", "1"))
    result = ANIWORLD.parse_episode(episode_page("", *items), BASE)
    assert [(h.link_id, h.hoster) for h in result.hosters] == [("2", "Filemoon")]


def test_episode_page_without_hoster_block_is_a_layout_change() -> None:
    """Nothing of the hoster block at all."""
    with pytest.raises(SiteLayoutChanged, match="episode page"):
        ANIWORLD.parse_episode("<html><body><p>hi</p></body></html>", BASE)


def test_ajax_search_entities_in_json_text_and_escaped_slashes() -> None:
    """An entity outside a string value is repaired; slashes arrive escaped."""
    text = (
        '[{"title":"<em>Kat<\\/em>ze &amp; Co","link":"\\/anime\\/stream\\/katze",'
        '"description":"x"}]'
    )
    [result] = parse_ajax_search(text, BASE, "/anime/stream")
    assert (result.key, result.title) == ("katze", "Katze & Co")
    broken = '[{&quot;title&quot;:&quot;A&quot;,&quot;link&quot;:&quot;/anime/stream/a&quot;}]'
    assert [r.key for r in parse_ajax_search(broken, BASE, "/anime/stream")] == ["a"]


def test_series_search_fields() -> None:
    """Bare slugs, cover made absolute, year from "(2020 - 2024)"."""
    text = json.dumps([
        {"name": "A &#039;B&#039;", "link": "a-b", "cover": "/public/img/cover/a_150x225.jpg",
         "productionYear": "(2020 - 2024)", "description": "d"},
        {"name": "bad", "link": "/user/profil/x"},
        "not an object",
    ])
    [result] = parse_series_search(text, BASE, "/anime/stream")
    assert (result.title, result.year) == ("A 'B'", 2020)
    assert result.cover == f"{BASE}/public/img/cover/a_150x225.jpg"


@pytest.mark.parametrize("text", ["<html>Fehler</html>", '{"a": 1}', "[1, 2"])
def test_search_answers_that_are_not_json_lists(text: str) -> None:
    """Anything but a JSON list is a layout change."""
    with pytest.raises(SiteLayoutChanged):
        parse_ajax_search(text, BASE, "/anime/stream")


def test_merge_prefers_series_search_fields() -> None:
    """Both endpoints merge by slug; cover and year survive from seriesSearch."""
    ajax = '[{"title":"A","link":"/anime/stream/a","description":""}]'
    series = (
        '[{"name":"A","link":"a","cover":"/c.jpg","productionYear":"(2001)",'
        '"description":"d"}]'
    )
    [result] = ANIWORLD.parse_search([ajax, series], BASE)
    assert (result.year, result.cover, result.description) == (2001, f"{BASE}/c.jpg", "d")
