"""Politeness towards the site, shared by every process: a leased semaphore, spacing, cool-down."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import redis

from aniworld.phrases import N_, Phrase
from aniworld.site.errors import SiteRateLimited

logger = logging.getLogger(__name__)

FULL = -1
_POLL_SECONDS = 0.02
# One script so that expiring old leases, counting, spacing and taking a slot are atomic
# across processes. Returns {0, 0} on success, {-1, 0} when every slot is taken, {1, ms}
# while cooling down and {2, ms} when the next start is not due yet.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cool = tonumber(redis.call('GET', KEYS[3]) or '0')
if cool > now then return {1, cool - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {-1, 0} end
local due = tonumber(redis.call('GET', KEYS[2]) or '0')
if due > now then return {2, due - now} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
redis.call('SET', KEYS[2], now + tonumber(ARGV[4]), 'PX', tonumber(ARGV[4]) + 1000)
return {0, 0}
"""
_COOL_DOWN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untl = now + tonumber(ARGV[1])
local cool = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cool then redis.call('SET', KEYS[1], untl, 'PX', tonumber(ARGV[1]) + 1000) end
return math.max(untl, cool) - now
"""


# What each hold reason means for the user.
HOLD_REASONS = {
    "site_challenge": N_("the site asked for a browser check"),
    "site_spam_blocked": N_("the site blocked this address as spam"),
    "captcha_required": N_("the site showed a captcha instead of a hoster link"),
    "play_gate_required": N_("s.to showed its \"Stream wird vorbereitet\" check"),
}
_REFUSED = N_("the site refused our requests")


@dataclass(frozen=True)
class SiteHold:
    """A long pause of every request to a site after it refused us as a bot."""

    reason: str
    seconds_left: float

    @property
    def message(self) -> Phrase:
        """One sentence for the banner and for the items that wait (English via ``str``)."""
        minutes = max(1, round(self.seconds_left / 60))
        what = Phrase(HOLD_REASONS.get(self.reason, _REFUSED))
        return Phrase("%(what)s; Aniworld pauses its requests to the site for about "
                      "%(minutes)s more minute(s) instead of asking again for every episode. "
                      "Import your browser's cookies in Settings or set a proxy, then retry",
                      what=what, minutes=minutes)


class _Backend(Protocol):
    def try_acquire(self, token: str, limit: int, lease_ms: int, spacing_ms: int) -> list[int]:
        ...

    def release(self, token: str) -> None:
        ...

    def cool_down(self, delay_ms: int) -> int:
        ...

    def failures(self, reset: bool = False) -> int:
        ...

    def hold(self, reason: str, delay_ms: int) -> int:
        ...

    def notice(self) -> tuple[str, int] | None:
        ...

    def release_hold(self) -> None:
        ...


class RedisBackend:
    """Limiter state in Redis, so every web and worker process shares it."""

    def __init__(self, client: redis.Redis, site: str) -> None:
        self.client = client
        prefix = f"aniworld:site:limit:{site}"
        self.keys = [f"{prefix}:inflight", f"{prefix}:next-start", f"{prefix}:cool-until"]
        self.failure_key = f"{prefix}:failures"
        self.notice_key = f"{prefix}:hold-reason"
        self._acquire = client.register_script(_ACQUIRE)
        self._cool_down = client.register_script(_COOL_DOWN)

    def try_acquire(self, token: str, limit: int, lease_ms: int, spacing_ms: int) -> list[int]:
        """Run the acquire script; see its comment for the answer."""
        code, wait = self._acquire(keys=self.keys, args=[token, limit, lease_ms, spacing_ms])
        return [int(code), int(wait)]

    def release(self, token: str) -> None:
        """Give a slot back."""
        self.client.zrem(self.keys[0], token)

    def cool_down(self, delay_ms: int) -> int:
        """Push "cool down until" to now + delay unless already later; return ms left."""
        return int(self._cool_down(keys=[self.keys[2]], args=[delay_ms]))

    def failures(self, reset: bool = False) -> int:
        """Count one more consecutive failure (or reset the count); return the count."""
        if reset:
            self.client.delete(self.failure_key)
            return 0
        with self.client.pipeline() as pipe:
            pipe.incr(self.failure_key)
            pipe.expire(self.failure_key, 600)
            count, _ = pipe.execute()
        return int(count)

    def hold(self, reason: str, delay_ms: int) -> int:
        """Cool down for ``delay_ms`` and remember why for as long; return ms left."""
        left = self.cool_down(delay_ms)
        self.client.set(self.notice_key, reason, px=max(left, 1))
        return left

    def notice(self) -> tuple[str, int] | None:
        """The reason of a running hold and its ms left, or None."""
        with self.client.pipeline() as pipe:
            pipe.get(self.notice_key)
            pipe.pttl(self.notice_key)
            reason, left = pipe.execute()
        if reason is None or int(left) <= 0:
            return None
        return (reason.decode() if isinstance(reason, bytes) else str(reason)), int(left)

    def release_hold(self) -> None:
        """End the cool-down and the hold, and forget the failure count."""
        self.client.delete(self.keys[2], self.notice_key, self.failure_key)


class LocalBackend:
    """Same semantics inside one process, for installs and tests without Redis."""

    _registry: dict[str, LocalBackend] = {}
    _registry_lock = threading.Lock()

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.leases: dict[str, float] = {}
        self.next_start = 0.0
        self.cool_until = 0.0
        self.failure_count = 0
        self.hold_reason: str | None = None

    @classmethod
    def for_site(cls, site: str) -> LocalBackend:
        """Return the one backend of ``site`` in this process."""
        with cls._registry_lock:
            return cls._registry.setdefault(site, cls())

    @classmethod
    def forget_all(cls) -> None:
        """Drop every in-process state (tests start each case from a quiet site)."""
        with cls._registry_lock:
            cls._registry.clear()

    def try_acquire(self, token: str, limit: int, lease_ms: int, spacing_ms: int) -> list[int]:
        """Take a slot if one is free and the spacing allows; same answers as the script."""
        with self.lock:
            now = time.monotonic()
            if self.cool_until > now:
                return [1, int((self.cool_until - now) * 1000) + 1]
            self.leases = {tok: end for tok, end in self.leases.items() if end > now}
            if len(self.leases) >= limit:
                return [FULL, 0]
            if self.next_start > now:
                return [2, int((self.next_start - now) * 1000) + 1]
            self.leases[token] = now + lease_ms / 1000
            self.next_start = now + spacing_ms / 1000
            return [0, 0]

    def release(self, token: str) -> None:
        """Give a slot back."""
        with self.lock:
            self.leases.pop(token, None)

    def cool_down(self, delay_ms: int) -> int:
        """Push "cool down until" to now + delay unless already later; return ms left."""
        with self.lock:
            now = time.monotonic()
            self.cool_until = max(self.cool_until, now + delay_ms / 1000)
            return int((self.cool_until - now) * 1000)

    def failures(self, reset: bool = False) -> int:
        """Count one more consecutive failure (or reset the count); return the count."""
        with self.lock:
            self.failure_count = 0 if reset else self.failure_count + 1
            return self.failure_count

    def hold(self, reason: str, delay_ms: int) -> int:
        """Cool down for ``delay_ms`` and remember why for as long; return ms left."""
        left = self.cool_down(delay_ms)
        self.hold_reason = reason
        return left

    def notice(self) -> tuple[str, int] | None:
        """The reason of a running hold and its ms left, or None."""
        with self.lock:
            left = int((self.cool_until - time.monotonic()) * 1000)
            return (self.hold_reason, left) if self.hold_reason and left > 0 else None

    def release_hold(self) -> None:
        """End the cool-down and the hold, and forget the failure count."""
        with self.lock:
            self.cool_until, self.hold_reason, self.failure_count = 0.0, None, 0


class SiteLimiter:
    """At most ``max_in_flight`` requests per site, spaced, with a shared back-off."""

    def __init__(
        self,
        site: str,
        client: redis.Redis | None = None,
        *,
        max_in_flight: int = 2,
        min_interval: float = 0.25,
        lease_seconds: float = 60.0,
        max_wait: float = 60.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
    ) -> None:
        self.site = site
        self.backend: _Backend = (
            RedisBackend(client, site) if client is not None else LocalBackend.for_site(site)
        )
        self.max_in_flight = max_in_flight
        self.min_interval = min_interval
        self.lease_ms = int(lease_seconds * 1000)
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the site's request slots; raise SiteRateLimited if the wait is too long."""
        token = uuid.uuid4().hex
        self._acquire(token)
        try:
            yield
        finally:
            self._safe_release(token)

    def _acquire(self, token: str) -> None:
        while True:
            spacing_ms = int(self.min_interval * random.uniform(1.0, 1.2) * 1000)
            code, wait_ms = self._call(
                "try_acquire", token, self.max_in_flight, self.lease_ms, spacing_ms
            )
            if code == 0:
                return
            if code == 1 and wait_ms / 1000 > self.max_wait:
                hold = self.notice()
                raise SiteRateLimited(wait_ms / 1000, hold.message if hold else None)
            time.sleep(_POLL_SECONDS if code == FULL else min(wait_ms / 1000, self.max_wait))

    def _call(self, name: str, *args: Any) -> Any:
        try:
            return getattr(self.backend, name)(*args)
        except redis.RedisError as exc:
            # Politeness must not take the app down with Redis: keep limiting in-process.
            logger.warning("limiter redis failed site=%s error=%s fallback=local", self.site, exc)
            self.backend = LocalBackend.for_site(self.site)
            return getattr(self.backend, name)(*args)

    def _safe_release(self, token: str) -> None:
        try:
            self.backend.release(token)
        except redis.RedisError as exc:
            # The lease expires by itself; a lost release only delays others a little.
            logger.warning("limiter release failed site=%s error=%s", self.site, exc)

    def backoff(self, retry_after: float | None = None) -> float:
        """Record a failure and cool the whole site down (exponentially); return seconds."""
        count = self._call("failures")
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (count - 1))
        delay = max(delay, retry_after or 0.0)
        left = self._call("cool_down", int(delay * 1000)) / 1000
        logger.info("site cool-down site=%s failures=%s seconds=%.2f", self.site, count, left)
        return left

    def hold(self, seconds: float, reason: str) -> float:
        """Pause every request to the site for ``seconds`` (after a challenge); return seconds.

        Asking again per item would only confirm to the site that we are a bot.
        """
        left = self._call("hold", reason, int(seconds * 1000)) / 1000
        logger.warning("site hold site=%s reason=%s seconds=%.0f", self.site, reason, left)
        return left

    def notice(self) -> SiteHold | None:
        """The running hold, if any (for the banner)."""
        found = self._call("notice")
        return SiteHold(found[0], found[1] / 1000) if found else None

    def release_hold(self) -> None:
        """Let requests go out now: the user says the challenge is solved."""
        self._call("release_hold")
        logger.info("site hold released site=%s", self.site)

    def succeeded(self) -> None:
        """Reset the failure count after a good answer."""
        self._call("failures", True)
