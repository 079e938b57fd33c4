"""Which failures end an item at once and which are worth another try later."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from aniworld.downloader import InsufficientDiskSpace
from aniworld.downloader.errors import FfmpegMissing
from aniworld.errors import AniworldError
from aniworld.phrases import Phrase
from aniworld.site import CaptchaRequired, SiteNotFound


class PermanentFailure(AniworldError):
    """Retrying cannot help; the item fails now with this message."""

    code = "permanent_failure"


class TransientFailure(AniworldError):
    """Another try later may succeed; the item is retried with back-off."""

    code = "transient_failure"


# Errors that end the item at once whatever the hoster: the user has to act first.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    CaptchaRequired, SiteNotFound, InsufficientDiskSpace, FfmpegMissing,
)


def is_transient(error: BaseException) -> bool:
    """Return whether ``error`` is worth retrying later."""
    if isinstance(error, PERMANENT_ERRORS):
        return False
    return bool(getattr(error, "transient", True))


@dataclass(frozen=True)
class CandidateError:
    """Why one hoster/language candidate failed."""

    hoster: str
    language: str | Phrase
    error: BaseException

    def describe(self) -> Phrase:
        """One line for the item's error message."""
        error = self.error
        message = error.phrase if isinstance(error, AniworldError) else str(error)
        return Phrase("%(hoster)s (%(language)s): %(message)s",
                      hoster=self.hoster, language=self.language, message=message)


def summarise(errors: list[CandidateError], what: str | Phrase) -> AniworldError:
    """Turn the failures of every candidate into one permanent or transient failure."""
    if not errors:
        return PermanentFailure(Phrase(
            "no supported hoster offers %(what)s in an allowed language; "
            "allow another language or add hosters in Settings", what=what))
    # Nested, so each hoster's reason stays a phrase of its own in the reader's language.
    details = reduce(lambda joined, line: Phrase("%(first)s; %(then)s", first=joined, then=line),
                     (error.describe() for error in errors))
    if any(is_transient(error.error) for error in errors):
        return TransientFailure(
            Phrase("every hoster failed for %(what)s: %(details)s", what=what, details=details))
    return PermanentFailure(
        Phrase("no hoster could deliver %(what)s: %(details)s", what=what, details=details))
