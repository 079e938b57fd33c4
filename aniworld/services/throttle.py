"""Failure throttles per client address, counted in Redis so every web process agrees."""

from __future__ import annotations

import logging

import redis

logger = logging.getLogger(__name__)


class LoginThrottle:
    """Allow ``limit`` attempts (or failures) per address within ``window`` seconds.

    ``scope`` names what is counted (failed logins, wrong API keys), so throttles of
    different kinds do not share a count.
    """

    def __init__(self, client: redis.Redis, limit: int = 5, window: int = 60,
                 scope: str = "login-failures") -> None:
        self.client = client
        self.limit = limit
        self.window = window
        self.scope = scope

    def _key(self, address: str) -> str:
        return f"aniworld:{self.scope}:{address}"

    def attempt(self, address: str) -> int | None:
        """Count one attempt of ``address`` first; return seconds to wait if over the limit.

        Counting before the password is checked, in one atomic INCR, is what makes the limit
        hold against parallel requests: the sixth of thirty simultaneous guesses already sees
        a count above the limit and is refused unchecked. When Redis is unreachable the
        throttle fails open (and logs it) so the owner can still log in during an outage.
        """
        try:
            with self.client.pipeline() as pipe:
                # SET NX EX + INCR rather than EXPIRE NX: the bundled redis-server is 6.2.
                pipe.set(self._key(address), 0, ex=self.window, nx=True)
                pipe.incr(self._key(address))
                pipe.ttl(self._key(address))
                _created, count, ttl = pipe.execute()
        except redis.RedisError as exc:
            logger.warning("throttle unavailable scope=%s error=%s", self.scope, exc)
            return None
        return max(int(ttl), 1) if int(count) > self.limit else None

    def retry_after(self, address: str) -> int | None:
        """Return seconds to wait when ``address`` has used up its failures, else None."""
        try:
            failures = int(self.client.get(self._key(address)) or 0)
            if failures < self.limit:
                return None
            return max(int(self.client.ttl(self._key(address))), 1)
        except redis.RedisError as exc:
            logger.warning("throttle unavailable scope=%s error=%s", self.scope, exc)
            return None

    def record_failure(self, address: str) -> None:
        """Count one failure for ``address``; the window starts at the first failure."""
        self.attempt(address)

    def reset(self, address: str) -> None:
        """Forget the count of ``address`` after a success."""
        try:
            self.client.delete(self._key(address))
        except redis.RedisError as exc:
            logger.warning("throttle unavailable scope=%s error=%s", self.scope, exc)
