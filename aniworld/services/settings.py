"""Settings the user can change at run time, persisted in the database.

Workers read them at the start of every job and the web app on every request, so a change
takes effect without a restart. Library folder and site settings left at None fall back to
the ``ANIWORLD_*`` environment (:class:`aniworld.config.Config`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from aniworld.config import Config
from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.naming import DEFAULT_TEMPLATE, validate_template
from aniworld.phrases import Phrase, about, as_phrase, phrase_of
from aniworld.services.integration_settings import (
    INTEGRATION_DEFAULTS,
    NOTIFY_EVENTS,
    NOTIFY_STATUS_KEY,
)
from aniworld.services.integration_settings import VALIDATORS as INTEGRATION_VALIDATORS
from aniworld.services.settings_store import get_setting, set_setting
from aniworld.site.settings import SiteSettings, parse_site_urls
from aniworld.sites import ANIWORLD, DEFAULT_SITE, STO

SETTINGS_KEY = "app.settings"
CONTAINERS = ("mp4", "mkv")
DEFAULT_HOSTERS = ("VOE", "Vidoza", "Vidmoly", "Doodstream", "Filemoon", "Vidara")
# Per site: AppSettings field -> SiteSettings field it overrides (None keeps the
# environment's value). The URL fields hold a comma-separated list: preferred, then mirrors.
# ``site_doh`` serves both sites: DNS blocking is a matter of the network, not of one site.
SITE_OVERRIDES = {
    ANIWORLD: {"site_url": "base_url", "site_transport": "transport", "site_proxy": "proxy",
               "site_cookies": "cookies", "site_cache_ttl": "cache_ttl", "site_doh": "doh"},
    STO: {"sto_url": "base_url", "sto_transport": "transport", "sto_proxy": "proxy",
          "sto_cookies": "cookies", "sto_cache_ttl": "cache_ttl", "site_doh": "doh"},
}
SITE_FIELDS = {name: field for fields in SITE_OVERRIDES.values() for name, field in fields.items()}
# Settings that are written but never shown again (pages and GET /api/v1/settings say only
# whether one is set): cookies, tokens, and Apprise URLs, which carry tokens.
SECRET_FIELDS = frozenset({"site_cookies", "sto_cookies", "media_server_token", "notify_urls"})
# A week: most series release weekly, so a longer gap would only delay every new episode.
MAX_MONITOR_INTERVAL_HOURS = 168
MAX_HOLDING_DAYS = 365
# A month: a longer gap would leave a series the feed missed unchecked for too long.
MAX_FULL_REFRESH_HOURS = 720
# The interface language: "auto" follows the browser's Accept-Language.
UI_LANGUAGES = ("auto", "de", "en")
DEFAULT_TIMEZONE = "UTC"


@dataclass(frozen=True)
class AppSettings:
    """Every run-time setting with its default."""

    parallel_downloads: int = 2
    language_order: tuple[Language, ...] = tuple(Language)
    language_fallback: bool = False
    hoster_order: tuple[str, ...] = DEFAULT_HOSTERS
    max_attempts: int = 4
    retry_delays: tuple[int, ...] = (60, 300, 900)
    bandwidth_limit: int = 0
    disk_reserve: int = 2 * 1024**3
    naming_template: str = DEFAULT_TEMPLATE
    container: str = "mp4"
    stall_timeout: int = 60
    # Failures in a row after which a hoster is tried last, and for how many minutes.
    breaker_failures: int = 3
    breaker_cooldown_minutes: int = 30
    # Hours between two checks of the monitored series for new episodes; 0 turns it off.
    monitor_interval_hours: int = 6
    # Days a file replaced by a language upgrade stays in <data dir>/holding (at least one:
    # the holding copy is the undo of an upgrade, so it never disappears at once).
    holding_days: int = 14
    # Hours after which a monitored series is read in full even if the site's new-episodes
    # feed never named it: the feed lists only the latest releases and may miss some.
    monitor_full_refresh_hours: int = 24
    library_dir: str | None = None
    site_url: str | None = None
    site_transport: str | None = None
    site_proxy: str | None = None
    site_cookies: str | None = None
    site_cache_ttl: int | None = None
    # DNS-over-HTTPS of both site clients (off, cloudflare, google, quad9 or an endpoint URL).
    site_doh: str | None = None
    sto_url: str | None = None
    sto_transport: str | None = None
    sto_proxy: str | None = None
    sto_cookies: str | None = None
    sto_cache_ttl: int | None = None
    # Apprise URLs separated by spaces (None: ANIWORLD_NOTIFY_URLS) and the events to send.
    notify_urls: str | None = None
    notify_events: tuple[str, ...] = NOTIFY_EVENTS
    # jellyfin, emby, plex or off (None: ANIWORLD_MEDIA_SERVER*); media_server_path is the
    # library folder as the media server sees it (Docker), None when it sees the same path.
    media_server: str | None = None
    media_server_url: str | None = None
    media_server_token: str | None = None
    media_server_path: str | None = None
    # poster.jpg and tvshow.nfo in each series folder, an .nfo beside each episode file
    # (None: ANIWORLD_WRITE_METADATA, else on).
    write_metadata: bool | None = None
    # The qBittorrent bridge's user name; the password is any API key (None:
    # ANIWORLD_BRIDGE_USERNAME, else "aniworld").
    bridge_username: str | None = None
    # The pages' default language (a browser's own choice wins) and the zone of their times.
    ui_language: str = "auto"
    ui_timezone: str = DEFAULT_TIMEZONE

    def retry_delay(self, attempts: int) -> int:
        """Seconds to wait before the next try after ``attempts`` failed attempts."""
        index = min(max(attempts, 1), len(self.retry_delays)) - 1
        return self.retry_delays[index]


def _positive_int(name: str, value: Any, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(about(name, Phrase("must be a whole number from %(low)s to %(high)s",
                                                 low=minimum, high=maximum)), name)
    return value


def _languages(value: Any) -> tuple[Language, ...]:
    try:
        order = tuple(Language.parse(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(about("language_order", phrase_of(exc), colon=True),
                              "language_order") from None
    if not order or len(set(order)) != len(order):
        raise ValidationError(about("language_order", Phrase("must list each language once")),
                              "language_order")
    return order


def _hosters(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(about("hoster_order", Phrase("must be a list of hoster names")),
                              "hoster_order")
    order = tuple(v.strip() for v in value)
    if not order or len({v.lower() for v in order}) != len(order):
        raise ValidationError(about("hoster_order", Phrase("must name each hoster once")),
                              "hoster_order")
    return order


def _delays(value: Any) -> tuple[int, ...]:
    delays = tuple(_positive_int("retry_delays", v, 0, 86_400) for v in value)
    if not delays:
        raise ValidationError(about("retry_delays", Phrase("needs at least one delay")),
                              "retry_delays")
    return delays


def _template(value: Any) -> str:
    validate_template(value)
    return value


def _container(value: Any) -> str:
    if value not in CONTAINERS:
        raise ValidationError(about("container", Phrase("must be mp4 or mkv")), "container")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(about("language_fallback", Phrase("must be true or false")),
                              "language_fallback")
    return value


def _ui_language(value: Any) -> str:
    if value not in UI_LANGUAGES:
        raise ValidationError(about("ui_language", Phrase("must be auto, de or en")),
                              "ui_language")
    return value


def _ui_timezone(value: Any) -> str:
    """An IANA time zone name such as Europe/Berlin."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(about("ui_timezone", Phrase(
            "must be a time zone name such as Europe/Berlin")), "ui_timezone")
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(about("ui_timezone", Phrase(
            "unknown time zone %(zone)s (use a name such as Europe/Berlin)", zone=repr(value)),
            colon=True), "ui_timezone") from None
    return value.strip()


