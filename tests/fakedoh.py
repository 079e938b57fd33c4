"""A loopback stand-in for a DNS-over-HTTPS JSON endpoint (Cloudflare's ``/dns-query``).

As strict as Cloudflare: only ``GET /dns-query?name=…&type=A|AAAA`` with ``Accept:
application/dns-json`` gets an answer, anything else a 400. Unknown names answer NXDOMAIN. With
``hang`` set it accepts the request and never answers (until ``stop``).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_TYPES = {"A": 1, "AAAA": 28}


class FakeDoh:
    """Answers chosen names with chosen addresses; records every query as (name, type)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[list[str], int]] = {}
        self.queries: list[tuple[str, str]] = []
        self.hang = False
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        """The endpoint URL to configure as ``doh``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/dns-query"

    def answer(self, name: str, *addresses: str, ttl: int = 300, kind: str = "A") -> None:
        """Answer ``name`` (records of ``kind``) with ``addresses`` and ``ttl``."""
        self.records[(name, kind)] = (list(addresses), ttl)

    def asked(self, name: str) -> int:
        """How many queries named ``name``."""
        return sum(1 for queried, _ in self.queries if queried == name)

    def start(self) -> FakeDoh:
        """Serve on a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Let hanging requests go and stop serving."""
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def body(self, name: str, kind: str) -> dict[str, object]:
        """The JSON answer for one query, with a CNAME step first like real answers."""
        addresses, ttl = self.records.get((name, kind), ([], 0))
        if not addresses and not any(key[0] == name for key in self.records):
            return {"Status": 3, "Question": [{"name": name, "type": _TYPES[kind]}]}
        alias = f"edge.{name}."
        answer: list[dict[str, object]] = [
            {"name": f"{name}.", "type": 5, "TTL": ttl, "data": alias}] if addresses else []
        answer += [{"name": alias, "type": _TYPES[kind], "TTL": ttl, "data": address}
                   for address in addresses]
        return {"Status": 0, "TC": False, "RD": True, "RA": True,
                "Question": [{"name": name, "type": _TYPES[kind]}], "Answer": answer}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        fake: FakeDoh = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        name, kind = query.get("name", ""), query.get("type", "A")
        if (parts.path != "/dns-query" or not name or kind not in _TYPES
                or self.headers.get("Accept") != "application/dns-json"):
            self._send(400, b'{"error": "bad request"}')
            return
        fake.queries.append((name, kind))
        if fake.hang:
            fake.release.wait(120)
            self.close_connection = True
            return
        self._send(200, json.dumps(fake.body(name, kind)).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/dns-json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""
