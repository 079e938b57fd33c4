"""Pytest plugin: a fresh Jellyfin or Plex stand-in per test (cheap: one loopback thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mediaserver.standins import FakeJellyfin, FakePlex, Library

TOKEN = "4f2a0c1d9e8b7a6f5e4d3c2b1a0f9e8d"
# The library folder as the stand-ins see it (the tests' "their path").
THEIR_LIBRARY = "/media/anime"


@pytest.fixture
def fake_jellyfin() -> Iterator[FakeJellyfin]:
    """Jellyfin with one TV library at /media/anime, wanting :data:`TOKEN`."""
    server = FakeJellyfin(TOKEN, [Library("1", "Anime", [THEIR_LIBRARY])]).start()
    yield server
    server.stop()


@pytest.fixture
def fake_emby() -> Iterator[FakeJellyfin]:
    """Emby with one TV library at /media/anime, wanting :data:`TOKEN`."""
    server = FakeJellyfin(TOKEN, [Library("1", "Anime", [THEIR_LIBRARY])], emby=True).start()
    yield server
    server.stop()


@pytest.fixture
def fake_plex() -> Iterator[FakePlex]:
    """Plex with a movie library (section 1) and the anime library (section 7)."""
    libraries = [Library("1", "Movies", ["/media/movies"], kind="movie"),
                 Library("7", "Anime", ["/data/tv", THEIR_LIBRARY])]
    server = FakePlex(TOKEN, libraries).start()
    yield server
    server.stop()
