"""Stream hosters: turn an embed URL into a media URL plus the headers to fetch it with."""

from __future__ import annotations

import logging

from aniworld.hosters.errors import (
    ExtractorOutdated,
    HosterDrmProtected,
    HosterError,
    HosterFileGone,
    HosterUnavailable,
    UnsupportedHoster,
)
from aniworld.hosters.registry import EXTRACTORS, canonical_name, extractor_for
from aniworld.site.transport import Transport
from aniworld.streams import Stream
from aniworld.urlguard import BlockedUrl

logger = logging.getLogger(__name__)

__all__ = [
    "BlockedUrl",
    "ExtractorOutdated",
    "HosterDrmProtected",
    "HosterError",
    "HosterFileGone",
    "HosterUnavailable",
    "UnsupportedHoster",
    "is_supported",
    "resolve_stream",
    "supported_hosters",
]


def resolve_stream(
    hoster: str, embed_url: str, transport: Transport, *, allow_private_hosts: bool = False
) -> Stream:
    """Resolve an embed URL right before downloading (media URLs are short-lived).

    Raises UnsupportedHoster, ExtractorOutdated, HosterFileGone, HosterUnavailable,
    HosterDrmProtected or BlockedUrl (embed, intermediate or media URL refused by the URL guard).
    """
    name, resolver = extractor_for(hoster)
    logger.info("hoster resolve hoster=%s", name)
    return resolver(embed_url, transport, allow_private_hosts)


def supported_hosters() -> list[str]:
    """Names of the hosters with an extractor, as the episode page spells them."""
    return list(EXTRACTORS)


def is_supported(hoster: str) -> bool:
    """True when ``hoster`` (any case) has an extractor."""
    return canonical_name(hoster) is not None
