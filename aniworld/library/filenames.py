"""Recognise episode files in a library by their names (pure: no file system access)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aniworld.languages import Language

VIDEO_EXTENSIONS = frozenset({"mkv", "mp4", "avi", "webm", "m4v", "ts"})
# Names of unfinished downloads (ours, the peer downloader's, browsers').
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".aniworld-partial")
WORK_FOLDER = ".aniworld"

_SXE = re.compile(r"(?<![a-z0-9])s(\d{1,3})[ ._-]?e(\d{1,4})(?!\d)", re.I)
_NXN = re.compile(r"(?<![a-z0-9])(\d{1,2})x(\d{1,4})(?![a-z0-9])", re.I)
_FILM = re.compile(r"(?<![a-z])(?:movie|film)[ ._-]*(\d{1,3})(?!\d)", re.I)
_EPISODE = re.compile(r"(?<![a-z])(?:episode|folge|ep)[ ._-]*(\d{1,4})(?!\d)", re.I)
# Fansub style "[Group] Title - 05 [1080p].mkv"; a year in that place is not an episode.
_DASH_NUMBER = re.compile(r"\s-\s(\d{1,4})(?:v\d)?(?=\s*(?:[\[(]|$))")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_SEASON_FOLDER = re.compile(r"^(?:season|staffel|s)[ ._-]*(\d{1,3})$", re.I)
_FILM_FOLDERS = frozenset({"specials", "special", "filme", "films", "movies", "film", "movie"})

_LANGUAGE_TAGS: tuple[tuple[re.Pattern[str], Language], ...] = (
    (re.compile(r"\b(?:german|ger|deutsch|de)[ ._-]*dub(?:bed)?\b", re.I), Language.GERMAN_DUB),
    (re.compile(r"\b(?:german|ger|deutsch|de)[ ._-]*sub(?:bed|s)?\b", re.I), Language.GERMAN_SUB),
    (re.compile(r"\b(?:english|eng|en)[ ._-]*dub(?:bed)?\b", re.I), Language.ENGLISH_DUB),
    (re.compile(r"\b(?:english|eng|en)[ ._-]*sub(?:bed|s)?\b", re.I), Language.ENGLISH_SUB),
    (re.compile(r"\bomu\b", re.I), Language.GERMAN_SUB),
    # A bare language tag means an audio track in that language.
    (re.compile(r"[\[(](?:deutsch|german|ger)[\])]", re.I), Language.GERMAN_DUB),
    (re.compile(r"[\[(](?:english|eng)[\])]", re.I), Language.ENGLISH_DUB),
)


@dataclass(frozen=True)
class EpisodeFile:
    """One video file of the library that holds a known episode (season 0 = films)."""

    path: str
    season: int
    episode: int
    language: Language | None
    size: int


def split_extension(name: str) -> tuple[str, str]:
    """Return (stem, lower-case extension without the dot); the extension may be empty."""
    stem, dot, ext = name.rpartition(".")
    return (stem, ext.lower()) if dot else (name, "")


def is_candidate_name(name: str) -> bool:
    """True if ``name`` looks like a finished video file (not hidden, not partial)."""
    if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES):
        return False
    return split_extension(name)[1] in VIDEO_EXTENSIONS


def season_from_folder(folder: str) -> int | None:
    """The season a folder name stands for: ``Season 2``/``Staffel 2`` → 2, ``Filme`` → 0."""
    folder = folder.strip()
    if folder.casefold() in _FILM_FOLDERS:
        return 0
    found = _SEASON_FOLDER.match(folder)
    return int(found.group(1)) if found else None


def parse_episode(name: str, folder: str = "") -> tuple[int, int] | None:
    """Return (season, episode) named in a file name, using ``folder`` for a missing season."""
    stem = split_extension(name)[0]
    found = _SXE.search(stem) or _NXN.search(stem)
    if found:
        return int(found.group(1)), int(found.group(2))
    found = _FILM.search(stem)
    if found:
        return 0, int(found.group(1))
    found = _EPISODE.search(stem) or _DASH_NUMBER.search(stem)
    if not found or (found.re is _DASH_NUMBER and _YEAR.match(found.group(1))):
        return None
    season = season_from_folder(folder)
    return (1 if season is None else season), int(found.group(1))


def parse_language(name: str) -> Language | None:
    """The language a file name is tagged with, e.g. ``[German Dub]`` or ``GerSub``."""
    for pattern, language in _LANGUAGE_TAGS:
        if pattern.search(name):
            return language
    return None


def in_work_folder(path: str) -> bool:
    """True if ``path`` lies inside a ``.aniworld`` work folder (partial downloads)."""
    return WORK_FOLDER in path.replace("\\", "/").split("/")


def parse_name(name: str, folder: str = "") -> tuple[int, int, Language | None] | None:
    """(season, episode, language) of a finished video file's name, else None."""
    if not is_candidate_name(name):
        return None
    numbers = parse_episode(name, folder)
    if numbers is None:
        return None
    return numbers[0], numbers[1], parse_language(name)


def parse_file(path: str, size: int, folder: str = "") -> EpisodeFile | None:
    """An EpisodeFile for a file path and size, or None if it does not count as an episode."""
    name = path.replace("\\", "/").rpartition("/")[2]
    if size <= 0 or in_work_folder(path):
        return None
    found = parse_name(name, folder)
    return None if found is None else EpisodeFile(path, *found, size)
