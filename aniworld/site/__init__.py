"""Client for the streaming site (classic aniworld engine, old s.to); no Flask in here."""

from aniworld.site.classify import classify_response
from aniworld.site.client import SiteClient
from aniworld.site.engines import ENGINES, ClassicEngine, PageRequest, SiteEngine
from aniworld.site.errors import (
    CaptchaRequired,
    ParseError,
    SiteChallenge,
    SiteError,
    SiteLayoutChanged,
    SiteNotFound,
    SiteRateLimited,
    SiteServerError,
    SiteSpamBlocked,
    SiteUnreachable,
)
from aniworld.site.settings import SiteSettings
from aniworld.site.transport import CurlTransport, RequestsTransport, Response, Transport
from aniworld.site.types import EpisodeHosters, EpisodeInfo, HosterLink, SearchResult, SeriesInfo

__all__ = [
    "ENGINES",
    "CaptchaRequired",
    "ClassicEngine",
    "CurlTransport",
    "EpisodeHosters",
    "EpisodeInfo",
    "HosterLink",
    "PageRequest",
    "ParseError",
    "RequestsTransport",
    "Response",
    "SearchResult",
    "SeriesInfo",
    "SiteChallenge",
    "SiteClient",
    "SiteEngine",
    "SiteError",
    "SiteLayoutChanged",
    "SiteNotFound",
    "SiteRateLimited",
    "SiteServerError",
    "SiteSettings",
    "SiteSpamBlocked",
    "SiteUnreachable",
    "Transport",
    "classify_response",
]
