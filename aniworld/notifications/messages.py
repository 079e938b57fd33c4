"""The text of each notification: a title and a few plain lines, no Flask, no database.

Callers hand in facts (titles, codes, sizes); this module only words them. Lines are
``Label: value`` so they read well in a phone's notification list and in a chat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# How many series or folders one message lists before it says "and N more".
MAX_LINES = 20


@dataclass(frozen=True)
class Message:
    """One notification: its event (``completed``, ``failed``, …), words and Apprise type."""

    event: str
    title: str
    body: str
    # Apprise's notify type: info, success, warning or failure (icons and colours).
    kind: str = "info"


@dataclass(frozen=True)
class Episode:
    """What a message says about a queue item's episode."""

    series: str
    code: str  # S01E05, or "Film 3"
    language: str  # German Dub


def human_size(size: int | None) -> str:
    """``1.4 GiB``-style size; "unknown" when there is none."""
    if size is None or size < 0:
        return "unknown"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _lines(pairs: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs)


def _episode_lines(episode: Episode) -> list[tuple[str, str]]:
    return [("Series", episode.series), ("Episode", episode.code),
            ("Language", episode.language)]


def completed(episode: Episode, size: int | None, file: str, upgrade: bool = False) -> Message:
    """A download (or a language upgrade) landed in the library."""
    verb = "Upgraded" if upgrade else "Downloaded"
    body = _lines([*_episode_lines(episode), ("Size", human_size(size)), ("File", file)])
    return Message("completed", f"{verb}: {episode.series} {episode.code}", body, "success")


def failed(episode: Episode, reason: str) -> Message:
    """A download failed for good: no retry is left, the user decides."""
    body = _lines([*_episode_lines(episode), ("Reason", reason)])
    body += "\nRetry it on the Queue page once the reason is dealt with."
    return Message("failed", f"Download failed: {episode.series} {episode.code}", body,
                   "failure")


ACTION_TITLES = {
    "captcha": "Action needed: {site} shows a captcha",
    "site_challenge": "Action needed: {site} asks for a browser check",
    "disk_reserve": "Action needed: the disk reserve is reached",
}


def action(kind: str, message: str, site: str | None = None) -> Message:
    """Work stopped until a person acts; ``message`` says what to do."""
    title = ACTION_TITLES.get(kind, "Action needed").format(site=site or "the site")
    return Message("action", title, message, "warning")


def _listed(lines: list[str], total: int) -> str:
    shown = lines[:MAX_LINES]
    if total > len(shown):
        shown.append(f"… and {total - len(shown)} more")
    return "\n".join(shown)


def monitor_queued(queued: int, series: Mapping[str, int]) -> Message:
    """One monitoring round queued new episodes: how many, per series."""
    rows = [f"{title}: {count}" for title, count in sorted(series.items(),
                                                           key=lambda row: row[0].lower())]
    body = _listed(rows, len(rows)) if rows else f"{queued} episode(s) queued."
    return Message("monitor", f"Monitoring queued {queued} new episode(s)", body)


def unmatched(folders: Sequence[str]) -> Message:
    """A library scan left folders it could not match to a series."""
    names = sorted(folders, key=str.lower)
    body = (_listed(list(names), len(names)) + "\nPick their series on the Library page "
            "(Unmatched folders).")
    return Message("unmatched", f"Library scan: {len(names)} folder(s) need your choice", body,
                   "warning")


def test() -> Message:
    """The Settings page's "Send a test" message."""
    return Message("test", "Aniworld test notification",
                   "If you can read this, Aniworld's notifications reach you.")
