"""Telling a media server (Jellyfin, Emby, Plex) about new files; no Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import requests

from aniworld.mediaserver.errors import (
    LibraryNotFound,
    MediaServerBadAnswer,
    MediaServerError,
    MediaServerForbidden,
    MediaServerRequestInvalid,
    MediaServerTokenRefused,
    MediaServerUnreachable,
)
from aniworld.mediaserver.http import LABELS, ServerSettings
from aniworld.mediaserver.jellyfin import JellyfinClient
from aniworld.mediaserver.paths import Change, PathMap
from aniworld.mediaserver.plex import PlexClient
from aniworld.phrases import Phrase


class MediaServerClient(Protocol):
    """What the refresh task and the test button need of a server."""

    def refresh(self, changes: Sequence[Change]) -> None:
        """Tell the server about these new files; raises MediaServerError."""

    def check(self, library: str) -> Phrase:
        """Reach the server and find ``library`` in it; a success message, or raises."""


def make_client(server: ServerSettings,
                session: requests.Session | None = None) -> MediaServerClient:
    """The client for ``server.kind`` (jellyfin, emby or plex)."""
    if server.kind == "plex":
        return PlexClient(server, session)
    if server.kind in ("jellyfin", "emby"):
        return JellyfinClient(server, session)
    raise ValueError(f"unknown media server kind {server.kind!r}")


__all__ = [
    "LABELS", "Change", "LibraryNotFound", "MediaServerBadAnswer", "MediaServerClient",
    "MediaServerError", "MediaServerForbidden", "MediaServerRequestInvalid",
    "MediaServerTokenRefused",
    "MediaServerUnreachable", "PathMap", "ServerSettings", "make_client",
]
