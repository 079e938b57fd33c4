"""Pytest plugin: one FakeSite per session, reset for every test that asks for ``fakesite``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakesite import tls
from tests.fakesite.server import FakeSite


@pytest.fixture(scope="session")
def fakesite_server() -> Iterator[FakeSite]:
    """Start the site and hoster servers on free loopback ports for the whole session.

    ``requests`` (the downloader, the tests' own fetches) trusts the stand-in's test CA
    while the session runs, through ``REQUESTS_CA_BUNDLE``.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(tls.ENV, tls.ca_bundle())
        site = FakeSite().start()
        yield site
        site.stop()


@pytest.fixture
def fakesite(fakesite_server: FakeSite) -> Iterator[FakeSite]:
    """The session's FakeSite with no faults and empty request logs."""
    fakesite_server.reset()
    yield fakesite_server
    fakesite_server.reset()
