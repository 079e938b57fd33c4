"""Language variants an episode can be offered in, with their stable ids."""

from __future__ import annotations

from enum import StrEnum

from aniworld.phrases import N_, Phrase


class Language(StrEnum):
    """One audio/subtitle variant; the value is the id used in the API and database."""

    GERMAN_DUB = "german-dub"
    GERMAN_SUB = "german-sub"
    ENGLISH_SUB = "english-sub"
    ENGLISH_DUB = "english-dub"

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``German Dub``."""
        return self.value.replace("-", " ").title()

    @property
    def phrase(self) -> Phrase:
        """The label for a reader, translated where it is shown (``Deutsch (Synchro)``)."""
        return Phrase(self.label)  # one of LABELS, which the catalogue extracts

    @property
    def audio(self) -> str:
        """ISO 639-2 code of the spoken language: dubs in theirs, subs in the Japanese original."""
        return {"german-dub": "deu", "english-dub": "eng"}.get(self.value, "jpn")

    @classmethod
    def parse(cls, value: str) -> Language:
        """Return the language for an id, raising ``ValueError`` listing valid ids."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(member.value for member in cls)
            # A phrase as the argument: str(exc) stays English, a page can translate it.
            raise ValueError(Phrase("unknown language %(value)s; use one of: %(valid)s",
                                    value=repr(value), valid=valid)) from None


# The labels as extraction sees them (``Language.label`` builds them from the ids).
LABELS = (N_("German Dub"), N_("German Sub"), N_("English Sub"), N_("English Dub"))
