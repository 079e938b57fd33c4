"""Deliver a :class:`Message` to Apprise URLs, one URL at a time, and say exactly what failed.

Each URL gets an ``Apprise`` object of its own, so the outcome of every URL is known (a
retry can skip the ones that already took the message) and a failure names its URL. URLs
carry tokens, so a URL is only ever named by its service, scheme and host (Apprise's own
privacy form, cut before the path) and its position in the list; Apprise's log lines
about a URL it could not load are stripped of the URL's parts.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import apprise

from aniworld.notifications.messages import Message
from aniworld.phrases import Phrase

logger = logging.getLogger(__name__)

APPRISE_LOGGER = "apprise"
_WARNING_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
# URL parts at least this long are cut out of Apprise's messages about a URL.
_MIN_SECRET = 3


@dataclass(frozen=True)
class Failure:
    """One URL that did not take the message, named without its secret parts."""

    target: str
    reason: str | Phrase  # a Phrase when the words are ours, Apprise's own text else
    # False when sending again cannot help (Apprise cannot use the URL at all).
    retryable: bool = True

    def __str__(self) -> str:
        return f"{self.target}: {self.reason}"


@dataclass(frozen=True)
class Delivery:
    """What one send did: the URLs that took the message (fingerprints) and the failures."""

    delivered: frozenset[str] = frozenset()
    failures: tuple[Failure, ...] = ()
    skipped: int = 0  # URLs left out because an earlier try delivered to them

    @property
    def ok(self) -> bool:
        """Every URL has the message."""
        return not self.failures

    @property
    def retryable(self) -> bool:
        """Some URL failed in a way another try may fix."""
        return any(failure.retryable for failure in self.failures)

    @property
    def error(self) -> str:
        """Every failure, one after the other ("" when none)."""
        return "; ".join(str(failure) for failure in self.failures)

    @property
    def phrase(self) -> Phrase | None:
        """:attr:`error` as a phrase, for the reader's language (None when none failed)."""
        combined: Phrase | None = None
        for failure in self.failures:
            one = Phrase("%(target)s: %(reason)s", target=failure.target, reason=failure.reason)
            combined = one if combined is None else Phrase("%(first)s; %(next)s",
                                                           first=combined, next=one)
        return combined

    @property
    def target(self) -> str:
        """The first failing URL's name ("" when none failed)."""
        return self.failures[0].target if self.failures else ""


def fingerprint(url: str) -> str:
    """A stable id of ``url`` that reveals nothing of it (for "already delivered" lists)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def send(urls: Sequence[str], message: Message, *, timeout: float,
         skip: Collection[str] = ()) -> Delivery:
    """Send ``message`` to each URL (waiting at most ``timeout`` s for each).

    URLs whose fingerprint is in ``skip`` are left out. Never raises for a URL's fault:
    what went wrong is in the returned :class:`Delivery`.
    """
    delivered: set[str] = set()
    failures: list[Failure] = []
    skipped = 0
    for position, url in enumerate(urls, start=1):
        key = fingerprint(url)
        if key in skip:
            skipped += 1
            continue
        failure = _send_one(url, position, message, timeout)
        if failure is None:
            delivered.add(key)
        else:
            logger.warning("notification not delivered event=%s %s", message.event, failure)
            failures.append(failure)
    return Delivery(frozenset(delivered), tuple(failures), skipped)


def _send_one(url: str, position: int, message: Message, timeout: float) -> Failure | None:
    notifier = apprise.Apprise()
    with _apprise_warnings() as warnings:
        added = notifier.add(url)
    if not added:
        reason = " ".join(redact(text, url) for text in warnings) or "unknown service"
        return Failure(f"URL {position} ({_scheme(url)}://…)",
                       Phrase("Apprise cannot use this URL (%(reason)s); check it against "
                              "https://github.com/caronc/apprise/wiki", reason=reason),
                       retryable=False)
    service = next(iter(notifier))
    target = f"{service.service_name} {public_url(service.url(privacy=True))} (URL {position})"
    try:
        result = notifier.notify(body=message.body, title=message.title,
                                 notify_type=message.kind, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - a plugin's bug must not end the other URLs
        return Failure(target, redact(f"{type(exc).__name__}: {exc}", url))
    if result:
        return None
    reasons = [entry.message for entry in result.logs() if entry.level in _WARNING_LEVELS]
    # Apprise's text may name the URL's parts: many services keep a token in the host slot.
    reason = redact(" ".join(reasons), url) or _status_reason(result.status.name, timeout)
    return Failure(target, reason)


def _status_reason(status: str, timeout: float) -> Phrase:
    if status == "TIMEOUT":
        return Phrase("no answer within %(seconds)s seconds", seconds=f"{timeout:g}")
    return Phrase("Apprise reported %(status)s without a reason", status=status.lower())


def public_url(privacy_url: str) -> str:
    """``scheme://host[:port]`` of Apprise's privacy form: no user, path or query."""
    parts = urlsplit(privacy_url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname or '…'}{port}"


def _scheme(url: str) -> str:
    return url.split("://", 1)[0] if "://" in url else "?"


def redact(text: str, url: str) -> str:
    """``text`` with ``url`` and each of its parts (host, user, tokens, path) cut out."""
    text = text.replace(url, f"{_scheme(url)}://…")
    rest = url.split("://", 1)[-1]
    parts = sorted({part for part in re.split(r"[/:@?&=#,;]+", rest)
                    if len(part) >= _MIN_SECRET}, key=len, reverse=True)
    for part in parts:
        text = text.replace(part, "…")
    return text


class _ThreadRecords(logging.Handler):
    """Collects the warnings Apprise logs in this thread only (a web server has others)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _apprise_warnings() -> Iterator[list[str]]:
    """The warnings Apprise logs inside the block (why it refused a URL)."""
    handler = _ThreadRecords()
    apprise_logger = logging.getLogger(APPRISE_LOGGER)
    apprise_logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        apprise_logger.removeHandler(handler)

