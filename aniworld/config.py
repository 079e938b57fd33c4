"""Settings from ``ANIWORLD_*`` environment variables (and ``.env``), validated at start.

Every variable is documented in README.md with its default. An invalid value raises
:class:`ConfigError` naming the variable, which stops start-up.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import load_dotenv

from aniworld.errors import ConfigError, ValidationError
from aniworld.site.settings import STO_DEFAULT_URL, SiteSettings, parse_site_urls
from aniworld.sites import ANIWORLD, STO

MIN_PASSWORD_LENGTH = 8
MIN_API_KEY_LENGTH = 20
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Config:
    """Process-wide settings; build it with :meth:`from_env`."""

    data_dir: Path
    library_dir: Path
    database_url: str
    redis_url: str
    external_redis_url: str | None
    site: SiteSettings
    secret_key: str
    master_password: str | None = None
    api_key: str | None = None
    trust_proxy: bool = False
    allow_private_hosts: bool = False
    log_level: str = "INFO"
    lease_seconds: int = 45
    # RQ's worker TTL and job monitoring interval; tests shorten them to provoke outages.
    worker_ttl: int = 420
    worker_heartbeat_seconds: int = 30
    # s.to (serienstream V2): preferred URL first, then mirrors (ANIWORLD_STO_URL).
    sto_urls: tuple[str, ...] = (STO_DEFAULT_URL,)
    # The media-stack integrations' environment defaults (Settings may override each):
    # ANIWORLD_NOTIFY_URLS, ANIWORLD_MEDIA_SERVER, _URL, _TOKEN and _PATH.
    integrations: tuple[tuple[str, Any], ...] = ()

    def integration(self, name: str) -> Any:
        """The environment's value of the setting ``name`` (e.g. ``media_server_url``)."""
        return dict(self.integrations).get(name)

    @property
    def sto_site(self) -> SiteSettings:
        """Settings of the s.to client: its URLs and the V2 engine; the rest as for aniworld.

        Cookies are not shared: they belong to one site's host.
        """
        return SiteSettings(base_url=self.sto_urls[0], mirrors=self.sto_urls[1:],
                            engine="serienstream",
                            transport=self.site.transport, proxy=self.site.proxy,
                            cache_ttl=self.site.cache_ttl,
                            challenge_cooldown=self.site.challenge_cooldown,
                            doh=self.site.doh, allow_private_hosts=self.allow_private_hosts)

    def site_settings(self, site: str) -> SiteSettings:
        """The environment's settings of ``site`` (``aniworld.sites.SITES``)."""
        return self.sto_site if site == STO else self.site

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read and validate every setting; ``environ`` defaults to ``os.environ`` + ``.env``."""
        if environ is None:
            load_dotenv(override=False)
            environ = os.environ
        data_dir = _directory(environ, "ANIWORLD_DATA_DIR", "./instance", private=True)
        external_redis = _optional_url(environ, "REDIS_URL", {"redis", "rediss", "unix"})
        return cls(
            data_dir=data_dir,
            library_dir=_directory(environ, "ANIWORLD_LIBRARY_DIR", "./library"),
            database_url=_database_url(environ, data_dir),
            redis_url=external_redis or f"unix://{data_dir / 'redis.sock'}",
            external_redis_url=external_redis,
            site=_site_settings(environ, _flag(environ, "ANIWORLD_ALLOW_PRIVATE_HOSTS")),
            secret_key=_secret_key(environ, data_dir),
            master_password=_optional_secret(environ, "ANIWORLD_MASTER_PASSWORD",
                                             MIN_PASSWORD_LENGTH),
            api_key=_optional_secret(environ, "ANIWORLD_API_KEY", MIN_API_KEY_LENGTH),
            trust_proxy=_flag(environ, "ANIWORLD_TRUST_PROXY"),
            allow_private_hosts=_flag(environ, "ANIWORLD_ALLOW_PRIVATE_HOSTS"),
            log_level=_log_level(environ),
            lease_seconds=_integer(environ, "ANIWORLD_LEASE_SECONDS", 45),
            worker_ttl=_integer(environ, "ANIWORLD_WORKER_TTL", 420),
            worker_heartbeat_seconds=_integer(environ, "ANIWORLD_WORKER_HEARTBEAT_SECONDS", 30),
            sto_urls=_sto_urls(environ),
            integrations=_integrations(environ),
        )


def _directory(environ: Mapping[str, str], name: str, default: str,
               private: bool = False) -> Path:
    """The folder named by ``name``, created if missing (``private``: 0700 whatever the umask)."""
    path = Path(environ.get(name) or default).expanduser().resolve()
    try:
        if private and not path.exists():
            path.mkdir(parents=True)
            # The data folder holds the database, the secret key and the logs: owner only.
            path.chmod(0o700)
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{name}={path} cannot be created: {exc.strerror}") from exc
    if not os.access(path, os.W_OK):
        raise ConfigError(f"{name}={path} is not writable by this user")
    return path


def _database_url(environ: Mapping[str, str], data_dir: Path) -> str:
    url = environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'aniworld.db'}"
    scheme = url.split(":", 1)[0].lower()
    # Hosting platforms hand out postgres:// URLs; we ship the psycopg 3 driver.
    if scheme in {"postgres", "postgresql"}:
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    if scheme.startswith("sqlite") or scheme.startswith("postgresql+"):
        return url
    raise ConfigError(
        f"DATABASE_URL={scheme}://… is not supported; use sqlite:///path or postgresql://…"
    )


def _optional_url(environ: Mapping[str, str], name: str, schemes: set[str]) -> str | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    if urlsplit(value).scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ConfigError(f"{name}={value!r} is not a URL with scheme {allowed}")
    return value


# Environment variable -> the setting it gives a default to (services/integration_settings).
INTEGRATION_VARIABLES = {
    "ANIWORLD_NOTIFY_URLS": "notify_urls",
    "ANIWORLD_MEDIA_SERVER": "media_server",
    "ANIWORLD_MEDIA_SERVER_URL": "media_server_url",
    "ANIWORLD_MEDIA_SERVER_TOKEN": "media_server_token",
    "ANIWORLD_MEDIA_SERVER_PATH": "media_server_path",
    "ANIWORLD_WRITE_METADATA": "write_metadata",
    "ANIWORLD_BRIDGE_USERNAME": "bridge_username",
}


def _integrations(environ: Mapping[str, str]) -> tuple[tuple[str, Any], ...]:
    """The integration variables that are set, validated like the same settings."""
    from aniworld.services.integration_settings import VALIDATORS

    values = []
    for variable, name in INTEGRATION_VARIABLES.items():
        text = environ.get(variable, "").strip()
        if not text:
            continue
        if name == "write_metadata":
            text = text.lower()
            if text not in TRUE_WORDS | FALSE_WORDS:
                raise ConfigError(f"{variable}={text!r} must be true or false")
            values.append((name, text in TRUE_WORDS))
            continue
        try:
            value = VALIDATORS[name](text.lower() if name == "media_server" else text)
        except ValidationError as exc:
            raise ConfigError(f"{variable}: {exc.message}") from None
        if value is not None:
            values.append((name, value))
    return tuple(values)


# Which environment variable feeds each SiteSettings field (for error messages).
SITE_VARIABLES = {
    "base_url": "ANIWORLD_SITE_URL",
    "transport": "ANIWORLD_SITE_TRANSPORT",
    "proxy": "ANIWORLD_SITE_PROXY",
    "cookies": "ANIWORLD_SITE_COOKIES_FILE",
    "cache_ttl": "ANIWORLD_SITE_CACHE_TTL",
    "challenge_cooldown": "ANIWORLD_SITE_CHALLENGE_COOLDOWN",
    "doh": "ANIWORLD_SITE_DOH",
}


def _site_settings(environ: Mapping[str, str], allow_private_hosts: bool) -> SiteSettings:
    _refuse_site_engine(environ)
    try:
        urls = parse_site_urls(environ.get("ANIWORLD_SITE_URL"), "https://aniworld.to")
        return SiteSettings(
            base_url=urls[0], mirrors=urls[1:],
            transport=environ.get("ANIWORLD_SITE_TRANSPORT") or "impersonate",
            proxy=environ.get("ANIWORLD_SITE_PROXY") or None,
            cookies=_cookies(environ.get("ANIWORLD_SITE_COOKIES_FILE")),
            cache_ttl=_integer(environ, "ANIWORLD_SITE_CACHE_TTL", 1800),
            challenge_cooldown=_integer(environ, "ANIWORLD_SITE_CHALLENGE_COOLDOWN", 600),
            doh=environ.get("ANIWORLD_SITE_DOH") or "off",
            allow_private_hosts=allow_private_hosts,
        )
    except ValidationError as exc:
        variable = SITE_VARIABLES.get(exc.field or "", "ANIWORLD_SITE_*")
        raise ConfigError(f"{variable}: {exc.message}") from exc


def _refuse_site_engine(environ: Mapping[str, str]) -> None:
    """ANIWORLD_SITE_ENGINE is gone: one install reads both sites now.

    Someone who pointed ANIWORLD_SITE_URL at s.to with the old variable would otherwise
    start an aniworld client against s.to and get nothing but layout errors.
    """
    value = environ.get("ANIWORLD_SITE_ENGINE", "").strip()
    if value and value != ANIWORLD:
        raise ConfigError(
            f"ANIWORLD_SITE_ENGINE={value!r} is no longer supported: s.to now runs beside "
            "aniworld.to. Remove ANIWORLD_SITE_ENGINE, keep ANIWORLD_SITE_URL for aniworld.to "
            "and set ANIWORLD_STO_URL for s.to (default https://serienstream.to).")


def _sto_urls(environ: Mapping[str, str]) -> tuple[str, ...]:
    try:
        return parse_site_urls(environ.get("ANIWORLD_STO_URL"), STO_DEFAULT_URL)
    except ValidationError as exc:
        raise ConfigError(f"ANIWORLD_STO_URL: {exc.message} (comma-separated URLs)") from exc


def _cookies(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"ANIWORLD_SITE_COOKIES_FILE={path} cannot be read: {exc}") from exc


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} must be a whole number") from None


def _secret_key(environ: Mapping[str, str], data_dir: Path) -> str:
    value = environ.get("ANIWORLD_SECRET_KEY", "").strip()
    if value:
        if len(value) < 32:
            raise ConfigError("ANIWORLD_SECRET_KEY must be at least 32 characters long")
        return value
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        # Created with 0600 so other local users cannot forge sessions.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _optional_secret(environ: Mapping[str, str], name: str, min_length: int) -> str | None:
    value = environ.get(name, "")
    if not value:
        return None
    if len(value) < min_length:
        raise ConfigError(f"{name} must be at least {min_length} characters long")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={value!r} must be 1 or 0")


def _log_level(environ: Mapping[str, str]) -> str:
    value = (environ.get("ANIWORLD_LOG_LEVEL") or "INFO").strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"ANIWORLD_LOG_LEVEL={value!r} must be DEBUG, INFO, WARNING or ERROR")
    return value
