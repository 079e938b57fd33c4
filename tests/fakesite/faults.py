"""Switchable fault modes: challenge pages, blocks, captcha, HTTP errors, latency, truncation."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from tests.fakesite.blocks import Response, block_response
from tests.fakesite.requestlog import LockedList

KINDS = (
    "ddos_guard",  # DDoS-Guard "Checking your browser" page, 403 + __ddg1_ cookie
    "cloudflare",  # Cloudflare "Just a moment..." challenge, 403 + cf-mitigated
    "spam",  # aniworld's own block: "Deine Anfrage wurde als Spam erkannt."
    "captcha",  # reCAPTCHA interstitial instead of the /redirect/<id> hop (200, stays here)
    "bot_block",  # 403 to non-browser User-Agents only (aniworld since Aug 2026, §8)
    "status",  # plain HTTP error: 403, 500, 502, 503 ...
    "rate_limit",  # 429 with Retry-After
    "slow",  # latency_ms added before answering; combines with the other kinds
    "truncate",  # Content-Length larger than the bytes sent, then the connection closes
)
DEFAULT_PREFIX = {"captcha": "/redirect/"}
DEFAULT_STATUS = {
    "ddos_guard": 403,
    "cloudflare": 403,
    "bot_block": 403,
    "spam": 200,
    "captcha": 200,
    "status": 503,
    "rate_limit": 429,
}

# HTTP libraries and tools; a browser's UA starts with Mozilla/5.0 and names none of them.
_TOOL_AGENTS = re.compile(
    r"python|urllib|curl|wget|httpx|aiohttp|go-http-client|okhttp|java/|libwww|scrapy", re.I)


def is_browser_agent(user_agent: str) -> bool:
    """True for a User-Agent a desktop browser would send."""
    return user_agent.startswith("Mozilla/5.0 (") and not _TOOL_AGENTS.search(user_agent)


@dataclass
class Fault:
    """One active fault; ``times`` None means until cleared."""

    kind: str
    prefix: str = "/"
    times: int | None = None
    status: int | None = None
    retry_after: int = 5
    latency_ms: int = 0
    server: str = "site"
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if self.status is None and self.kind in DEFAULT_STATUS:
            self.status = DEFAULT_STATUS[self.kind]

    @property
    def exhausted(self) -> bool:
        """True once it fired ``times`` times."""
        return self.times is not None and self.hits >= self.times

    def to_json(self) -> dict[str, object]:
        """Plain-dict form for the admin endpoint."""
        return asdict(self)


@dataclass
class Decision:
    """What the faults say about one request."""

    latency_ms: int = 0
    response: Response | None = None
    truncate: bool = False


class FaultSet(LockedList[Fault]):
    """Active faults shared by both servers; matching consumes one use of each fault."""

    def active(self) -> list[Fault]:
        """Faults that can still fire."""
        with self._lock:
            return [f for f in self._items if not f.exhausted]

    def decide(self, server: str, path: str, user_agent: str = "") -> Decision:
        """Consume the matching faults: latencies add up, the first answering fault wins.

        ``bot_block`` matches only requests whose ``user_agent`` is not a browser's.
        """
        decision = Decision()
        with self._lock:
            for fault in self._items:
                if fault.exhausted or fault.server != server or not path.startswith(fault.prefix):
                    continue
                if fault.kind == "bot_block" and is_browser_agent(user_agent):
                    continue
                if fault.kind == "slow":
                    decision.latency_ms += fault.latency_ms
                elif fault.kind == "truncate":
                    if decision.response is not None or decision.truncate:
                        continue
                    decision.truncate = True
                elif decision.response is None and not decision.truncate:
                    decision.response = block_response(
                        fault.kind, fault.status or 503, fault.retry_after
                    )
                else:
                    continue
                fault.hits += 1
        return decision


def make_fault(kind: str, **options: object) -> Fault:
    """Build a Fault, defaulting the prefix per kind (captcha: ``/redirect/``)."""
    options.setdefault("prefix", DEFAULT_PREFIX.get(kind, "/"))
    allowed = {"prefix", "times", "status", "retry_after", "latency_ms", "server"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"unknown fault option(s): {', '.join(sorted(unknown))}")
    return Fault(kind, **options)  # type: ignore[arg-type]
