"""Login sessions of the qBittorrent bridge: the ``SID`` cookie and whose API key opened it.

qBittorrent hands out an ``SID`` cookie at ``auth/login`` and forgets it after an hour
without use; a client sent 403 logs in again (Sonarr and qbittorrent-api both do). Kept in
Redis with that idle timeout, so every web process knows every session and a restart of
Redis only costs Sonarr one more login. A session names the API key it was opened with:
revoking the key ends its sessions.
"""

from __future__ import annotations

import secrets

import redis

SESSION_SECONDS = 3600
_PREFIX = "aniworld:bridge-sid:"


class BridgeSessions:
    """Open, look up and end bridge sessions in Redis."""

    def __init__(self, client: redis.Redis, lifetime: int = SESSION_SECONDS) -> None:
        self.client = client
        self.lifetime = lifetime

    def open(self, api_key_id: int) -> str:
        """Start a session for the API key ``api_key_id``; return its SID."""
        sid = secrets.token_urlsafe(24)
        self.client.set(_PREFIX + sid, api_key_id, ex=self.lifetime)
        return sid

    def key_of(self, sid: str) -> int | None:
        """The API key id of a live session (its idle timeout starts again), else None."""
        if not sid or len(sid) > 64:
            return None
        with self.client.pipeline() as pipe:
            pipe.get(_PREFIX + sid)
            pipe.expire(_PREFIX + sid, self.lifetime)
            value, _renewed = pipe.execute()
        return int(value) if value is not None else None

    def close(self, sid: str) -> None:
        """End the session ``sid`` (unknown: nothing to do)."""
        if sid and len(sid) <= 64:
            self.client.delete(_PREFIX + sid)
