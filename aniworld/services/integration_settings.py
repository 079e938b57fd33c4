"""Validators of the media-stack settings: notifications, media server, metadata, the bridge.

Kept apart from ``settings.py`` so each integration's rules sit together; ``settings.py``
merges :data:`VALIDATORS` into its own table.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from aniworld.errors import ValidationError
from aniworld.phrases import Phrase, about

# Notification events a user can switch on or off (all on by default).
NOTIFY_EVENTS = ("completed", "failed", "action", "monitor", "unmatched")
# Where the last notification delivery's outcome is kept (services/notifications.py).
NOTIFY_STATUS_KEY = "notify.status"
MEDIA_SERVERS = ("jellyfin", "emby", "plex")
# "off" stored by a user turns the environment's media server off; None keeps it.
MEDIA_SERVER_OFF = "off"
# What a setting is when neither Settings nor the environment give a value.
INTEGRATION_DEFAULTS: dict[str, object] = {"write_metadata": True, "bridge_username": "aniworld"}
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


def split_notify_urls(text: str) -> tuple[str, ...]:
    """Apprise URLs separated by spaces, commas or new lines, in order, each once."""
    urls: list[str] = []
    for part in re.split(r"[\s,]+", text.strip()):
        if part and part not in urls:
            urls.append(part)
    return tuple(urls)


def _notify_urls(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(about("notify_urls", Phrase(
            "must be text: Apprise URLs separated by spaces")), "notify_urls")
    urls = split_notify_urls(value)
    bad = [url for url in urls if "://" not in url]
    if bad:
        raise ValidationError(about("notify_urls", Phrase(
            "%(url)s is not an Apprise URL like ntfy://ntfy.sh/my-topic", url=repr(bad[0])),
            colon=True), "notify_urls")
    return " ".join(urls) if urls else None


def _notify_events(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ValidationError(about("notify_events", Phrase("must be a list of event names")),
                              "notify_events")
    unknown = [v for v in value if v not in NOTIFY_EVENTS]
    if unknown:
        raise ValidationError(about("notify_events", Phrase(
            "unknown event %(event)s; use %(events)s", event=repr(unknown[0]),
            events=", ".join(NOTIFY_EVENTS)), colon=True), "notify_events")
    return tuple(event for event in NOTIFY_EVENTS if event in value)


def _media_server(value: Any) -> str | None:
    if value is None:
        return None
    if value not in (*MEDIA_SERVERS, MEDIA_SERVER_OFF):
        raise ValidationError(about("media_server", Phrase(
            "must be one of %(servers)s or off", servers=", ".join(MEDIA_SERVERS))),
            "media_server")
    return str(value)


def _http_url(name: str) -> Any:
    def check(value: Any) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip()) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(about(name, Phrase(
                "must be an http(s) URL like http://jellyfin.local:8096")), name)
        return value.strip().rstrip("/")
    return check


def _optional_text(name: str, limit: int = 4096) -> Any:
    def check(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise ValidationError(about(name, Phrase(
                "must be text of at most %(limit)s characters", limit=limit)), name)
        return value.strip() or None
    return check


def _token(value: Any) -> str | None:
    """A media-server token: printable ASCII only, since it travels in an HTTP header."""
    text = _optional_text("media_server_token", 512)(value)
    odd = next((char for char in text or "" if not " " <= char <= "~"), None)
    if odd is not None:
        raise ValidationError(about("media_server_token", Phrase(
            "may hold only printable ASCII characters, but it contains %(char)s (an "
            "invisible character is often pasted along): paste the token again",
            char=f"U+{ord(odd):04X}")), "media_server_token")
    return text


def _path_prefix(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip().startswith(("/", "\\")) \
            and not re.match(r"^[A-Za-z]:[\\/]", value.strip()):
        raise ValidationError(about("media_server_path", Phrase(
            "must be an absolute path as the media server sees the library, like "
            "/media/anime")), "media_server_path")
    return value.strip()


def _bool(name: str) -> Any:
    def check(value: Any) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ValidationError(about(name, Phrase("must be true or false")), name)
        return value
    return check


def _username(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _USERNAME.match(value):
        raise ValidationError(about("bridge_username", Phrase(
            "must be 1 to 64 letters, digits or . _ @ -")), "bridge_username")
    return value


VALIDATORS = {
    "notify_urls": _notify_urls,
    "notify_events": _notify_events,
    "media_server": _media_server,
    "media_server_url": _http_url("media_server_url"),
    "media_server_token": _token,
    "media_server_path": _path_prefix,
    "write_metadata": _bool("write_metadata"),
    "bridge_username": _username,
}
