"""Plex: ``GET /library/sections/<id>/refresh?path=<folder>``, a scan of one folder.

The section ids come from ``GET /library/sections`` (XML: a ``Directory`` per library with
its ``Location`` folders); a folder is refreshed in every library whose folder holds it.
The token goes in the ``X-Plex-Token`` header.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import requests

from aniworld.mediaserver.errors import LibraryNotFound, MediaServerBadAnswer
from aniworld.mediaserver.http import Http, ServerSettings, snippet
from aniworld.mediaserver.paths import Change, contains
from aniworld.phrases import Phrase

MAX_XML = 4 * 1024 * 1024


@dataclass(frozen=True)
class Section:
    """One Plex library: its id (``key``), title and folders."""

    key: str
    title: str
    locations: tuple[str, ...]


class PlexClient:
    """Asks a Plex server to scan the series folders that got new files."""

    def __init__(self, server: ServerSettings, session: requests.Session | None = None) -> None:
        self.server = server
        headers = {"Accept": "application/xml"}
        if server.token:
            headers["X-Plex-Token"] = server.token
        self.http = Http(server, headers, session)

    def sections(self) -> list[Section]:
        """Every library of the server with its folders."""
        response = self.http.send("GET", "/library/sections")
        return parse_sections(response.content)

    def refresh(self, changes: Sequence[Change]) -> None:
        """One refresh per distinct series folder, in each library that holds it."""
        sections = self.sections()
        for folder in dict.fromkeys(change.folder for change in changes):
            for section in holding(sections, folder):
                self.http.send("GET", f"/library/sections/{section.key}/refresh",
                               params={"path": path_bytes(folder)})

    def check(self, library: str) -> Phrase:
        """Reach the server with the token and find the library holding ``library``."""
        found = holding(self.sections(), library)
        names = ", ".join(f"“{section.title}” (section {section.key})" for section in found)
        return Phrase("Connected to Plex; %(library)s is in %(names)s.", library=library,
                      names=names)


def path_bytes(folder: str) -> bytes:
    """The folder's name as the bytes on disk (``?path=`` is percent-encoded from these).

    A file name that is not valid UTF-8 reaches Python with surrogate escapes, which
    ``requests`` cannot encode; the original bytes are what Plex finds on disk.
    """
    return folder.encode("utf-8", "surrogateescape")


def holding(sections: Sequence[Section], folder: str) -> list[Section]:
    """The sections with a folder that holds ``folder``; LibraryNotFound when none has one."""
    found = [section for section in sections
             if any(contains(location, folder) for location in section.locations)]
    if not found:
        known = ", ".join(location for section in sections for location in section.locations)
        raise LibraryNotFound(Phrase(
            "No Plex library holds %(folder)s (Plex's library folders: %(known)s): add the "
            "folder to a Plex library, or set \"their path\" to the library folder as Plex "
            "sees it", folder=folder, known=known or Phrase("none")))
    return found


def parse_sections(body: bytes) -> list[Section]:
    """The ``Directory`` elements of a ``/library/sections`` answer."""
    # Expat refuses entity expansion bombs itself; a DOCTYPE has no business here at all.
    if len(body) > MAX_XML or b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise MediaServerBadAnswer(Phrase("Plex answered /library/sections with an "
                                          "unexpected document: is the URL the Plex "
                                          "server's address?"))
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise MediaServerBadAnswer(Phrase(
            "Plex answered /library/sections with something that is not XML (%(answer)s): "
            "is the URL the Plex server's address?",
            answer=snippet(body.decode("utf-8", "replace")))) from None
    if root.tag != "MediaContainer":
        raise MediaServerBadAnswer(Phrase("Plex answered /library/sections without a "
                                          "MediaContainer: is the URL the Plex server's "
                                          "address?"))
    return [Section(directory.get("key", ""), directory.get("title", ""),
                    tuple(location.get("path", "") for location in directory.iter("Location")
                          if location.get("path")))
            for directory in root.iter("Directory") if directory.get("key")]
