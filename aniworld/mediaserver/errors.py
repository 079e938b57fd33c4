"""What can go wrong when Aniworld talks to a media server; each message says what to do."""

from __future__ import annotations

from aniworld.errors import AniworldError


class MediaServerError(AniworldError):
    """The media server could not be told about new files.

    ``server_wide`` errors (unreachable, token refused, an answer we cannot use) hold for
    every series alike, so the caller backs off the whole server instead of trying each
    series in turn; the others concern one request's paths only.
    """

    code = "media_server_error"
    status = 502
    server_wide = True


class MediaServerUnreachable(MediaServerError):
    """No connection, or no answer in time."""

    code = "media_server_unreachable"


class MediaServerTokenRefused(MediaServerError):
    """The server answered 401: the token is missing, mistyped or revoked."""

    code = "media_server_token_refused"


class MediaServerForbidden(MediaServerError):
    """The server answered 403: the token is valid but may not refresh the library."""

    code = "media_server_forbidden"


class MediaServerBadAnswer(MediaServerError):
    """An answer we cannot use: a redirect, a 404 or 5xx, or a body that does not parse."""

    code = "media_server_bad_answer"


class MediaServerRequestInvalid(MediaServerError):
    """The request could not even be built: the token or the URL holds characters that
    HTTP cannot carry (e.g. an invisible character pasted along with the token)."""

    code = "media_server_request_invalid"


class LibraryNotFound(MediaServerError):
    """None of the server's library folders holds the path (a path-mapping problem)."""

    code = "media_server_library_not_found"
    server_wide = False
