"""Client for the streaming sites (classic aniworld engine, s.to V2); no Flask here."""

from aniworld.site.classify import classify_response
from aniworld.site.client import SiteClient
from aniworld.site.engines import (
    ENGINES,
    ClassicEngine,
    PageRequest,
    SerienstreamEngine,
    SiteEngine,
)
from aniworld.site.errors import (
    CaptchaRequired,
    HosterLinkExpired,
    ParseError,
    PlayGateRequired,
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
from aniworld.site.types import (
    EpisodeHosters,
    EpisodeInfo,
    FeedEntry,
    HosterLink,
    SearchResult,
    SeriesInfo,
)

__all__ = [
    "ENGINES",
    "CaptchaRequired",
    "ClassicEngine",
    "CurlTransport",
    "EpisodeHosters",
    "EpisodeInfo",
    "FeedEntry",
    "HosterLink",
    "HosterLinkExpired",
    "PageRequest",
    "ParseError",
    "PlayGateRequired",
    "RequestsTransport",
    "Response",
    "SearchResult",
    "SerienstreamEngine",
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
