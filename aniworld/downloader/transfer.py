"""HTTP plumbing shared by MP4 and HLS: guarded requests, body copying, retries, the watchdog.

Worker threads do the blocking network reads; the calling thread only watches. That split
lets the watcher poll ``should_stop`` every 0.25 s and measure silence precisely even while
a socket is stuck in ``recv``, and abort by shutting the sockets down from outside.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from contextlib import contextmanager
from typing import BinaryIO
from urllib.parse import urljoin

import requests

from aniworld.downloader.disk import no_space
from aniworld.downloader.errors import (
    DownloadCancelled,
    DownloadPaused,
    MediaLinkExpired,
    MediaServerError,
    MediaUnavailable,
    StalledDownload,
)
from aniworld.downloader.progress import Reporter
from aniworld.downloader.types import DownloadSettings, StopRequested
from aniworld.phrases import Number, Phrase
from aniworld.pinning import PinnedAdapter, pinned
from aniworld.urlguard import BlockedUrl, Pin, UrlGuard

logger = logging.getLogger(__name__)

TICK = 0.25  # watcher period: should_stop is polled at least this often
MAX_REDIRECTS = 5
RETRY_DELAYS = (0.5, 1.0, 2.0)
CONNECT_TIMEOUT = 10.0
# What a CDN answers for a signed link that has run out (or is bound to another client).
_LINK_REFUSED = {401, 403, 410}


class Aborted(Exception):
    """Raised inside a worker once the watcher gave up; never leaves the engine."""


class Transfer:
    """State shared by the workers and the watcher of one download."""

    def __init__(self, settings: DownloadSettings) -> None:
        self.settings = settings
        self.guard = UrlGuard(settings.allow_private_hosts)
        self.abort = threading.Event()
        self.base_bytes = 0  # already on disk from an earlier run
        # Set once any media request of this download was answered: a refusal after that
        # is the link expiring, not a link that never worked.
        self.answered = False
        self.total_bytes: int | None = None
        self._received = 0
        self._last_byte = time.monotonic()
        self._throttled = 0
        self._lock = threading.Lock()
        self._open: set[requests.Response] = set()

    @property
    def downloaded(self) -> int:
        """Bytes on disk: earlier runs plus this one."""
        return self.base_bytes + self._received

    def restart_at(self, offset: int) -> None:
        """Declare that ``offset`` bytes are on disk now (resume point or restart)."""
        with self._lock:
            self.base_bytes = offset - self._received

    def discount(self, nbytes: int) -> None:
        """Take back bytes that will be fetched again (a failed segment attempt)."""
        with self._lock:
            self._received -= nbytes

    def add(self, nbytes: int) -> None:
        """Count received bytes and reset the silence clock."""
        with self._lock:
            self._received += nbytes
            self._last_byte = time.monotonic()

    def silence(self) -> float:
        """Seconds since the last byte, 0 while a worker waits on the rate limiter."""
        with self._lock:
            return 0.0 if self._throttled else time.monotonic() - self._last_byte

    @contextmanager
    def throttling(self) -> Iterator[None]:
        """Mark time spent in the rate limiter, which is not a network stall."""
        with self._lock:
            self._throttled += 1
        try:
            yield
        finally:
            with self._lock:
                self._throttled -= 1
                self._last_byte = time.monotonic()

    def track(self, response: requests.Response) -> None:
        """Remember an open response so ``kill`` can interrupt its read."""
        with self._lock:
            self._open.add(response)

    def untrack(self, response: requests.Response) -> None:
        """Forget a response and close it."""
        with self._lock:
            self._open.discard(response)
        response.close()

    def kill(self) -> None:
        """Tell every worker to stop and interrupt reads blocked on a socket."""
        self.abort.set()
        with self._lock:
            responses = list(self._open)
        for response in responses:
            _shutdown(response)

    def pause(self, seconds: float) -> None:
        """Sleep for a retry back-off unless the download is aborted meanwhile."""
        if self.abort.wait(seconds):
            raise Aborted


def _shutdown(response: requests.Response) -> None:
    # urllib3 keeps the socket on the connection; shutting it down makes a blocked recv()
    # return at once, which close() cannot do while another thread holds the reader lock.
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def new_session(headers: dict[str, str], pool: int) -> requests.Session:
    """A session with the stream's headers and enough pooled connections, honouring pins."""
    session = requests.Session()
    session.headers.update(headers)
    adapter = PinnedAdapter(pool_connections=1, pool_maxsize=max(pool, 1))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def open_media(
    session: requests.Session, url: str, transfer: Transfer, *, start: int = 0
) -> requests.Response:
    """GET ``url`` (from byte ``start``), checking every hop with the URL guard.

    Each hop connects to the address its check resolved (no second DNS lookup).
    """
    headers = {"Range": f"bytes={start}-"} if start else {}
    timeout = (CONNECT_TIMEOUT, max(1.0, transfer.settings.stall_timeout))
    for _ in range(MAX_REDIRECTS + 1):
        pin = _guard(url, transfer)
        try:
            with pinned(pin):
                response = session.get(
                    url, headers=headers, stream=True, allow_redirects=False, timeout=timeout
                )
        except BlockedUrl as exc:
            raise _unavailable(exc) from exc
        except requests.RequestException as exc:
            raise MediaServerError(
                Phrase("could not reach the media server (%(error)s); will retry", error=str(exc))
            ) from exc
        if not response.is_redirect:
            _check_status(response, url, transfer.answered)
            transfer.answered = transfer.answered or response.status_code < 400
            return response
        url = urljoin(url, response.headers.get("Location", ""))
        response.close()
    raise MediaUnavailable(
        Phrase("the media link redirected too often; another hoster will be tried")
    )


