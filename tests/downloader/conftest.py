"""Fixtures for engine tests: streams pointing at the fake hoster server, a quick settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aniworld.downloader import DownloadSettings
from tests.fakesite import FakeSite
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import media

UA = "Mozilla/5.0 (X11; Linux x86_64) AniworldTest/1.0"


@pytest.fixture(autouse=True)
def _no_media_faults() -> Iterator[None]:
    media.clear_media_faults()
    yield
    media.clear_media_faults()


@pytest.fixture
def link(fakesite: FakeSite) -> HosterLink:
    """The German-dub VOE link of the first episode."""
    episode = fakesite.catalog.series("kaempfer-des-lichts-die-rueckkehr").episode(1, 1)
    return next(x for x in episode.links if x.language == "german-dub")


@pytest.fixture
def headers(fakesite: FakeSite) -> dict[str, str]:
    """Headers an extractor would hand over: browser UA and the embed page as Referer."""
    return {"User-Agent": UA, "Referer": fakesite.hoster_url + "/e/abc"}


@pytest.fixture
def settings() -> DownloadSettings:
    """Test settings: private hosts allowed, no disk reserve, fast progress."""
    return DownloadSettings(
        allow_private_hosts=True, disk_reserve_bytes=0, stall_timeout=2.0, progress_interval=0.1
    )
