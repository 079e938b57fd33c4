"""Loopback stand-ins of Jellyfin (and Emby) and of Plex that record every call.

As strict as the real servers where Aniworld depends on it: a request without the right
token gets 401 (Jellyfin 12 reads only ``Authorization: MediaBrowser Token="…"``, its
legacy ``X-Emby-Token`` is ignored; Emby reads ``X-Emby-Token``; Plex ``X-Plex-Token``),
``/Library/Media/Updated`` wants a JSON body with ``Updates`` and answers 204, Plex's
``/library/sections`` is XML and a refresh of an unknown section is a 404.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import quoteattr

from tests.harness import wait_until

Answer = tuple[int, str, bytes]
PLEX_401 = (b"<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1>"
            b"</body></html>")
_PARAM = re.compile(r'(\w+)="?([^",]*)"?')


@dataclass(frozen=True)
class Call:
    """One request the stand-in received and the status it answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Library:
    """A library of the stand-in: Plex section id, title and folders."""

    key: str
    title: str
    locations: list[str] = field(default_factory=list)
    kind: str = "show"


class StandIn:
    """A threaded HTTP server on 127.0.0.1 that hands each request to :meth:`answer`."""

    def __init__(self, token: str, libraries: list[Library]) -> None:
        self.token = token
        self.libraries = libraries
        self.calls: list[Call] = []
        self.fail_with: int | None = None  # answer every request with this status
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.standin = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        """The base URL to configure as the media server's URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> StandIn:
        """Serve on a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        """Forget the calls and any fault."""
        with self._lock:
            self.calls.clear()
        self.fail_with = None

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Answer one request and record it."""
        parts = urlsplit(target)
        # Raw bytes of a file name that is not UTF-8 come back as surrogate escapes.
        query = parse_qs(parts.query, errors="surrogateescape")
        if self.fail_with is not None:
            answer: Answer = (self.fail_with, "text/plain", b"stand-in fault")
        elif not self.authorized(headers, query):
            answer = self.unauthorized()
        else:
            answer = self.answer(method, parts.path, query, body)
        with self._lock:
            self.calls.append(Call(method, parts.path, query, headers, body, answer[0]))
        return answer

    def accepted(self, predicate: Callable[[Call], bool] = lambda call: True) -> list[Call]:
        """The calls answered with a 2xx that match ``predicate``."""
        with self._lock:
            return [call for call in self.calls if call.status < 300 and predicate(call)]

    def wait_calls(self, count: int, predicate: Callable[[Call], bool],
                   timeout: float = 30.0) -> list[Call]:
        """Wait until ``count`` accepted calls match ``predicate``; return them."""
        wait_until(lambda: len(self.accepted(predicate)) >= count, timeout,
                   f"{count} call(s) to the stand-in", lambda: repr(self.calls))
        return self.accepted(predicate)

    def authorized(self, headers: dict[str, str], query: dict[str, list[str]]) -> bool:
        """Whether the request carries the token the way the real server reads it."""
        raise NotImplementedError

    def unauthorized(self) -> Answer:
        """The real server's 401."""
        return 401, "text/plain", b""

    def answer(self, method: str, path: str, query: dict[str, list[str]],
               body: bytes) -> Answer:
        """The answer to an authorized request."""
        raise NotImplementedError


class FakeJellyfin(StandIn):
    """Jellyfin 12 with legacy authorization off (``emby=True``: Emby's token header)."""

    def __init__(self, token: str, libraries: list[Library], emby: bool = False) -> None:
        super().__init__(token, libraries)
        self.emby = emby

    def authorized(self, headers: dict[str, str], query: dict[str, list[str]]) -> bool:
        if self.emby:
            return headers.get("x-emby-token") == self.token
        scheme, _, params = headers.get("authorization", "").partition(" ")
        return (scheme == "MediaBrowser"
                and dict(_PARAM.findall(params)).get("Token") == self.token)

    def answer(self, method: str, path: str, query: dict[str, list[str]],
               body: bytes) -> Answer:
        if (method, path) == ("GET", "/System/Info"):
            name = "Emby Server" if self.emby else "Jellyfin Server"
            return _json({"ServerName": name, "Version": "12.0.0", "Id": "f00"})
        if (method, path) == ("GET", "/Library/VirtualFolders"):
            return _json([{"Name": library.title, "Locations": library.locations,
                           "CollectionType": "tvshows"} for library in self.libraries])
        if (method, path) == ("POST", "/Library/Media/Updated"):
            return self._updated(body)
        return 404, "text/plain", b"Not Found"

    def refreshes(self) -> list[Call]:
        """The accepted ``/Library/Media/Updated`` calls."""
        return self.accepted(lambda call: call.path == "/Library/Media/Updated")

    @staticmethod
    def _updated(body: bytes) -> Answer:
        try:
            updates = json.loads(body)["Updates"]
            valid = all(isinstance(update["Path"], str) for update in updates)
        except (ValueError, KeyError, TypeError):
            valid = False
        return (204, "text/plain", b"") if valid else (400, "text/plain", b"bad Updates")


class FakePlex(StandIn):
    """Plex Media Server: XML section list, per-folder refresh."""

    def authorized(self, headers: dict[str, str], query: dict[str, list[str]]) -> bool:
        return (headers.get("x-plex-token") or query.get("X-Plex-Token", [""])[0]) == self.token

    def unauthorized(self) -> Answer:
        return 401, "text/html", PLEX_401

    def answer(self, method: str, path: str, query: dict[str, list[str]],
               body: bytes) -> Answer:
        if (method, path) == ("GET", "/library/sections"):
            return 200, "text/xml;charset=utf-8", self._sections()
        match = re.fullmatch(r"/library/sections/(\w+)/refresh", path)
        if match and method in ("GET", "PUT"):
            known = any(library.key == match.group(1) for library in self.libraries)
            return (200, "text/html", b"") if known else (404, "text/html", b"Not Found")
        return 404, "text/html", b"Not Found"

    def refreshes(self) -> list[Call]:
        """The accepted section refreshes."""
        return self.accepted(lambda call: call.path.endswith("/refresh"))

    def _sections(self) -> bytes:
        directories = "".join(
            f'<Directory allowSync="1" key="{library.key}" type="{library.kind}" '
            f'title={quoteattr(library.title)} agent="tv.plex.agents.series">'
            + "".join(f'<Location id="{number}" path={quoteattr(location)} />'
                      for number, location in enumerate(library.locations, 1))
            + "</Directory>" for library in self.libraries)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size='
                f'"{len(self.libraries)}" allowSync="0" title1="Plex Library">{directories}'
                "</MediaContainer>\n").encode()


def _json(value: Any) -> Answer:
    return 200, "application/json; charset=utf-8", json.dumps(value).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        standin: StandIn = self.server.standin  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, kind, content = standin.handle(self.command, self.path, headers, body)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = _serve  # noqa: N815 - http.server's naming

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""
