"""Match a library folder to a site search result by its title (pure; no site access)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aniworld.phrases import Phrase
from aniworld.site.types import SearchResult

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o"}
_YEAR_TAG = re.compile(r"[\[(]\s*(?:19|20)\d\d\s*[\])]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_STOP_WORDS = frozenset({"the"})
EXACT = 1.0
EXACT_ONE_YEAR = 0.9
ALTERNATIVE = 0.8


@dataclass(frozen=True)
class Match:
    """The result of matching a folder: ``result`` is None unless the match is confident.

    ``reason`` is shown to the user beside an unmatched folder, in their language.
    """

    result: SearchResult | None
    confidence: float
    reason: str | Phrase

    @property
    def confident(self) -> bool:
        """True if a result was chosen."""
        return self.result is not None


def normalise_title(title: str, transliterate: bool = True) -> str:
    """Lower-case words without accents, punctuation, "the" or year tags.

    ``Kämpfer`` becomes ``kaempfer`` (or ``kampfer`` with ``transliterate=False``).
    """
    text = _YEAR_TAG.sub(" ", title).casefold().replace("&", " and ")
    if transliterate:
        text = "".join(_UMLAUTS.get(char, char) for char in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = [word for word in _NON_WORD.split(text) if word and word not in _STOP_WORDS]
    return " ".join(words)


def title_keys(title: str) -> frozenset[str]:
    """Comparable forms of a title: umlauts as ``ae`` and as ``a``, spaces removed."""
    forms = {normalise_title(title), normalise_title(title, transliterate=False)}
    return frozenset(form.replace(" ", "") for form in forms if form)


def _year_fits(year_guess: int | None, year: int | None) -> bool:
    return year_guess is None or year is None or year_guess == year


def match_folder(title_guess: str, year_guess: int | None, candidates: list[SearchResult],
                 alternative_titles: Mapping[str, Iterable[str]] | None = None) -> Match:
    """Pick the candidate a folder holds, or none; ``alternative_titles`` is keyed by result key.

    Confident: one candidate with the same normalised title (and year, when both are known),
    or else one single candidate with an alternative title equal to the folder's title.
    """
    keys = title_keys(title_guess)
    if not keys:
        return Match(None, 0.0, Phrase("the folder name has no usable title"))
    exact = [c for c in candidates if keys & title_keys(c.title)]
    fitting = [c for c in exact if _year_fits(year_guess, c.year)]
    if fitting:
        return _pick_exact(year_guess, fitting)
    alternatives = alternative_titles or {}
    by_alternative = [
        c for c in candidates
        if _year_fits(year_guess, c.year)
        and any(keys & title_keys(alt) for alt in alternatives.get(c.key, ()))
    ]
    if len(by_alternative) == 1:
        return Match(by_alternative[0], ALTERNATIVE, Phrase("alternative title matches"))
    if len(by_alternative) > 1:
        return Match(None, 0.5, Phrase("several candidates share this alternative title"))
    if exact:
        return Match(None, 0.5, Phrase("same title but a different year (%(year)s)",
                                       year=exact[0].year))
    return _no_match(title_guess, candidates)


def _pick_exact(year_guess: int | None, fitting: list[SearchResult]) -> Match:
    """One confident result among candidates with the folder's title, or an ambiguity."""
    same_year = [c for c in fitting if year_guess is not None and c.year == year_guess]
    if len(same_year) == 1:
        return Match(same_year[0], EXACT, Phrase("title and year match"))
    if len(fitting) == 1:
        only = fitting[0]
        both_known = year_guess is not None and only.year is not None
        return Match(only, EXACT if both_known else EXACT_ONE_YEAR,
                     Phrase("title matches") if both_known
                     else Phrase("title matches (year unknown)"))
    return Match(None, 0.5, Phrase("%(count)s candidates have this title; add the year",
                                   count=len(fitting)))


def _no_match(title_guess: str, candidates: list[SearchResult]) -> Match:
    """Unmatched, with the closest candidate's similarity as a hint for the user."""
    if not candidates:
        return Match(None, 0.0, Phrase("no search results"))
    wanted = normalise_title(title_guess)
    scored = [(difflib.SequenceMatcher(None, wanted, normalise_title(c.title)).ratio(), c)
              for c in candidates]
    ratio, closest = max(scored, key=lambda pair: pair[0])
    # Similar is not the same ("Naruto" vs "Naruto Shippuden"): never chosen automatically.
    return Match(None, round(ratio * 0.7, 3),
                 Phrase("no exact title match; closest: %(title)s", title=closest.title))
