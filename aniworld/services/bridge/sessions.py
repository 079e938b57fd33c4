"""Login sessions of the qBittorrent bridge: the ``SID`` cookie and whose API key opened it.

qBittorrent hands out an ``SID`` cookie at ``auth/login`` and forgets it after an hour
without use; a client sent 403 logs in again (Sonarr and qbittorrent-api both do). Kept in
Redis with that idle timeout, so every web process knows every session and a restart of
Redis only costs Sonarr one more login. A session names the digest of the API key it was
opened with (ids are reused, digests are not): a request counts only while a key with that
digest exists, and revoking the key ends its sessions (:meth:`BridgeSessions.end_key`).
"""

from __future__ import annotations

import secrets

import redis

SESSION_SECONDS = 3600
_PREFIX = "aniworld:bridge-sid:"
_KEY_PREFIX = "aniworld:bridge-key-sids:"  # the SIDs opened with one key's digest
MAX_SID = 64


class BridgeSessions:
    """Open, look up, renew and end bridge sessions in Redis."""

    def __init__(self, client: redis.Redis, lifetime: int = SESSION_SECONDS) -> None:
        self.client = client
        self.lifetime = lifetime

    def open(self, key_digest: str) -> str:
        """Start a session for the API key with digest ``key_digest``; return its SID."""
        sid = secrets.token_urlsafe(24)
        with self.client.pipeline() as pipe:
            pipe.set(_PREFIX + sid, key_digest, ex=self.lifetime)
            pipe.sadd(_KEY_PREFIX + key_digest, sid)
            pipe.expire(_KEY_PREFIX + key_digest, self.lifetime)
            pipe.execute()
        return sid

    def key_of(self, sid: str) -> str | None:
        """The API key digest of a live session, else None (nothing is renewed)."""
        if not sid or len(sid) > MAX_SID:
            return None
        value = self.client.get(_PREFIX + sid)
        return value.decode() if isinstance(value, bytes) else value

    def renew(self, sid: str, key_digest: str) -> None:
        """Start the idle timeout of a session whose key was found valid again."""
        with self.client.pipeline() as pipe:
            pipe.expire(_PREFIX + sid, self.lifetime)
            pipe.expire(_KEY_PREFIX + key_digest, self.lifetime)
            pipe.execute()

    def close(self, sid: str) -> None:
        """End the session ``sid`` (unknown: nothing to do)."""
        if sid and len(sid) <= MAX_SID:
            self.client.delete(_PREFIX + sid)

    def end_key(self, key_digest: str) -> int:
        """End every session opened with the key ``key_digest``; return how many."""
        sids = [s.decode() if isinstance(s, bytes) else s
                for s in self.client.smembers(_KEY_PREFIX + key_digest)]
        with self.client.pipeline() as pipe:
            for sid in sids:
                pipe.delete(_PREFIX + sid)
            pipe.delete(_KEY_PREFIX + key_digest)
            ended = pipe.execute()
        return sum(ended[:-1])
