"""The sites Aniworld reads, and how a series is named across them.

Every series belongs to one site. An aniworld.to series keeps its bare slug as the key the
API takes and returns (``one-piece``); an s.to series is addressed as ``sto:<slug>``. This
module turns one form into the other and is the only place that knows the prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aniworld.errors import ValidationError
from aniworld.phrases import Phrase

ANIWORLD = "aniworld"
STO = "sto"
SITES: tuple[str, ...] = (ANIWORLD, STO)
DEFAULT_SITE = ANIWORLD
ALL_SITES = "all"
# What the user reads beside a result or a series.
SITE_LABELS = {ANIWORLD: "AniWorld", STO: "S.to"}
# Which engine adapter (``aniworld.site.engines.ENGINES``) reads each site.
SITE_ENGINES = {ANIWORLD: "aniworld", STO: "serienstream"}

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,199}$")
_PREFIXED = re.compile(r"^([a-z]{2,16}):(.*)$")


@dataclass(frozen=True, order=True)
class SeriesRef:
    """A series as the API names it: its site and the site's slug."""

    site: str
    key: str

    @property
    def public_key(self) -> str:
        """The key the API and the pages use: the bare slug on aniworld, ``sto:<slug>`` else."""
        return public_series_key(self.site, self.key)

    def __str__(self) -> str:
        return self.public_key


def public_series_key(site: str, key: str) -> str:
    """Return the key clients see for the series ``key`` of ``site``."""
    return key if site == DEFAULT_SITE else f"{site}:{key}"


def check_slug(value: object, field: str = "key") -> str:
    """Return ``value`` if it is a bare series slug of a site; raises ValidationError."""
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise ValidationError(Phrase(
            "%(field)s must be the series slug from the site, e.g. one-piece or sto:breaking-bad",
            field=field), field)
    return value


def parse_series_key(value: object, field: str = "key") -> SeriesRef:
    """Read a series key as clients send it (``one-piece``, ``sto:breaking-bad``).

    ``aniworld:<slug>`` is accepted too and means the bare slug. Raises ValidationError
    naming ``field`` for anything else.
    """
    if not isinstance(value, str):
        raise ValidationError(Phrase("%(field)s must be text such as one-piece or "
                                     "sto:breaking-bad", field=field), field)
    text = value.strip()
    site, slug = DEFAULT_SITE, text
    prefixed = _PREFIXED.match(text)
    if prefixed:
        site, slug = prefixed.group(1), prefixed.group(2)
        if site not in SITES:
            raise ValidationError(Phrase(
                "%(field)s: unknown site %(site)s; use a bare slug for aniworld.to or "
                "sto:<slug> for s.to", field=field, site=repr(site)), field)
    return SeriesRef(site, check_slug(slug, field))


def check_site(value: object, field: str = "site", allow_all: bool = False) -> str:
    """Return ``value`` if it names a site (or ``all`` when allowed); raises ValidationError."""
    choices = SITES + ((ALL_SITES,) if allow_all else ())
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()
    raise ValidationError(Phrase("%(field)s must be one of %(choices)s",
                                 field=field, choices=", ".join(choices)), field)


def sites_for(choice: str) -> tuple[str, ...]:
    """The sites a choice of :func:`check_site` with ``allow_all`` covers."""
    return SITES if choice == ALL_SITES else (choice,)