def timezone_names() -> list[str]:
    """Every IANA time zone name this machine knows, sorted (for the settings form)."""
    return sorted(available_timezones())


def _library_dir(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value.strip()).is_absolute():
        raise ValidationError(about("library_dir", Phrase(
            "must be an absolute path like /srv/anime")), "library_dir")
    return os.path.normpath(value.strip())


def _usable_directory(value: str | None) -> None:
    """Create the folder if needed; raises ValidationError unless this user can write to it."""
    if value is None:
        return
    try:
        Path(value).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(Phrase("%(folder)s cannot be created: %(error)s", folder=value,
                                     error=exc.strerror), "library_dir") from None
    if not os.access(value, os.W_OK | os.X_OK):
        raise ValidationError(Phrase("%(folder)s is not writable by the app's user",
                                     folder=value), "library_dir")


def _renamed(phrase: Phrase, site_name: str, name: str) -> Phrase:
    """A SiteSettings message about ``site_name`` told about the stored setting ``name``."""
    if phrase.params.get("field") == site_name:
        return Phrase(phrase.text, **{**phrase.params, "field": name})
    english = str(phrase)
    # Only a message that names the field in its text loses its translation here.
    return phrase if site_name not in english else as_phrase(english.replace(site_name, name, 1))


def _site_field(name: str) -> Any:
    """A validator for the override ``name`` that lets SiteSettings judge the value."""
    site_name = SITE_FIELDS[name]

    def check(value: Any) -> Any:
        if value is None:
            return None
        try:
            if site_name == "base_url":
                if not isinstance(value, str):
                    raise TypeError(name)
                return ", ".join(parse_site_urls(value, ""))
            return getattr(SiteSettings(**{site_name: value}), site_name)
        except ValidationError as exc:
            raise ValidationError(_renamed(exc.phrase, site_name, name), name) from None
        except TypeError:
            raise ValidationError(about(name, Phrase("has the wrong type")), name) from None

    return check


