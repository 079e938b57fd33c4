"""Settings of the site client, validated on creation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aniworld.errors import ValidationError
from aniworld.phrases import Phrase, about
from aniworld.site.doh import DEFAULT_TIMEOUT, check_doh
from aniworld.site.mirrors import format_base, parse_base
from aniworld.sites import DEFAULT_SITE, SITE_ENGINES

logger = logging.getLogger(__name__)

ENGINE_NAMES = tuple(SITE_ENGINES.values())
STO_DEFAULT_URL = "https://serienstream.to"
TRANSPORT_NAMES = ("impersonate", "requests")
PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


@dataclass(frozen=True)
class SiteSettings:
    """How to reach one site; a domain move is a change of ``base_url`` only.

    ``mirrors`` are further bases tried in order when ``base_url`` is unreachable, blocked or
    answers a challenge. Any base may be the IP form ``http://<ip>#<host name>``.

    ``doh`` (``off``, ``cloudflare``, ``google``, ``quad9`` or an endpoint URL) looks the
    site's host names up through DNS-over-HTTPS, each query within ``doh_timeout`` seconds;
    an answer with a private address is refused unless ``allow_private_hosts``.
    """

    base_url: str = "https://aniworld.to"
    mirrors: tuple[str, ...] = ()
    engine: str = "aniworld"
    transport: str = "impersonate"
    proxy: str | None = None
    cookies: str | None = None
    cache_ttl: int = 1800
    max_in_flight: int = 2
    min_interval: float = 0.25
    timeout: float = 20.0
    max_retries: int = 3
    user_agent: str | None = None
    max_wait: float = 60.0
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    # Seconds every request to the site pauses after a browser check, spam block or captcha.
    challenge_cooldown: float = 600.0
    doh: str = "off"
    doh_timeout: float = DEFAULT_TIMEOUT
    allow_private_hosts: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", _check_base_url(self.base_url))
        if isinstance(self.mirrors, str):
            raise ValidationError(about("mirrors", Phrase("must be a list of URLs")),
                                  field="base_url")
        object.__setattr__(self, "mirrors", tuple(_check_base_url(m) for m in self.mirrors))
        _check_choice("engine", self.engine, ENGINE_NAMES)
        _check_choice("transport", self.transport, TRANSPORT_NAMES)
        _check_proxy(self.proxy, self.transport)
        _check_number("cache_ttl", self.cache_ttl, 0, integer=True)
        _check_number("max_in_flight", self.max_in_flight, 1, integer=True)
        _check_number("min_interval", self.min_interval, 0)
        _check_number("timeout", self.timeout, 0.1)
        _check_number("max_retries", self.max_retries, 0, integer=True)
        _check_number("max_wait", self.max_wait, 0)
        _check_number("backoff_base", self.backoff_base, 0)
        _check_number("backoff_cap", self.backoff_cap, 0)
        _check_number("challenge_cooldown", self.challenge_cooldown, 0)
        object.__setattr__(self, "doh", check_doh(self.doh))
        _check_number("doh_timeout", self.doh_timeout, 0.1)
        if self.cookies is not None and not isinstance(self.cookies, str):
            raise ValidationError(about("cookies", Phrase(
                "must be text (cookies.txt or name=value; ...)")), field="cookies")
        if self.user_agent is not None and not str(self.user_agent).strip():
            raise ValidationError(about("user_agent", Phrase(
                "must not be blank; leave it unset instead")), field="user_agent")

    @property
    def site(self) -> str:
        """The site (``aniworld.sites.SITES``) this engine reads."""
        return next((site for site, engine in SITE_ENGINES.items() if engine == self.engine),
                    DEFAULT_SITE)

    @property
    def origin(self) -> tuple[str, str]:
        """Return (scheme, host:port) of the site, to tell on-site URLs from hoster URLs."""
        parts = urlsplit(self.base_url)
        return parts.scheme, parts.netloc.lower()


def parse_site_urls(text: str | None, default: str) -> tuple[str, ...]:
    """Parse a comma-separated list of site URLs (first = preferred, rest = mirrors).

    Raise ValidationError for an invalid entry; duplicates are dropped, an empty list gives
    ``default``.
    """
    urls = [_check_base_url(part) for part in (text or "").split(",") if part.strip()]
    return tuple(dict.fromkeys(urls)) or (_check_base_url(default),)


def _check_base_url(value: str) -> str:
    return format_base(parse_base(value))


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValidationError(about(name, Phrase("must be one of %(choices)s",
                                                 choices=", ".join(choices))), field=name)


def _check_proxy(proxy: str | None, transport: str) -> None:
    if proxy is None:
        return
    parts = urlsplit(proxy) if isinstance(proxy, str) else None
    if parts is None or parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        raise ValidationError(about("proxy", Phrase(
            "must be a URL like http://host:3128 or socks5://host:1080")), field="proxy")
    if transport == "requests" and parts.scheme.startswith("socks"):
        # requests needs the PySocks extra for SOCKS, which we do not install.
        raise ValidationError(Phrase("SOCKS proxies need the 'impersonate' transport"),
                              field="proxy")


def _check_number(name: str, value: object, minimum: float, integer: bool = False) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        reason = (Phrase("must be a whole number of at least %(minimum)s", minimum=minimum)
                  if integer else
                  Phrase("must be a number of at least %(minimum)s", minimum=minimum))
        raise ValidationError(about(name, reason), field=name)
