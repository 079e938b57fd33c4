"""Jellyfin and Emby: ``POST /Library/Media/Updated`` with every new file in one request.

Both servers speak the same API (Jellyfin is Emby's fork) but take the token differently:
Jellyfin 12 reads only ``Authorization: MediaBrowser Token="…"`` by default (its
``X-Emby-Token`` belongs to the "legacy authorization" it switched off), which every
Jellyfin since 10.8 accepts too; Emby reads ``X-Emby-Token``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import requests

from aniworld.mediaserver.errors import LibraryNotFound, MediaServerBadAnswer
from aniworld.mediaserver.http import Http, ServerSettings
from aniworld.mediaserver.paths import Change, contains
from aniworld.phrases import Phrase


def auth_headers(server: ServerSettings) -> dict[str, str]:
    """The token headers ``server`` reads (none without a token)."""
    if not server.token:
        return {}
    if server.kind == "emby":
        return {"X-Emby-Token": server.token}
    # Only the token: Device/DeviceId here would rewrite a user token's device entry.
    return {"Authorization": f'MediaBrowser Token="{server.token}"'}


class JellyfinClient:
    """Tells a Jellyfin or Emby server about new files."""

    def __init__(self, server: ServerSettings, session: requests.Session | None = None) -> None:
        self.server = server
        self.http = Http(server, {"Accept": "application/json", **auth_headers(server)},
                         session)

    def refresh(self, changes: Sequence[Change]) -> None:
        """One request naming every changed file; the server scans just those paths."""
        paths = dict.fromkeys(change.path for change in changes)
        body = {"Updates": [{"Path": path, "UpdateType": "Created"} for path in paths]}
        self.http.send("POST", "/Library/Media/Updated", json=body)

    def check(self, library: str) -> Phrase:
        """Reach the server with the token and find a library holding ``library``."""
        info, entries = self._json("/System/Info"), self._json("/Library/VirtualFolders")
        if not isinstance(info, dict) or not isinstance(entries, list):
            raise self._not_ours("/System/Info")
        folders = [location for entry in entries if isinstance(entry, dict)
                   for location in entry.get("Locations") or [] if isinstance(location, str)]
        holding = [folder for folder in folders if contains(folder, library)]
        label = self.server.label
        if not holding:
            shown = ", ".join(folders) or Phrase("none")
            raise LibraryNotFound(Phrase(
                "%(label)s answered, but none of its library folders (%(folders)s) holds "
                "%(library)s: add that folder to a %(label)s library, or set \"their path\" "
                "to the library folder as %(label)s sees it", label=label, folders=shown,
                library=library))
        return Phrase("Connected to %(label)s “%(name)s” version %(version)s; its library "
                      "folder %(folder)s holds %(library)s.", label=label,
                      name=info.get("ServerName", "?"), version=info.get("Version", "?"),
                      folder=holding[0], library=library)

    def _json(self, path: str) -> Any:
        response = self.http.send("GET", path)
        try:
            return response.json()
        except ValueError:
            raise self._not_ours(path) from None

    def _not_ours(self, path: str) -> MediaServerBadAnswer:
        label = self.server.label
        return MediaServerBadAnswer(Phrase(
            "%(label)s answered %(path)s with something that is not %(label)s's JSON: is "
            "%(url)s the %(label)s server's address?", label=label, path=path,
            url=self.server.url))
