"""Download settings the user can change at run time, persisted in the database.

Workers read them at the start of every job, so a change takes effect without a restart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.naming import DEFAULT_TEMPLATE, validate_template
from aniworld.services.settings_store import get_setting, set_setting

SETTINGS_KEY = "app.settings"
CONTAINERS = ("mp4", "mkv")
DEFAULT_HOSTERS = ("VOE", "Vidoza", "Vidmoly", "Doodstream", "Filemoon")


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

    def retry_delay(self, attempts: int) -> int:
        """Seconds to wait before the next try after ``attempts`` failed attempts."""
        index = min(max(attempts, 1), len(self.retry_delays)) - 1
        return self.retry_delays[index]


def _positive_int(name: str, value: Any, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(f"{name} must be a whole number from {minimum} to {maximum}", name)
    return value


def _languages(value: Any) -> tuple[Language, ...]:
    try:
        order = tuple(Language.parse(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"language_order: {exc}", "language_order") from None
    if not order or len(set(order)) != len(order):
        raise ValidationError("language_order must list each language once", "language_order")
    return order


def _hosters(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("hoster_order must be a list of hoster names", "hoster_order")
    order = tuple(v.strip() for v in value)
    if not order or len({v.lower() for v in order}) != len(order):
        raise ValidationError("hoster_order must name each hoster once", "hoster_order")
    return order


def _delays(value: Any) -> tuple[int, ...]:
    delays = tuple(_positive_int("retry_delays", v, 0, 86_400) for v in value)
    if not delays:
        raise ValidationError("retry_delays needs at least one delay", "retry_delays")
    return delays


def _template(value: Any) -> str:
    validate_template(value)
    return value


def _container(value: Any) -> str:
    if value not in CONTAINERS:
        raise ValidationError("container must be mp4 or mkv", "container")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("language_fallback must be true or false", "language_fallback")
    return value


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
}


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


def save_settings(session: Session, **changes: Any) -> AppSettings:
    """Validate and store ``changes``; raises ValidationError naming the first bad field."""
    known = {f.name for f in fields(AppSettings)}
    for name in changes:
        if name not in known:
            raise ValidationError(f"unknown setting {name!r}", name)
    validated = {name: VALIDATORS[name](value) for name, value in changes.items()}
    settings = replace(load_settings(session), **validated)
    set_setting(session, SETTINGS_KEY, _to_json(settings))
    return settings


def _to_json(settings: AppSettings) -> dict[str, Any]:
    data = asdict(settings)
    data["language_order"] = [language.value for language in settings.language_order]
    data["hoster_order"] = list(settings.hoster_order)
    data["retry_delays"] = list(settings.retry_delays)
    return data
