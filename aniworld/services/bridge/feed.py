"""Torznab XML: the capabilities, a page of releases and errors, as Sonarr and Prowlarr read them.

What Sonarr reads (TorznabRssParser, NewznabCapabilitiesProvider): ``caps/limits`` and
``caps/searching/{search,tv-search}`` with ``available`` and ``supportedParams``, the
categories; per ``rss/channel/item`` the ``title``, ``guid``, ``pubDate`` (required: an item
without one fails the whole feed), the ``enclosure`` of type ``application/x-bittorrent``
(its ``url`` is the download link), ``torznab:attr`` by name (``size``, ``infohash``,
``magneturl``, ``seeders``, ``peers``, ``downloadvolumefactor``, ``language`` …) and
``comments`` as the info page. An ``error`` element with a code from 100 to 199 means
"wrong API key", described "Request limit reached" means "slow down".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from email.utils import format_datetime

from aniworld.services.bridge.catalogue import (
    ANIME,
    CATEGORIES,
    MAX_LIMIT,
    TV,
    Release,
    ReleasePage,
)

TORZNAB = "http://torznab.com/schemas/2015/feed"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("torznab", TORZNAB)
ET.register_namespace("atom", ATOM)
TORRENT_TYPE = "application/x-bittorrent"
# Not a swarm: every release is always available. Sonarr refuses releases below the
# indexer's "minimum seeders" (default 1) and prefers more seeders among equals.
SEEDERS = 100
SEARCH_PARAMS = "q"
TV_SEARCH_PARAMS = "q,season,ep"
# Newznab error codes (the ones Sonarr tells apart).
WRONG_KEY = 100
BAD_PARAMETER = 201
NO_SUCH_FUNCTION = 202
REQUEST_LIMIT = 500


def _bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def caps_xml(title: str = "Aniworld") -> bytes:
    """The capabilities: text and TV search (q, season, ep) in TV and TV/Anime."""
    caps = ET.Element("caps")
    ET.SubElement(caps, "server", version="1.0", title=title)
    ET.SubElement(caps, "limits", default=str(MAX_LIMIT), max=str(MAX_LIMIT))
    searching = ET.SubElement(caps, "searching")
    ET.SubElement(searching, "search", available="yes", supportedParams=SEARCH_PARAMS)
    ET.SubElement(searching, "tv-search", available="yes", supportedParams=TV_SEARCH_PARAMS)
    for kind in ("movie-search", "music-search", "audio-search", "book-search"):
        ET.SubElement(searching, kind, available="no", supportedParams="q")
    categories = ET.SubElement(caps, "categories")
    tv = ET.SubElement(categories, "category", id=str(TV), name=CATEGORIES[TV])
    ET.SubElement(tv, "subcat", id=str(ANIME), name="Anime")
    return _bytes(caps)


def error_xml(code: int, description: str) -> bytes:
    """A Newznab error, e.g. ``error_xml(WRONG_KEY, "Incorrect user credentials")``."""
    return _bytes(ET.Element("error", code=str(code), description=description))


def results_xml(page: ReleasePage, self_url: str, info_url: Callable[[Release], str],
                title: str = "Aniworld") -> bytes:
    """A page of releases as an RSS 2.0 channel with Torznab attributes."""
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, f"{{{ATOM}}}link", href=self_url, rel="self",
                  type="application/rss+xml")
    _text(channel, "title", title)
    _text(channel, "description", "Episodes of the Aniworld library, one per language")
    _text(channel, "link", self_url)
    ET.SubElement(channel, f"{{{TORZNAB}}}response", offset=str(page.offset),
                  total=str(page.total))
    for release in page.releases:
        _item(channel, release, info_url(release))
    return _bytes(rss)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _item(channel: ET.Element, release: Release, info_url: str) -> None:
    item = ET.SubElement(channel, "item")
    magnet = release.magnet
    _text(item, "title", release.title)
    ET.SubElement(item, "guid", isPermaLink="false").text = f"aniworld-{release.id.info_hash}"
    _text(item, "link", magnet)
    _text(item, "comments", info_url)
    _text(item, "pubDate", format_datetime(release.published))
    _text(item, "size", str(release.size))
    _text(item, "description", release.title)
    for category in (ANIME, TV):
        _text(item, "category", str(category))
    ET.SubElement(item, "enclosure", url=magnet, length=str(release.size), type=TORRENT_TYPE)
    attributes = [("category", str(ANIME)), ("category", str(TV)),
                  ("size", str(release.size)), ("season", str(release.id.season)),
                  ("episode", str(release.id.episode)), ("infohash", release.id.info_hash),
                  ("magneturl", magnet), ("seeders", str(SEEDERS)), ("peers", str(SEEDERS)),
                  ("leechers", "0"), ("downloadvolumefactor", "0"),
                  ("uploadvolumefactor", "1"), ("minimumratio", "0"),
                  ("minimumseedtime", "0"), ("language", release.audio)]
    for name, value in attributes:
        ET.SubElement(item, f"{{{TORZNAB}}}attr", name=name, value=value)
