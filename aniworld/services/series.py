"""Series in the library: look-ups (adding from the site arrives with the site client)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import NotFoundError
from aniworld.models import Series
from aniworld.sites import DEFAULT_SITE, public_series_key

__all__ = ["DEFAULT_SITE", "find_series", "get_series"]


def find_series(session: Session, key: str, site: str = DEFAULT_SITE) -> Series | None:
    """Return the library's series with this site key, or None."""
    return session.scalar(select(Series).where(Series.site == site, Series.key == key))


def get_series(session: Session, key: str, site: str = DEFAULT_SITE) -> Series:
    """Return the library's series with this site key; raises NotFoundError."""
    series = find_series(session, key, site)
    if series is None:
        raise NotFoundError(
            f"no series {public_series_key(site, key)!r} in the library; add it first")
    return series
