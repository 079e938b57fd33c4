"""The text of each notification: a title and a few plain lines, no Flask, no database.

Callers hand in facts (titles, codes, sizes) and the instance's language (``locale``: the
Settings default, ``de`` or ``en``); this module words them in it. Lines are
``Label: value`` so they read well in a phone's notification list and in a chat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal

from aniworld.phrases import ENGLISH, N_, Phrase, number_formatter, render, translator

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


def human_size(size: int | None, locale: str = ENGLISH) -> str:
    """``1.4 GiB``-style size (``1,4 GiB`` in German); "unknown" when there is none."""
    if size is None or size < 0:
        return translator(locale)(N_("unknown"))
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            pattern = "0" if unit == "B" else "0.0"
            return f"{format_decimal(value, format=pattern, locale=locale)} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _lines(lines: Sequence[Phrase], locale: str) -> str:
    translate, number = translator(locale), number_formatter(locale)
    return "\n".join(line.render(translate, number) for line in lines)


def _episode_lines(episode: Episode) -> list[Phrase]:
    # The language's label ("German Dub") is a catalogue entry of the pages already.
    return [Phrase("Series: %(value)s", value=episode.series),
            Phrase("Episode: %(value)s", value=episode.code),
            Phrase("Language: %(value)s", value=Phrase(episode.language))]


def completed(episode: Episode, size: int | None, file: str, upgrade: bool = False,
              locale: str = ENGLISH) -> Message:
    """A download (or a language upgrade) landed in the library."""
    title = (Phrase("Upgraded: %(series)s %(code)s", series=episode.series, code=episode.code)
             if upgrade else
             Phrase("Downloaded: %(series)s %(code)s", series=episode.series, code=episode.code))
    body = _lines([*_episode_lines(episode), Phrase("Size: %(value)s",
                                                    value=human_size(size, locale)),
                   Phrase("File: %(value)s", value=file)], locale)
    return Message("completed", render(title, locale), body, "success")


def failed(episode: Episode, reason: str | Phrase, locale: str = ENGLISH) -> Message:
    """A download failed for good: no retry is left, the user decides."""
    body = _lines([*_episode_lines(episode), Phrase("Reason: %(value)s", value=reason)],
                  locale)
    body += "\n" + render(Phrase("Retry it on the Queue page once the reason is dealt with."),
                          locale)
    title = Phrase("Download failed: %(series)s %(code)s", series=episode.series,
                   code=episode.code)
    return Message("failed", render(title, locale), body, "failure")


ACTION_TITLES = {
    "captcha": N_("Action needed: %(site)s shows a captcha"),
    "site_challenge": N_("Action needed: %(site)s asks for a browser check"),
    "disk_reserve": N_("Action needed: the disk reserve is reached"),
}
ACTION_TITLE = N_("Action needed")


def action(kind: str, message: str | Phrase, site: str | None = None,
           locale: str = ENGLISH) -> Message:
    """Work stopped until a person acts; ``message`` says what to do."""
    where = site if site else Phrase("the site")
    title = Phrase(ACTION_TITLES.get(kind, ACTION_TITLE), site=where)
    return Message("action", render(title, locale), render(message, locale), "warning")


def _listed(lines: list[str], total: int, locale: str) -> str:
    shown = lines[:MAX_LINES]
    if total > len(shown):
        shown.append(render(Phrase("… and %(count)s more", count=total - len(shown)), locale))
    return "\n".join(shown)


def monitor_queued(queued: int, series: Mapping[str, int], locale: str = ENGLISH) -> Message:
    """One monitoring round queued new episodes: how many, per series."""
    rows = [f"{title}: {count}" for title, count in sorted(series.items(),
                                                           key=lambda row: row[0].lower())]
    body = (_listed(rows, len(rows), locale) if rows
            else render(Phrase("%(count)s episode(s) queued.", count=queued), locale))
    title = Phrase("Monitoring queued %(count)s new episode(s)", count=queued)
    return Message("monitor", render(title, locale), body)


def unmatched(folders: Sequence[str], locale: str = ENGLISH) -> Message:
    """A library scan left folders it could not match to a series."""
    names = sorted(folders, key=str.lower)
    hint = Phrase("Pick their series on the Library page (Unmatched folders).")
    body = _listed(list(names), len(names), locale) + "\n" + render(hint, locale)
    title = Phrase("Library scan: %(count)s folder(s) need your choice", count=len(names))
    return Message("unmatched", render(title, locale), body, "warning")


def test(locale: str = ENGLISH) -> Message:
    """The Settings page's "Send a test" message."""
    return Message("test", render(Phrase("Aniworld test notification"), locale),
                   render(Phrase("If you can read this, Aniworld's notifications reach you."),
                          locale))
