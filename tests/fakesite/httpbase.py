"""Threaded HTTP/1.1 server plumbing shared by the site and the hoster server."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakesite.blocks import Response
from tests.fakesite.faults import FaultSet
from tests.fakesite.requestlog import LOGGED_HEADERS, RequestLog, RequestRecord

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/__fakesite/"


@dataclass
class Request:
    """What an app sees of one request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    scheme: str = "http"  # "https" when the client spoke TLS
    client: str = ""  # the client's IP address


    def arg(self, name: str, default: str = "") -> str:
        """First value of a query or form field."""
        values = self.query.get(name) or self.form().get(name)
        return values[0] if values else default

    def form(self) -> dict[str, list[str]]:
        """The url-encoded body as a dict of lists."""
        return parse_qs(self.body.decode("utf-8", "replace"))


App = Callable[[Request], Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], name: str, app: App, log: RequestLog, faults: FaultSet,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.name, self.app, self.log, self.faults, self.tls = name, app, log, faults, tls

    def finish_request(self, request: socket.socket, client_address: object) -> None:
        """Serve one connection; with a TLS context, a TLS ClientHello gets TLS (same port)."""
        if self.tls is None or not _speaks_tls(request):
            super().finish_request(request, client_address)
            return
        # Runs on the connection's own thread, so a slow handshake blocks nobody else. The
        # wrapped socket took over the descriptor, so it is the one to close.
        secure = self.tls.wrap_socket(request, server_side=True)
        try:
            super().finish_request(secure, client_address)
        finally:
            self.shutdown_request(secure)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-answer are part of the game (timeouts, truncation tests).
        logger.debug("fakesite connection error client=%s", client_address, exc_info=True)


def _speaks_tls(connection: socket.socket) -> bool:
    """True when the first byte the client sent opens a TLS handshake record (0x16)."""
    connection.settimeout(_Handler.timeout)
    try:
        return connection.recv(1, socket.MSG_PEEK) == b"\x16"
    except OSError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed ACK
    # would hold the body back ~40 ms per response (real servers such as nginx set TCP_NODELAY).
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""
    timeout = 15
    server: _Server

    def do_GET(self) -> None:
        """Serve GET."""
        self._serve()

    do_POST = do_HEAD = do_DELETE = do_PUT = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Route http.server's access log to logging at debug level."""
        logger.debug("fakesite %s " + format, self.server.name, *args)

    def _read_request(self) -> Request:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k: v for k, v in self.headers.items()}
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        return Request(self.command, url.path, parse_qs(url.query), headers, body, scheme,
                       self.client_address[0])

    def _record(self, request: Request) -> RequestRecord | None:
        if request.path.startswith(ADMIN_PREFIX):
            return None
        picked = {h: self.headers[h] for h in LOGGED_HEADERS if self.headers.get(h) is not None}
        record = RequestRecord(
            self.server.name,
            request.method,
            request.path,
            urlsplit(self.path).query,
            picked,
            request.body.decode("utf-8", "replace")[:2000],
            time.monotonic(),
        )
        self.server.log.add(record)
        return record

    def _serve(self) -> None:
        request = self._read_request()
        record = self._record(request)
        truncate = False
        if record is None:
            response = self.server.app(request)
        else:
            decision = self.server.faults.decide(self.server.name, request.path,
                                                 request.headers.get("User-Agent", ""))
            if decision.latency_ms:
                time.sleep(decision.latency_ms / 1000)
            response = decision.response or self.server.app(request)
            truncate = decision.truncate
            # Before sending: the client may read the log as soon as it has the answer.
            record.status = response.status
        try:
            self._send(response, truncate)
        finally:
            if record is not None:
                record.end = time.monotonic()

    def _send(self, response: Response, truncate: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(response.length))
        for name, value in response.headers:
            self.send_header(name, value)
        cut = _cut_point(response, truncate)
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        self._send_body(response, response.length if cut is None else cut)
        if cut is None:
            return
        if response.stall_after is not None and not truncate:
            time.sleep(response.stall_seconds)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_WR)

    def _send_body(self, response: Response, count: int) -> None:
        if response.file is None:
            self.wfile.write(response.body[:count])
            return
        with response.file.open("rb") as source:
            # sendfile keeps big media out of Python memory and off the GIL.
            self.connection.sendfile(source, response.file_offset, count)
        self.wfile.flush()


def _cut_point(response: Response, truncate: bool) -> int | None:
    """Bytes to send before hanging up, or None to send the whole body."""
    if truncate:
        return response.length // 2
    if response.stall_after is not None:
        return min(response.stall_after, response.length)
    return None


class ServerThread:
    """One server on a loopback port, served by a background thread.

    With ``tls`` the same port also speaks HTTPS: each connection is sniffed for a TLS
    handshake, so ``http://`` and ``https://`` URLs of one host name both work.
    """

    def __init__(
        self,
        name: str,
        app: App,
        log: RequestLog,
        faults: FaultSet,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.httpd = _Server((host, port), name, app, log, faults, tls)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            name=f"fakesite-{name}",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8765``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Start serving in the background."""
        self.thread.start()

    def stop(self) -> None:
        """Stop serving, close the socket and join the thread."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
