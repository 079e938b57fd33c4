"""Hoster errors; ``transient`` tells the job whether retrying (or another hoster) may help."""

from __future__ import annotations

from aniworld.errors import AniworldError


class HosterError(AniworldError):
    """Base class: a hoster page could not be turned into a media URL.

    ``template`` is the message, formatted with the hoster's name and the ``detail``.
    """

    code = "hoster_error"
    status = 502
    transient = False
    template = "{hoster} failed ({detail}); try another hoster"

    def __init__(self, hoster: str, detail: str = "") -> None:
        super().__init__(self.template.format(hoster=hoster, detail=detail))
        self.hoster = hoster
        self.detail = detail


class UnsupportedHoster(HosterError):
    """No extractor exists for this hoster name."""

    code = "hoster_unsupported"
    status = 422
    template = (
        "Aniworld cannot download from the hoster {hoster!r}; pick another hoster "
        "(supported: {detail})"
    )

    def __init__(self, hoster: str, supported: tuple[str, ...] = ()) -> None:
        super().__init__(hoster, ", ".join(supported) or "none")


class ExtractorOutdated(HosterError):
    """The hoster page no longer has the shape the extractor knows."""

    code = "hoster_extractor_outdated"
    # Another hoster (or a later retry after an update) may well work.
    transient = True
    template = (
        "the {hoster} page changed ({detail}); Aniworld's {hoster} extractor is out of "
        "date; another hoster will be tried"
    )


class HosterFileGone(HosterError):
    """The hoster says the file was deleted or never existed."""

    code = "hoster_file_gone"
    status = 404
    template = "{hoster} no longer has this file (deleted or not found); try another hoster"


class HosterUnavailable(HosterError):
    """The hoster answered with a server error or could not be reached."""

    code = "hoster_unavailable"
    status = 503
    transient = True
    template = (
        "{hoster} is not answering properly right now ({detail}); it will be retried "
        "later or another hoster will be tried"
    )


class HosterDrmProtected(HosterError):
    """The hoster serves this file only with DRM, which cannot be saved to a file."""

    code = "hoster_drm_protected"
    status = 422
    template = (
        "{hoster} protects this video with DRM, which Aniworld cannot save; pick another "
        "hoster (the next one in the hoster order is tried)"
    )