def read_small(session: requests.Session, url: str, transfer: Transfer, limit: int,
               broke_off: str) -> tuple[bytes, str]:
    """A small media answer (playlist, key): at most about ``limit`` bytes and its final URL.

    A read that goes past ``limit`` stops there, so the caller sees the size and can refuse
    it. ``broke_off`` is the ``N_`` sentence (with ``%(error)s``) of an interrupted read.
    """
    response = open_media(session, url, transfer)
    try:
        body = bytearray()
        for chunk in response.iter_content(min(64 * 1024, limit)):
            body += chunk
            if len(body) > limit:
                break
        return bytes(body), response.url
    except requests.RequestException as exc:
        raise MediaServerError(Phrase(broke_off, error=str(exc))) from exc
    finally:
        response.close()


def _guard(url: str, transfer: Transfer) -> Pin:
    if transfer.abort.is_set():
        raise Aborted
    try:
        return transfer.guard.pin(url)
    except BlockedUrl as exc:
        raise _unavailable(exc) from exc


def _unavailable(exc: BlockedUrl) -> MediaUnavailable:
    return MediaUnavailable(
        Phrase("%(reason)s; another hoster will be tried", reason=exc.phrase)
    )


def _check_status(response: requests.Response, url: str, answered: bool) -> None:
    status = response.status_code
    if status < 400 or status == 416:  # 416 is answered by the caller (resume logic)
        return
    response.close()
    host = requests.utils.urlparse(url).hostname
    logger.info("media refused status=%s host=%s", status, host)
    if status in {408, 425, 429} or status >= 500:
        raise MediaServerError(Phrase(
            "the media server %(host)s answered %(status)s; will retry later",
            host=host, status=status,
        ))
    if answered and status in _LINK_REFUSED:
        raise MediaLinkExpired(Phrase(
            "the media link stopped working mid-download (%(status)s from %(host)s); it has "
            "probably expired, so the hoster is resolved again for a fresh link",
            status=status, host=host,
        ))
    raise MediaUnavailable(Phrase(
        "the media link expired or was refused (%(status)s from %(host)s); "
        "another hoster will be tried", status=status, host=host,
    ))


def copy_body(response: requests.Response, out: BinaryIO, transfer: Transfer) -> int:
    """Stream a response body into ``out`` in chunks; return the bytes written."""
    limiter = transfer.settings.rate_limiter
    written = 0
    transfer.track(response)
    try:
        for chunk in response.iter_content(transfer.settings.chunk_size):
            if transfer.abort.is_set():
                raise Aborted
            if limiter is not None:
                with transfer.throttling():
                    limiter.acquire(len(chunk))
            _write(out, chunk)
            written += len(chunk)
            transfer.add(len(chunk))
    except requests.RequestException as exc:
        if transfer.abort.is_set():
            raise Aborted from exc
        raise MediaServerError(
            Phrase("the media transfer broke off (%(error)s); will retry", error=str(exc))
        ) from exc
    finally:
        transfer.untrack(response)
    return written


def _write(out: BinaryIO, chunk: bytes) -> None:
    try:
        out.write(chunk)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise no_space(out.name) from exc
        raise


def with_retries(action: Callable[[], None], transfer: Transfer, what: str) -> None:
    """Run ``action``; retry transient server/network errors with a short back-off."""
    for delay in (*RETRY_DELAYS, None):
        try:
            action()
            return
        except MediaServerError as exc:
            if delay is None or transfer.abort.is_set():
                raise
            logger.info("media retry what=%s delay=%s error=%s", what, delay, exc.message)
            transfer.pause(delay)


def watch(
    futures: list[Future[None]],
    transfer: Transfer,
    reporter: Reporter,
    should_stop: Callable[[], StopRequested | None],
) -> None:
    """Wait for the workers while enforcing stop requests, stall timeout and progress."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=TICK, return_when=FIRST_EXCEPTION)
        for future in done:
            if (error := future.exception()) is not None:
                transfer.kill()
                raise error
        _check_interrupts(transfer, should_stop)
        reporter.tick(transfer.downloaded, transfer.total_bytes)


def _check_interrupts(transfer: Transfer, should_stop: Callable[[], StopRequested | None]) -> None:
    request = should_stop()
    if request is StopRequested.CANCEL:
        transfer.kill()
        raise DownloadCancelled(
            Phrase("the download was cancelled and its partial data deleted")
        )
    if request is StopRequested.PAUSE:
        transfer.kill()
        raise DownloadPaused(
            Phrase("the download was paused; resuming continues where it stopped")
        )
    silence = transfer.silence()
    if silence > transfer.settings.stall_timeout:
        transfer.kill()
        raise StalledDownload(Phrase(
            "no data arrived for %(silence)s s (stall timeout %(timeout)s s); "
            "the download will be retried",
            silence=Number(silence, 0), timeout=f"{transfer.settings.stall_timeout:g}",
        ))
