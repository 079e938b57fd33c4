"""Hoster errors; ``transient`` tells the job whether retrying (or another hoster) may help."""

from __future__ import annotations

from aniworld.errors import AniworldError
from aniworld.phrases import N_, Phrase


class HosterError(AniworldError):
    """Base class: a hoster page could not be turned into a media URL.

    ``template`` is the message's sentence (``N_``) with the hoster's name and the
    ``detail`` (a Phrase where it is a sentence, plain for technical tokens).
    """

    code = "hoster_error"
    status = 502
    transient = False
    template = N_("%(hoster)s failed (%(detail)s); try another hoster")

    def __init__(self, hoster: str, detail: str | Phrase = "") -> None:
        super().__init__(self._sentence(hoster, detail))
        self.hoster = hoster
        self.detail = detail

    def _sentence(self, hoster: str, detail: str | Phrase) -> Phrase:
        return Phrase(self.template, hoster=hoster, detail=detail)


class UnsupportedHoster(HosterError):
    """No extractor exists for this hoster name."""

    code = "hoster_unsupported"
    status = 422
    template = N_(
        "Aniworld cannot download from the hoster %(hoster)s; pick another hoster "
        "(supported: %(detail)s)"
    )

    def __init__(self, hoster: str, supported: tuple[str, ...] = ()) -> None:
        super().__init__(hoster, ", ".join(supported) or "none")

    def _sentence(self, hoster: str, detail: str | Phrase) -> Phrase:
        # The name quoted as Python quotes it, as this message always did (API text).
        return Phrase(self.template, hoster=repr(hoster), detail=detail)


class ExtractorOutdated(HosterError):
    """The hoster page no longer has the shape the extractor knows."""

    code = "hoster_extractor_outdated"
    # Another hoster (or a later retry after an update) may well work.
    transient = True
    template = N_(
        "the %(hoster)s page changed (%(detail)s); Aniworld's %(hoster)s extractor is out of "
        "date; another hoster will be tried"
    )


class HosterFileGone(HosterError):
    """The hoster says the file was deleted or never existed."""

    code = "hoster_file_gone"
    status = 404
    template = N_(
        "%(hoster)s no longer has this file (deleted or not found); try another hoster"
    )


class HosterUnavailable(HosterError):
    """The hoster answered with a server error or could not be reached."""

    code = "hoster_unavailable"
    status = 503
    transient = True
    template = N_(
        "%(hoster)s is not answering properly right now (%(detail)s); it will be retried "
        "later or another hoster will be tried"
    )


class HosterDrmProtected(HosterError):
    """The hoster serves this file only with DRM, which cannot be saved to a file."""

    code = "hoster_drm_protected"
    status = 422
    template = N_(
        "%(hoster)s protects this video with DRM, which Aniworld cannot save; pick another "
        "hoster (the next one in the hoster order is tried)"
    )
