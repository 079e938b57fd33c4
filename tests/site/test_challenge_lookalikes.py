"""Challenge detection over real HTTP (site-2026 §8, §9.35): check pages are caught, a series
whose name reads like one is not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aniworld.site.errors import SiteChallenge
from tests.fakesite import FakeSite
from tests.site.test_client_fakesite import make_client, page_requests

LOOKALIKES = {"just-a-moment": "Just a moment...", "ddos-guard": "DDoS-Guard",
              "attention-required": "Attention Required! | Cloudflare"}


@pytest.fixture
def lookalikes(fakesite: FakeSite) -> FakeSite:
    """The stand-in with series titled like challenge pages (catalogue reset after the test)."""
    template = fakesite.catalog.series("sternenstaub")
    for slug, title in LOOKALIKES.items():
        fakesite.catalog.put_series(replace(template, slug=slug, title=title))
    return fakesite


@pytest.mark.parametrize("slug", LOOKALIKES)
def test_series_named_like_a_challenge_loads(lookalikes: FakeSite, slug: str) -> None:
    with make_client(lookalikes) as client:
        assert client.series(slug).title == LOOKALIKES[slug]
        assert slug in {result.key for result in client.search(LOOKALIKES[slug][:8])}
    assert len(page_requests(lookalikes)) >= 2  # no retries were needed


@pytest.mark.parametrize("status", [200, 403])
def test_ddos_guard_page_is_a_challenge_even_with_200(fakesite: FakeSite, status: int) -> None:
    fakesite.set_fault("ddos_guard", status=status)
    with make_client(fakesite) as client, pytest.raises(SiteChallenge, match="DDoS-Guard"):
        client.series("dr-who-s-cat")
