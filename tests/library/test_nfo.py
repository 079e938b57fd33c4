"""NFO documents parse as XML with the fields Kodi and Jellyfin read, whatever the text holds."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from lxml import etree

from aniworld.library.nfo import EpisodeNfo, ShowNfo, episode_nfo, tvshow_nfo

SHOW = ShowNfo(title="Kämpfer des Lichts: Die Rückkehr", plot="Ein Held kehrt zurück.",
               year=2019, genres=("Action", "Fantasy"), original_title="Hikari no Senshi",
               site="aniworld", key="kaempfer-des-lichts")


def test_tvshow_has_title_original_title_year_plot_genres_and_id() -> None:
    root = ET.fromstring(tvshow_nfo(SHOW))
    assert root.tag == "tvshow"
    assert root.findtext("title") == SHOW.title
    assert root.findtext("originaltitle") == "Hikari no Senshi"
    assert root.findtext("year") == "2019"
    assert root.findtext("plot") == "Ein Held kehrt zurück."
    assert [g.text for g in root.findall("genre")] == ["Action", "Fantasy"]
    unique = root.find("uniqueid")
    assert unique is not None and unique.text == "kaempfer-des-lichts"
    assert unique.attrib == {"type": "aniworld", "default": "true"}


def test_episode_has_title_show_season_episode_and_aired_when_known() -> None:
    document = episode_nfo(EpisodeNfo("Demo", 2, 5, "Der Sturm", aired=date(2024, 3, 9)))
    root = ET.fromstring(document)
    assert root.tag == "episodedetails"
    assert [(child.tag, child.text) for child in root] == [
        ("title", "Der Sturm"), ("showtitle", "Demo"), ("season", "2"), ("episode", "5"),
        ("aired", "2024-03-09")]
    assert ET.fromstring(episode_nfo(EpisodeNfo("Demo", 0, 1, "Film"))).find("aired") is None


def test_special_characters_are_escaped_and_forbidden_ones_dropped() -> None:
    nasty = 'Tom & Jerry <b>"Katz" & \'Maus\'</b> ]]> \x0b\x00 – 🐱'
    show = ShowNfo(title=nasty, plot="a < b && c > d\x1f", genres=("R&B",))
    document = tvshow_nfo(show)
    for parse in (ET.fromstring, etree.fromstring):  # both strict parsers accept it
        parse(document)
    root = ET.fromstring(document)
    assert root.findtext("title") == "Tom & Jerry <b>\"Katz\" & 'Maus'</b> ]]>  – 🐱"
    assert root.findtext("plot") == "a < b && c > d"
    assert root.findtext("genre") == "R&B"
    assert b"&amp;" in document and b"<b>" not in document


def test_document_is_utf8_with_declaration_and_a_comment_for_the_reader() -> None:
    document = tvshow_nfo(SHOW)
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    assert "Rückkehr".encode() in document  # UTF-8, not character references
    tree = etree.fromstring(document)
    comments = [node for node in tree.itersiblings(preceding=True)
                if isinstance(node, etree._Comment)]
    assert comments and "Aniworld" in comments[0].text


def test_empty_values_are_left_out() -> None:
    root = ET.fromstring(tvshow_nfo(ShowNfo(title="Nur Titel")))
    assert [child.tag for child in root] == ["title"]
