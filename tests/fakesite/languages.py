"""Language variants, their flag images and the German strings aniworld prints."""

from __future__ import annotations

from dataclasses import dataclass

GERMAN_DUB = "german-dub"
GERMAN_SUB = "german-sub"
ENGLISH_SUB = "english-sub"
ENGLISH_DUB = "english-dub"

# Order of the flags in changeLanguageBox and td.editFunctions (reference §7.5 shows 1, 3, 2).
DISPLAY_ORDER = (GERMAN_DUB, GERMAN_SUB, ENGLISH_SUB, ENGLISH_DUB)


@dataclass(frozen=True)
class Flag:
    """How one language is drawn: file name plus alt/title on the episode and season pages."""

    file: str
    box_alt: str
    box_title: str
    table_alt: str
    table_title: str

    @property
    def src(self) -> str:
        """Site-relative image path, e.g. ``/public/img/german.svg``."""
        return f"/public/img/{self.file}"


FLAGS: dict[str, Flag] = {
    GERMAN_DUB: Flag(
        "german.svg",
        "German, Deutsch, Flagge, Sprache",
        "Deutsch",
        "Deutsche Sprache, Flagge",
        "Deutsch/German",
    ),
    GERMAN_SUB: Flag(
        "japanese-german.svg",
        "Ger-Sub, Deutscher Untertitel, Flagge, Sprache",
        "mit Untertitel Deutsch",
        "Deutsche Flagge, Untertitel, Flagge",
        "Mit deutschem Untertitel",
    ),
    ENGLISH_SUB: Flag(
        "japanese-english.svg",
        "Englische Sprache, English, Flagge, Sprache",
        "mit Untertitel Englisch",
        "Englische Flagge, Untertitel, Flagge",
        "Englisch",
    ),
    # english.svg strings are not documented anywhere; invented in the same style.
    ENGLISH_DUB: Flag(
        "english.svg",
        "English, Englisch, Flagge, Sprache",
        "Englisch",
        "Englische Sprache, Flagge",
        "Englisch/English",
    ),
}

# aniworld's data-lang-key of each language (§2.6).
LANG_KEYS: dict[str, int] = {GERMAN_DUB: 1, ENGLISH_SUB: 2, GERMAN_SUB: 3, ENGLISH_DUB: 4}

# Pseudo-genres the series header lists for the languages on offer.
LANGUAGE_GENRES: dict[str, str] = {GERMAN_DUB: "Ger", GERMAN_SUB: "GerSub", ENGLISH_SUB: "EngSub"}


def ordered(languages: set[str] | frozenset[str]) -> list[str]:
    """Return the languages in the site's display order."""
    return [lang for lang in DISPLAY_ORDER if lang in languages]
