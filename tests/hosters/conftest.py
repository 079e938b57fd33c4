"""Fixtures shared by the hoster tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aniworld.site.transport import RequestsTransport, make_transport
from tests.fakesite import FakeSite
from tests.hosters.helpers import USER_AGENT


@pytest.fixture
def transport(fakesite: FakeSite) -> Iterator[RequestsTransport]:
    """One transport (one UA) for site, hoster and media, as a download job uses."""
    client = make_transport("requests", fakesite.url, user_agent=USER_AGENT)
    yield client
    client.close()
