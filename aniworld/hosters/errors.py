"""Hoster errors; ``transient`` tells the job whether retrying (or another hoster) may help."""

from __future__ import annotations

from aniworld.errors import AniworldError


class HosterError(AniworldError):
    """Base class: a hoster page could not be turned into a media URL."""

    code = "hoster_error"
    status = 502
    transient = False

    def __init__(self, hoster: str, message: str) -> None:
        super().__init__(message)
        self.hoster = hoster


class UnsupportedHoster(HosterError):
    """No extractor exists for this hoster name."""

    code = "hoster_unsupported"
    status = 422

    def __init__(self, hoster: str, supported: tuple[str, ...] = ()) -> None:
        names = ", ".join(supported) or "none"
        super().__init__(
            hoster,
            f"Aniworld cannot download from the hoster {hoster!r}; pick another hoster "
            f"(supported: {names})",
        )


class ExtractorOutdated(HosterError):
    """The hoster page no longer has the shape the extractor knows."""

    code = "hoster_extractor_outdated"
    # Another hoster (or a later retry after an update) may well work.
    transient = True

    def __init__(self, hoster: str, detail: str) -> None:
        super().__init__(
            hoster,
            f"the {hoster} page changed ({detail}); Aniworld's {hoster} extractor is out of "
            "date; another hoster will be tried",
        )
        self.detail = detail


class HosterFileGone(HosterError):
    """The hoster says the file was deleted or never existed."""

    code = "hoster_file_gone"
    status = 404

    def __init__(self, hoster: str) -> None:
        super().__init__(
            hoster, f"{hoster} no longer has this file (deleted or not found); try another hoster"
        )


class HosterUnavailable(HosterError):
    """The hoster answered with a server error or could not be reached."""

    code = "hoster_unavailable"
    status = 503
    transient = True

    def __init__(self, hoster: str, detail: str) -> None:
        super().__init__(
            hoster,
            f"{hoster} is not answering properly right now ({detail}); it will be retried "
            "later or another hoster will be tried",
        )
        self.detail = detail


class HosterDrmProtected(HosterError):
    """The hoster serves this file only with DRM, which cannot be saved to a file."""

    code = "hoster_drm_protected"
    status = 422

    def __init__(self, hoster: str) -> None:
        super().__init__(
            hoster,
            f"{hoster} protects this video with DRM, which Aniworld cannot save; pick another "
            "hoster (the next one in the hoster order is tried)",
        )
