"""A faithful local stand-in of aniworld.to and s.to V2 (serienstream) plus fake hosters."""

from tests.fakesite.catalog import Catalog, Episode, HosterLink, Season, Series
from tests.fakesite.requestlog import RequestRecord, max_concurrency
from tests.fakesite.server import FakeSite

__all__ = [
    "Catalog",
    "Episode",
    "FakeSite",
    "HosterLink",
    "RequestRecord",
    "Season",
    "Series",
    "max_concurrency",
]
