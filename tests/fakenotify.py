"""A local stand-in for a notification service: Apprise's ``json://`` POSTs over real HTTP.

``NotifyEndpoint`` listens on 127.0.0.1 (a free port), records each JSON body it is sent
and answers 200, or the status queued with :meth:`NotifyEndpoint.fail` for the next posts.
The ``notify_endpoint`` fixture gives each test a fresh one; ``closed_port`` is a port
nothing listens on (connection refused).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.harness import wait_until


@dataclass(frozen=True)
class Received:
    """One notification as the service got it."""

    path: str
    body: dict[str, Any]

    @property
    def title(self) -> str:
        """Apprise's ``title`` field."""
        return str(self.body.get("title", ""))

    @property
    def message(self) -> str:
        """Apprise's ``message`` field (the body)."""
        return str(self.body.get("message", ""))


class NotifyEndpoint:
    """A threaded HTTP server that records JSON notifications."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.attempts = 0
        self._failures: list[int] = []
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                status = endpoint._answer(self.path, self.rfile.read(length))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        """The Apprise URL that posts JSON to ``path`` here."""
        return f"json://127.0.0.1:{self.port}{path}"

    def fail(self, times: int, status: int = 500) -> None:
        """Answer the next ``times`` posts with ``status`` (nothing is recorded for them)."""
        with self._lock:
            self._failures.extend([status] * times)

    def _answer(self, path: str, raw: bytes) -> int:
        with self._lock:
            self.attempts += 1
            if self._failures:
                return self._failures.pop(0)
            self.received.append(Received(path, json.loads(raw or b"{}")))
            return 200

    def titles(self) -> list[str]:
        """The titles received so far, in order."""
        with self._lock:
            return [item.title for item in self.received]

    def wait_for(self, count: int, timeout: float = 30.0,
                 details: Any = lambda: "") -> list[Received]:
        """Wait until ``count`` notifications arrived; return them."""
        wait_until(lambda: len(self.received) >= count, timeout,
                   f"{count} notification(s) at {self.url()}", details)
        with self._lock:
            return list(self.received)

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (a connection is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def notify_endpoint() -> Iterator[NotifyEndpoint]:
    """A fresh notification endpoint on loopback for one test."""
    endpoint = NotifyEndpoint()
    yield endpoint
    endpoint.close()
