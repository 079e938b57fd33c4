"""Kodi/Jellyfin NFO documents: ``tvshow.nfo`` per series folder, ``<episode>.nfo`` per file.

Pure: plain values in, UTF-8 XML bytes out. The element names are the ones Kodi documents
for ``<tvshow>`` and ``<episodedetails>`` and Jellyfin, Emby and Plex's XBMCnfo agent read.
Text is escaped by ElementTree; characters XML 1.0 cannot carry at all (control
characters a site's description may contain) are dropped, so every file parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

# Our files say who wrote them; whether one is still ours is decided by library/metadata.py
# (a record of what was written), so the comment is for the person who opens the file.
COMMENT = (" Written by Aniworld. It rewrites this file while it is unchanged; edit it and "
           "Aniworld leaves it alone. ")
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ShowNfo:
    """What ``tvshow.nfo`` says about a series.

    ``original_title`` is the first alternative title the site lists (usually the
    Japanese or English one; Kodi and Jellyfin show one original title only).
    """

    title: str
    plot: str = ""
    year: int | None = None
    genres: tuple[str, ...] = ()
    original_title: str | None = None
    site: str = "aniworld"
    key: str = ""


@dataclass(frozen=True)
class EpisodeNfo:
    """What an episode's ``.nfo`` says (season 0 = the site's films and specials)."""

    show_title: str
    season: int
    episode: int
    title: str
    aired: date | None = None


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", value)


def tvshow_nfo(show: ShowNfo) -> bytes:
    """The ``tvshow.nfo`` document of ``show``."""
    root = ET.Element("tvshow")
    _add(root, "title", show.title)
    _add(root, "originaltitle", show.original_title)
    _add(root, "plot", show.plot)
    _add(root, "year", str(show.year) if show.year else None)
    for genre in show.genres:
        _add(root, "genre", genre)
    if show.key:
        unique = _add(root, "uniqueid", show.key)
        if unique is not None:
            unique.set("type", show.site)
            unique.set("default", "true")
    return _document(root)


def episode_nfo(episode: EpisodeNfo) -> bytes:
    """The ``<episodedetails>`` document of one episode file."""
    root = ET.Element("episodedetails")
    _add(root, "title", episode.title)
    _add(root, "showtitle", episode.show_title)
    _add(root, "season", str(episode.season))
    _add(root, "episode", str(episode.episode))
    _add(root, "aired", episode.aired.isoformat() if episode.aired else None)
    return _document(root)


def _add(parent: ET.Element, name: str, text: str | None) -> ET.Element | None:
    """Append ``<name>text</name>`` unless there is no text."""
    cleaned = xml_text(text or "").strip()
    if not cleaned:
        return None
    element = ET.SubElement(parent, name)
    element.text = cleaned
    return element


def _document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f"{DECLARATION}<!--{COMMENT}-->\n{body}\n".encode()
