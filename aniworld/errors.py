"""Error hierarchy for Aniworld; every message tells the user what to do next."""

from __future__ import annotations

from aniworld.phrases import Phrase, as_phrase


class AniworldError(Exception):
    """Base class of every error Aniworld raises on purpose.

    ``code`` is a stable machine-readable identifier (used by the JSON API) and
    ``status`` the HTTP status the web layer should answer with. ``message`` is English
    (logs, the JSON API); ``phrase`` the same sentence for the reader's language
    (``web.i18n.localize``). Raise with a ``Phrase`` for anything a person reads.
    """

    code = "error"
    status = 500

    def __init__(self, message: str | Phrase) -> None:
        self.phrase = as_phrase(message)
        self.message = str(self.phrase)
        super().__init__(self.message)


class ConfigError(AniworldError):
    """A setting is missing or invalid; the message names the variable."""

    code = "config_error"


class ValidationError(AniworldError):
    """User input failed validation; ``field`` names the offending field."""

    code = "validation_error"
    status = 422

    def __init__(self, message: str | Phrase, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(AniworldError):
    """A requested record does not exist; ``field`` names the request field that named it."""

    code = "not_found"
    status = 404

    def __init__(self, message: str | Phrase, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(AniworldError):
    """The request conflicts with the current state (e.g. a duplicate queue item)."""

    code = "conflict"
    status = 409
