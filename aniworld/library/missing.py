"""Which episodes of a series are missing from the library (pure).

A file whose name carries no language tag counts as present in *every* language: a user
who keeps untagged files (ripped, renamed, other tools) should not get duplicates queued
for them. A file tagged with a language the user does not accept does not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aniworld.languages import Language
from aniworld.library.filenames import EpisodeFile


class OfferedEpisode(Protocol):
    """An episode as the site lists it (``site.types.EpisodeInfo`` fits)."""

    @property
    def season(self) -> int: ...

    @property
    def number(self) -> int: ...

    @property
    def languages(self) -> frozenset[Language]: ...


@dataclass(frozen=True)
class MissingEpisode:
    """An episode to fetch, in the most preferred acceptable language it is offered in."""

    season: int
    number: int
    language: Language


def present_episodes(files: Iterable[EpisodeFile],
                     acceptable: Sequence[Language]) -> set[tuple[int, int]]:
    """(season, episode) pairs on disk in an acceptable or unknown language."""
    allowed = set(acceptable)
    return {(f.season, f.episode) for f in files if f.language is None or f.language in allowed}


def missing_episodes(episodes: Iterable[OfferedEpisode], files: Iterable[EpisodeFile],
                     acceptable: Sequence[Language]) -> list[MissingEpisode]:
    """Episodes offered in an acceptable language and not on disk in one, sorted."""
    present = present_episodes(files, acceptable)
    missing: dict[tuple[int, int], MissingEpisode] = {}
    for episode in episodes:
        where = (episode.season, episode.number)
        if where in present or where in missing:
            continue
        language = next((lang for lang in acceptable if lang in episode.languages), None)
        if language is not None:
            missing[where] = MissingEpisode(episode.season, episode.number, language)
    return [missing[where] for where in sorted(missing)]