VALIDATORS = {
    "parallel_downloads": lambda v: _positive_int("parallel_downloads", v, 1, 16),
    "language_order": _languages,
    "language_fallback": _flag,
    "hoster_order": _hosters,
    "max_attempts": lambda v: _positive_int("max_attempts", v, 1, 20),
    "retry_delays": _delays,
    "bandwidth_limit": lambda v: _positive_int("bandwidth_limit", v, 0, 10 * 1024**3),
    "disk_reserve": lambda v: _positive_int("disk_reserve", v, 0, 10 * 1024**4),
    "naming_template": _template,
    "container": _container,
    "stall_timeout": lambda v: _positive_int("stall_timeout", v, 1, 3600),
    "breaker_failures": lambda v: _positive_int("breaker_failures", v, 1, 100),
    "breaker_cooldown_minutes": lambda v: _positive_int("breaker_cooldown_minutes", v, 1, 1440),
    "monitor_interval_hours": lambda v: _positive_int("monitor_interval_hours", v, 0,
                                                      MAX_MONITOR_INTERVAL_HOURS),
    "holding_days": lambda v: _positive_int("holding_days", v, 1, MAX_HOLDING_DAYS),
    "monitor_full_refresh_hours": lambda v: _positive_int("monitor_full_refresh_hours", v, 1,
                                                          MAX_FULL_REFRESH_HOURS),
    "library_dir": _library_dir,
    "ui_language": _ui_language,
    "ui_timezone": _ui_timezone,
    **{name: _site_field(name) for name in SITE_FIELDS},
    **INTEGRATION_VALIDATORS,
}
# Checks with side effects or that depend on the machine: run on save, not on every load,
# so an unmounted share does not silently send downloads to the environment's folder.
SAVE_CHECKS = {"library_dir": _usable_directory}


def load_settings(session: Session) -> AppSettings:
    """Return the stored settings over the defaults (unknown or invalid keys are ignored)."""
    stored = get_setting(session, SETTINGS_KEY, {}) or {}
    settings = AppSettings()
    for name, value in stored.items():
        if name in VALIDATORS:
            try:
                settings = replace(settings, **{name: VALIDATORS[name](value)})
            except (ValidationError, TypeError):
                continue
    return settings


def _validate(name: str, value: Any) -> Any:
    if name not in VALIDATORS:
        raise ValidationError(Phrase("unknown setting %(name)s", name=repr(name)), name)
    value = VALIDATORS[name](value)
    if name in SAVE_CHECKS:
        SAVE_CHECKS[name](value)
    return value


def field_errors(**changes: Any) -> dict[str, Phrase]:
    """Check every change without storing it; return {field: phrase} for the bad ones."""
    errors = {}
    for name, value in changes.items():
        try:
            _validate(name, value)
        except ValidationError as exc:
            errors[exc.field or name] = exc.phrase
    return errors


def validate_changes(**changes: Any) -> dict[str, str]:
    """``field_errors`` in English (the JSON API, logs)."""
    return {name: str(phrase) for name, phrase in field_errors(**changes).items()}


def save_settings(session: Session, **changes: Any) -> AppSettings:
    """Validate and store ``changes``; raises ValidationError naming the first bad field.

    New notification URLs forget the notifier status: its error was about the old ones.
    """
    validated = {name: _validate(name, value) for name, value in changes.items()}
    stored = load_settings(session)
    settings = replace(stored, **validated)
    set_setting(session, SETTINGS_KEY, _to_json(settings))
    if settings.notify_urls != stored.notify_urls:
        set_setting(session, NOTIFY_STATUS_KEY, {})
    return settings


def _to_json(settings: AppSettings) -> dict[str, Any]:
    data = asdict(settings)
    data["language_order"] = [language.value for language in settings.language_order]
    data["hoster_order"] = list(settings.hoster_order)
    data["retry_delays"] = list(settings.retry_delays)
    data["notify_events"] = list(settings.notify_events)
    return data


def effective_site_settings(config: Config, settings: AppSettings,
                            site: str = DEFAULT_SITE) -> SiteSettings:
    """The environment's settings of ``site`` with the stored overrides applied.

    Raises ValidationError (field named like the AppSettings field) for a bad combination,
    e.g. a SOCKS proxy with the 'requests' transport.
    """
    fields = SITE_OVERRIDES[site]
    overrides = {site_name: getattr(settings, name) for name, site_name in fields.items()
                 if getattr(settings, name) is not None}
    if "base_url" in overrides:
        urls = parse_site_urls(overrides["base_url"], config.site_settings(site).base_url)
        overrides["base_url"], overrides["mirrors"] = urls[0], urls[1:]
    try:
        return replace(config.site_settings(site), **overrides)
    except ValidationError as exc:
        field = {target: name for name, target in fields.items()}.get(exc.field or "")
        raise ValidationError(exc.phrase, field or exc.field) from None


def effective_library_dir(config: Config, settings: AppSettings) -> Path:
    """The stored library folder, or ``ANIWORLD_LIBRARY_DIR`` when none is stored."""
    return Path(settings.library_dir) if settings.library_dir else config.library_dir


def integration_value(config: Config, settings: AppSettings, name: str) -> Any:
    """A media-stack setting: the stored value, else the environment's, else its default."""
    value = getattr(settings, name)
    if value is None:
        value = config.integration(name)
    return INTEGRATION_DEFAULTS.get(name) if value is None else value
