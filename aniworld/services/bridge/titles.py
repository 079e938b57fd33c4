"""Which series a Torznab text query names, read the way Sonarr writes its queries.

Sonarr sends "clean scene titles" (SearchCriteriaBase.GetCleanSceneTitle): a leading "The"
dropped, ``&`` as "and", apostrophes and dots removed (``Hell's`` → ``Hells``, ``Dr.`` →
``Dr``), every other non-word character a space, accents dropped (``Kämpfer`` →
``Kampfer``). Its anime searches append the absolute episode number (``<title> 05``), its
special searches the episode's title, and a series known with its year carries the year.
Pure functions: no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from aniworld.library.matching import normalise_title

Words = tuple[str, ...]
T = TypeVar("T")
_JOINERS = re.compile(r"['.`´‘’]")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class TitleMatch(Generic[T]):
    """A candidate the query names, the title it was named by, and what the rest asks."""

    item: T
    title: str
    absolute: int | None = None
    episode_words: Words = ()


@lru_cache(maxsize=8192)
def title_forms(text: str) -> frozenset[Words]:
    """The title's words as Sonarr cleans them, and with German umlauts spelled out.

    Cached: every search compares the query with every title of the library.
    """
    joined = _JOINERS.sub("", text)
    forms = {tuple(normalise_title(joined, transliterate=spelled).split())
             for spelled in (False, True)}
    return frozenset(form for form in forms if form)


def holds_words(title: str, words: Iterable[str]) -> bool:
    """Whether every one of ``words`` is a word of ``title`` (in any of its forms)."""
    wanted = set(words)
    return any(wanted <= set(form) for form in title_forms(title))


def match_titles(candidates: Sequence[tuple[T, Sequence[str]]], text: str,
                 numbered: bool = True) -> list[TitleMatch[T]]:
    """The candidates (item, its titles) ``text`` names, the most literal reading first.

    The whole text as a title; without a trailing year; then (``numbered``: no season or
    episode was asked) a title and an absolute episode number; last, a whole title followed
    by words of an episode's title. Each reading takes titles equal to it, else titles that
    hold all its words.
    """
    forms = title_forms(text)
    if not forms:
        return []
    titled = [(item, title, title_forms(title)) for item, titles in candidates
              for title in titles]
    for reading, absolute in _readings(forms, numbered):
        found = _named(titled, reading, absolute)
        if found:
            return found
    return _prefixed(titled, forms)


def _readings(forms: frozenset[Words], numbered: bool) -> list[tuple[frozenset[Words], int | None]]:
    words = next(iter(forms))  # numbers read the same in every form
    readings: list[tuple[frozenset[Words], int | None]] = [(forms, None)]
    if numbered and len(words) > 1 and words[-1].isdecimal():
        readings.append((frozenset(form[:-1] for form in forms), int(words[-1])))
    with_years = []
    for reading, absolute in readings:
        last = next(iter(reading))
        with_years.append((reading, absolute))
        if len(last) > 1 and _YEAR.match(last[-1]):
            with_years.append((frozenset(form[:-1] for form in reading), absolute))
    return with_years


def _named(titled: list[tuple[T, str, frozenset[Words]]], reading: frozenset[Words],
           absolute: int | None) -> list[TitleMatch[T]]:
    exact: dict[int, TitleMatch[T]] = {}
    partial: dict[int, TitleMatch[T]] = {}
    for item, title, forms in titled:
        if id(item) in exact:
            continue
        if forms & reading:
            exact[id(item)] = TitleMatch(item, title, absolute)
        elif id(item) not in partial and any(set(q) <= set(t) for q in reading for t in forms):
            partial[id(item)] = TitleMatch(item, title, absolute)
    return list(exact.values()) or list(partial.values())


def _prefixed(titled: list[tuple[T, str, frozenset[Words]]],
              forms: frozenset[Words]) -> list[TitleMatch[T]]:
    found: dict[int, TitleMatch[T]] = {}
    for item, title, title_words in titled:
        for query in forms:
            for words in title_words:
                if id(item) not in found and len(query) > len(words) \
                        and query[:len(words)] == words:
                    found[id(item)] = TitleMatch(item, title,
                                                 episode_words=query[len(words):])
    return list(found.values())
