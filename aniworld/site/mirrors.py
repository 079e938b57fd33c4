"""A site's ordered base URLs (domains, mirrors, an IP with a Host name) and the one that works."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis

from aniworld.errors import ValidationError
from aniworld.phrases import Phrase

logger = logging.getLogger(__name__)

# How long a failover sticks before the preferred base is tried again (seconds).
REMEMBER_SECONDS = 3600


@dataclass(frozen=True)
class SiteBase:
    """Where requests go (``url``) and the host name to send as ``Host`` for the IP form."""

    url: str
    host: str | None = None

    @property
    def netlocs(self) -> set[str]:
        """Every host[:port] under which this base's pages can appear in links."""
        names = {urlsplit(self.url).netloc.lower()}
        return names | ({self.host.lower()} if self.host else set())


def parse_base(value: str) -> SiteBase:
    """Parse ``https://aniworld.to`` or the IP form ``http://186.2.175.111#aniworld.to``.

    Raise ValidationError when the entry is not an http(s) URL without path or query.
    """
    text = value.strip() if isinstance(value, str) else ""
    url, _, host = text.partition("#")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(Phrase(
            "base_url must be an http(s) URL like https://aniworld.to (or an IP with the "
            "host name to send, like http://186.2.175.111#aniworld.to), got %(value)s",
            value=repr(value),
        ), field="base_url")
    if parts.path.strip("/") or parts.query:
        raise ValidationError(Phrase("base_url must not contain a path or query"),
                              field="base_url")
    host = host.strip().lower()
    if host and (urlsplit(f"//{host}").hostname != host.split(":")[0] or "/" in host):
        raise ValidationError(Phrase("the host name after # must be a plain name, got %(host)s",
                                     host=repr(host)), field="base_url")
    return SiteBase(f"{parts.scheme}://{parts.netloc}", host or None)


def format_base(base: SiteBase) -> str:
    """The text form parse_base reads."""
    return f"{base.url}#{base.host}" if base.host else base.url


class MirrorSet:
    """The bases of one site in preference order; remembers the one that answered last.

    With Redis the working base is shared by every process for REMEMBER_SECONDS, otherwise
    it is kept in this object.
    """

    def __init__(
        self, bases: list[SiteBase], engine: str, redis_client: redis.Redis | None
    ) -> None:
        self.bases = list(dict.fromkeys(bases))
        self.redis = redis_client
        self.key = f"aniworld:site:mirror:{engine}:{format_base(self.bases[0])}"
        self.current = self.bases[0]
        self.refresh()

    def refresh(self) -> SiteBase:
        """Adopt the base another process found working, if any; return the current one."""
        if self.redis is None:
            return self.current
        try:
            stored = self.redis.get(self.key)
        except redis.RedisError as exc:
            logger.warning("mirror lookup failed key=%s error=%s", self.key, exc)
            return self.current
        text = stored.decode() if isinstance(stored, bytes) else stored
        found = next((b for b in self.bases if format_base(b) == text), None)
        self.current = found or self.bases[0]
        return self.current

    def order(self) -> list[SiteBase]:
        """The bases to try: the working one first, then the others in preference order."""
        current = self.refresh()
        return [current] + [b for b in self.bases if b != current]

    def remember(self, base: SiteBase) -> None:
        """Note that ``base`` answered; share it when it is not the preferred one."""
        if base != self.current:
            logger.info("site mirror switched key=%s base=%s", self.key, format_base(base))
        self.current = base
        if self.redis is None:
            return
        try:
            if base == self.bases[0]:
                self.redis.delete(self.key)
            else:
                self.redis.set(self.key, format_base(base), ex=REMEMBER_SECONDS)
        except redis.RedisError as exc:
            logger.warning("mirror store failed key=%s error=%s", self.key, exc)

    def on_site(self, url: str) -> bool:
        """True when ``url`` points at any of the site's bases (or their host names)."""
        netloc = urlsplit(url).netloc.lower()
        return any(netloc in base.netlocs for base in self.bases)

    def rebase(self, url: str, base: SiteBase) -> str:
        """Move an on-site URL onto ``base``; other URLs are returned unchanged."""
        parts = urlsplit(url)
        if not parts.scheme or not self.on_site(url):
            return url
        rest = url[len(f"{parts.scheme}://{parts.netloc}"):]
        return base.url + rest
