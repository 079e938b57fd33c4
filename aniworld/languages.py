"""Language variants an episode can be offered in, with their stable ids."""

from __future__ import annotations

from enum import StrEnum


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
            raise ValueError(f"unknown language {value!r}; use one of: {valid}") from None
