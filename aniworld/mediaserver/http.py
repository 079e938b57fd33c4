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
from aniworld.phrases import N_, Phrase

logger = logging.getLogger(__name__)

# Connect and read timeouts: a scheduler tick waits for this at most per request.
TIMEOUT = (5.0, 20.0)
SNIPPET = 200
LABELS = {"jellyfin": "Jellyfin", "emby": "Emby", "plex": "Plex"}
# Where the user gets a token that may refresh the library.
TOKEN_HINTS = {
    "jellyfin": N_("create an API key in Jellyfin (Dashboard → API Keys → +) and paste it"),
    "emby": N_("create an API key in Emby (Settings → Advanced → API Keys → New API Key) "
               "and paste it"),
    "plex": N_("use the server owner's X-Plex-Token (Plex Web: any item → ⋯ → Get Info → "
               "View XML, the X-Plex-Token in the address)"),
}
TOKEN_HINT = N_("check the token")


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
            raise MediaServerUnreachable(Phrase(
                "%(label)s at %(url)s did not answer within %(seconds)s s: check that it "
                "runs and is not overloaded", label=self.server.label, url=self.server.url,
                seconds=f"{TIMEOUT[1]:g}")) from None
        except requests.RequestException as exc:
            raise MediaServerUnreachable(Phrase(
                "%(label)s at %(url)s is unreachable (%(reason)s): check the URL and that "
                "the server runs", label=self.server.label, url=self.server.url,
                reason=_reason(exc))) from None
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
            return MediaServerRequestInvalid(Phrase(
                "%(label)s: the token holds a character HTTP cannot send (only printable "
                "ASCII is allowed; an invisible character was probably pasted along): "
                "paste the token again in Settings → Media server", label=label))
        return MediaServerRequestInvalid(Phrase(
            "%(label)s: the request to %(path)s could not be built (%(reason)s): check the "
            "server URL %(url)s", label=label, path=path, reason=str(exc)[:SNIPPET],
            url=self.server.url))

    def _refusal(self, method: str, path: str, response: requests.Response) -> MediaServerError:
        label, status = self.server.label, response.status_code
        if status == 401:
            hint = Phrase(TOKEN_HINTS.get(self.server.kind, TOKEN_HINT))
            what = (Phrase("no token is set") if not self.server.token
                    else Phrase("the token was refused"))
            return MediaServerTokenRefused(Phrase(
                "%(label)s: %(what)s (HTTP 401 on %(path)s): %(hint)s", label=label,
                what=what, path=path, hint=hint))
        if status == 403:
            return MediaServerForbidden(Phrase(
                "%(label)s accepted the token but refuses %(method)s %(path)s (HTTP 403): "
                "use an API key or a token of an administrator", label=label, method=method,
                path=path))
        if 300 <= status < 400:
            return MediaServerBadAnswer(Phrase(
                "%(label)s redirected %(path)s to %(location)s: use that address as the "
                "server URL", label=label, path=path,
                location=response.headers.get("Location", "?")))
        if status == 404:
            return MediaServerBadAnswer(Phrase(
                "%(label)s at %(url)s has no %(path)s (HTTP 404): is this the %(label)s "
                "server's address, with its base path if it has one?", label=label,
                url=self.server.url, path=path))
        return MediaServerBadAnswer(Phrase(
            "%(label)s answered HTTP %(status)s to %(method)s %(path)s: %(answer)s",
            label=label, status=status, method=method, path=path,
            answer=snippet(response.text)))


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
