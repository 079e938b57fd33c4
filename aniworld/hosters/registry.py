"""Which extractor handles which hoster name (as shown on the episode page)."""

from __future__ import annotations

from collections.abc import Callable

from aniworld.hosters import doodstream, filemoon, vidara, vidmoly, vidoza, voe
from aniworld.hosters.errors import UnsupportedHoster
from aniworld.site.transport import Transport
from aniworld.streams import Stream

Resolver = Callable[[str, Transport, bool], Stream]

# Display name -> resolver; the order is the fallback order peers found most reliable.
EXTRACTORS: dict[str, Resolver] = {
    voe.NAME: voe.resolve,
    vidmoly.NAME: vidmoly.resolve,
    vidoza.NAME: vidoza.resolve,
    doodstream.NAME: doodstream.resolve,
    filemoon.NAME: filemoon.resolve,
    vidara.NAME: vidara.resolve,
}
_BY_KEY = {name.casefold(): name for name in EXTRACTORS}


def canonical_name(hoster: str) -> str | None:
    """Return the registered spelling of a hoster name, or None if unsupported."""
    return _BY_KEY.get(hoster.strip().casefold())


def extractor_for(hoster: str) -> tuple[str, Resolver]:
    """Return (registered name, resolver); raise UnsupportedHoster for unknown names."""
    name = canonical_name(hoster)
    if name is None:
        raise UnsupportedHoster(hoster, tuple(EXTRACTORS))
    return name, EXTRACTORS[name]
