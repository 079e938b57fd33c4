"""One HTTP exchange with a media server, its failures turned into typed, actionable errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

from aniworld.mediaserver.errors import (
    MediaServerBadAnswer,
    MediaServerError,
    MediaServerForbidden,
    MediaServerRequestInvalid,
    MediaServerTokenRefused,
    MediaServerUnreachable,
)

logger = logging.getLogger(__name__)

# Connect and read timeouts: a scheduler tick waits for this at most per request.
TIMEOUT = (5.0, 20.0)
SNIPPET = 200
LABELS = {"jellyfin": "Jellyfin", "emby": "Emby", "plex": "Plex"}
# Where the user gets a token that may refresh the library.
TOKEN_HINTS = {
    "jellyfin": "create an API key in Jellyfin (Dashboard → API Keys → +) and paste it",
    "emby": "create an API key in Emby (Settings → Advanced → API Keys → New API Key) "
            "and paste it",
    "plex": "use the server owner's X-Plex-Token (Plex Web: any item → ⋯ → Get Info → "
            "View XML, the X-Plex-Token in the address)",
}


@dataclass(frozen=True)
class ServerSettings:
    """Which server, where, and the token it wants."""

    kind: str
    url: str
    token: str | None = None

    @property
    def label(self) -> str:
        """The server's product name for messages (Jellyfin, Emby, Plex)."""
        return LABELS.get(self.kind, self.kind)


class Http:
    """Sends requests to one server with its token headers; raises MediaServerError."""

    def __init__(self, server: ServerSettings, headers: dict[str, str],
                 session: requests.Session | None = None) -> None:
        self.server = server
        self.headers = headers
        self.session = session or requests.Session()

    def send(self, method: str, path: str, **options: Any) -> requests.Response:
        """``method path`` on the server; the answer when it is a 2xx, else a typed error."""
        url = f"{self.server.url.rstrip('/')}{path}"
        try:
            response = self.session.request(method, url, headers=self.headers,
                                            timeout=TIMEOUT, allow_redirects=False, **options)
        except requests.Timeout:
            raise MediaServerUnreachable(
                f"{self.server.label} at {self.server.url} did not answer within "
                f"{TIMEOUT[1]:g} s: check that it runs and is not overloaded") from None
        except requests.RequestException as exc:
            raise MediaServerUnreachable(
                f"{self.server.label} at {self.server.url} is unreachable "
                f"({_reason(exc)}): check the URL and that the server runs") from None
        except (UnicodeError, ValueError) as exc:
            raise self._unsendable(path, exc) from None
        logger.debug("media server answered method=%s path=%s status=%s", method, path,
                     response.status_code)
        if not 200 <= response.status_code < 300:
            raise self._refusal(method, path, response)
        return response

    def _unsendable(self, path: str, exc: ValueError) -> MediaServerRequestInvalid:
        """A request ``requests`` refused to build (a header or URL it cannot encode)."""
        label, token = self.server.label, self.server.token or ""
        if not token.isascii() or not token.isprintable():
            return MediaServerRequestInvalid(
                f"{label}: the token holds a character HTTP cannot send (only printable "
                "ASCII is allowed; an invisible character was probably pasted along): "
                "paste the token again in Settings → Media server")
        return MediaServerRequestInvalid(
            f"{label}: the request to {path} could not be built ({str(exc)[:SNIPPET]}): "
            f"check the server URL {self.server.url}")

    def _refusal(self, method: str, path: str, response: requests.Response) -> MediaServerError:
        label, status = self.server.label, response.status_code
        if status == 401:
            hint = TOKEN_HINTS.get(self.server.kind, "check the token")
            what = "no token is set" if not self.server.token else "the token was refused"
            return MediaServerTokenRefused(f"{label}: {what} (HTTP 401 on {path}): {hint}")
        if status == 403:
            return MediaServerForbidden(
                f"{label} accepted the token but refuses {method} {path} (HTTP 403): use an "
                "API key or a token of an administrator")
        if 300 <= status < 400:
            return MediaServerBadAnswer(
                f"{label} redirected {path} to {response.headers.get('Location', '?')}: "
                "use that address as the server URL")
        if status == 404:
            return MediaServerBadAnswer(
                f"{label} at {self.server.url} has no {path} (HTTP 404): is this the "
                f"{label} server's address, with its base path if it has one?")
        return MediaServerBadAnswer(f"{label} answered HTTP {status} to {method} {path}: "
                                    f"{snippet(response.text)}")


def snippet(text: str) -> str:
    """The start of an answer's body on one line, for an error message."""
    line = " ".join(text.split())
    return (line[:SNIPPET] + "…") if len(line) > SNIPPET else line or "(empty answer)"


def _reason(exc: requests.RequestException) -> str:
    """The innermost cause of a connection error, short (e.g. ``Connection refused``)."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = str(cause) or type(cause).__name__
    return text.split("] ", 1)[-1][:SNIPPET]
