"""Short-lived cache of site answers: Redis when available, else an in-process dictionary."""

from __future__ import annotations

import hashlib
import logging
import threading
import time

import redis

logger = logging.getLogger(__name__)

_MEMORY_ENTRIES = 512


class PageCache:
    """Text of site answers by full request identity (base URL included), with a TTL."""

    def __init__(self, client: redis.Redis | None = None, ttl: int = 1800) -> None:
        self.client = client
        self.ttl = ttl
        self._memory: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(identity: str) -> str:
        """Return the storage key for a request identity such as ``GET https://site/path``."""
        return "aniworld:site:cache:" + hashlib.sha256(identity.encode()).hexdigest()

    def get(self, identity: str) -> str | None:
        """Return the cached text or None; a Redis failure counts as a miss."""
        key = self.key(identity)
        if self.client is None:
            return self._memory_get(key)
        try:
            value = self.client.get(key)
        except redis.RedisError as exc:
            logger.warning("site cache read failed error=%s", exc)
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def set(self, identity: str, text: str, ttl: int | None = None) -> None:
        """Store text for ``ttl`` seconds (the cache default when None; 0 disables)."""
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:
            return
        key = self.key(identity)
        if self.client is None:
            self._memory_set(key, text, ttl)
            return
        try:
            self.client.set(key, text.encode("utf-8"), ex=ttl)
        except redis.RedisError as exc:
            logger.warning("site cache write failed error=%s", exc)

    def _memory_get(self, key: str) -> str | None:
        with self._lock:
            entry = self._memory.get(key)
            if entry is None or entry[0] <= time.monotonic():
                self._memory.pop(key, None)
                return None
            return entry[1]

    def _memory_set(self, key: str, text: str, ttl: int) -> None:
        with self._lock:
            if len(self._memory) >= _MEMORY_ENTRIES:
                # Dicts keep insertion order: dropping the first entry drops the oldest.
                self._memory.pop(next(iter(self._memory)))
            self._memory[key] = (time.monotonic() + ttl, text)
