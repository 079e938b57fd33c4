"""Series keys as requests carry them (``one-piece``, ``sto:breaking-bad``) and their series.

Pages and API read a key with :func:`aniworld.sites.parse_series_key` here, at the edge,
and look the series up by (site, slug); links are built from ``Series.public_key``.
"""

from __future__ import annotations

from aniworld.errors import NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.phrases import Phrase
from aniworld.services.series import find_series, get_series
from aniworld.sites import parse_series_key

MAX_KEY_LENGTH = 210  # a slug of up to 200 characters and its site prefix


def series_at(key: str) -> Series:
    """The library's series named by a URL's ``<key>``; raises NotFoundError.

    A key that cannot name a series is a 404 like an unknown one: the address is wrong.
    """
    try:
        ref = parse_series_key(key)
    except ValidationError:
        raise NotFoundError(Phrase("no series %(key)s in the library; add it first",
                                   key=repr(key))) from None
    return get_series(db.session, ref.key, ref.site)


def series_named(key: object, field: str,
                 missing: type[NotFoundError | ValidationError] = NotFoundError) -> Series:
    """The library's series named by the request field ``field``.

    Raises ValidationError for a malformed key, ``missing`` (naming ``field``) for one not in
    the library: a queue request names a series it expects there, so that is bad input.
    """
    ref = parse_series_key(key, field)
    series = find_series(db.session, ref.key, ref.site)
    if series is None:
        raise missing(f"no series {ref.public_key!r} in the library; add it first", field)
    return series
