"""Error hierarchy for Aniworld; every message tells the user what to do next."""

from __future__ import annotations


class AniworldError(Exception):
    """Base class of every error Aniworld raises on purpose.

    ``code`` is a stable machine-readable identifier (used by the JSON API) and
    ``status`` the HTTP status the web layer should answer with.
    """

    code = "error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(AniworldError):
    """A setting is missing or invalid; the message names the variable."""

    code = "config_error"


class ValidationError(AniworldError):
    """User input failed validation; ``field`` names the offending field."""

    code = "validation_error"
    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(AniworldError):
    """A requested record does not exist; ``field`` names the request field that named it."""

    code = "not_found"
    status = 404

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(AniworldError):
    """The request conflicts with the current state (e.g. a duplicate queue item)."""

    code = "conflict"
    status = 409
