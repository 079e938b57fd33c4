"""Failed-login throttle per client address, counted in Redis so every web process agrees."""

from __future__ import annotations

import logging

import redis

logger = logging.getLogger(__name__)


class LoginThrottle:
    """Allow ``limit`` failed logins per address within ``window`` seconds."""

    def __init__(self, client: redis.Redis, limit: int = 5, window: int = 60) -> None:
        self.client = client
        self.limit = limit
        self.window = window

    def _key(self, address: str) -> str:
        return f"aniworld:login-failures:{address}"

    def retry_after(self, address: str) -> int | None:
        """Return seconds to wait when ``address`` is locked out, else None.

        When Redis is unreachable the throttle fails open (and logs it) so the owner can still
        log in while the health banner reports the outage.
        """
        try:
            failures = int(self.client.get(self._key(address)) or 0)
            if failures < self.limit:
                return None
            return max(int(self.client.ttl(self._key(address))), 1)
        except redis.RedisError as exc:
            logger.warning("login throttle unavailable error=%s", exc)
            return None

    def record_failure(self, address: str) -> None:
        """Count one failed login for ``address``; the window starts at the first failure."""
        try:
            with self.client.pipeline() as pipe:
                # SET NX EX + INCR rather than EXPIRE NX: the bundled redis-server is 6.2.
                pipe.set(self._key(address), 0, ex=self.window, nx=True)
                pipe.incr(self._key(address))
                pipe.execute()
        except redis.RedisError as exc:
            logger.warning("login throttle unavailable error=%s", exc)

    def reset(self, address: str) -> None:
        """Forget the failures of ``address`` after a successful login."""
        try:
            self.client.delete(self._key(address))
        except redis.RedisError as exc:
            logger.warning("login throttle unavailable error=%s", exc)
