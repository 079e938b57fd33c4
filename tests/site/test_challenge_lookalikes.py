"""Challenge detection over real HTTP (site-2026 §8, §9.35): check pages are caught, a series
whose name reads like one is not, and the site transport passes a non-browser block."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aniworld.site.errors import SiteChallenge
from tests.fakesite import FakeSite
from tests.fakesite.content import STO_V2
from tests.site.test_client_fakesite import TRANSPORTS, make_client, page_requests
from tests.site.test_client_sto import sto_client

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


def test_sto_series_named_like_a_challenge_loads(fakesite: FakeSite) -> None:
    """A V2 page titled "Just a moment..." (Cloudflare's script on it, §1.6) is content."""
    template = fakesite.catalog.series("demo-serie", STO_V2)
    fakesite.catalog.put_series(replace(template, slug="just-a-moment", title="Just a moment..."))
    with sto_client(fakesite) as client:
        assert client.series("just-a-moment").title == "Just a moment..."
        assert client.season("just-a-moment", 2)
    assert [r.status for r in fakesite.requests_to("/serie/", server="sto")] == [200, 200]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_browser_user_agent_passes_the_bot_block(fakesite: FakeSite, transport: str) -> None:
    """§9.35: the site refuses HTTP libraries' User-Agents; both transports send a browser's."""
    fakesite.set_fault("bot_block")
    with make_client(fakesite, transport=transport) as client:
        assert client.series("dr-who-s-cat").seasons == [1, 2]
        assert client.search("Drache")
        assert client.new_episodes()
    assert {r.status for r in page_requests(fakesite)} == {200}


def test_library_user_agent_is_refused_by_the_bot_block(fakesite: FakeSite) -> None:
    """The same stand-in refuses a client that announces itself as python-requests."""
    fakesite.set_fault("bot_block")
    with make_client(fakesite, user_agent="python-requests/2.32.3") as client, \
            pytest.raises(SiteChallenge, match="HTTP 403"):
        client.series("dr-who-s-cat")
