"""Vidmoly's "Please wait" page (site-2026 §5.2, §9.26): a passing state, not a broken extractor."""

from __future__ import annotations

import pytest
import requests

from aniworld.hosters import ExtractorOutdated, HosterUnavailable, resolve_stream
from aniworld.hosters.vidmoly import is_wait_page
from aniworld.site.transport import RequestsTransport
from tests.fakesite import FakeSite
from tests.fakesite.hosters import vidmoly as fake
from tests.hosters.helpers import USER_AGENT, embed_via_redirect, link_for


@pytest.fixture
def embed(fakesite: FakeSite) -> str:
    """Embed URL of the first Vidmoly link, as the site's redirect gives it."""
    return embed_via_redirect(fakesite, link_for(fakesite, "Vidmoly"))


@pytest.mark.parametrize("variant", ["wait", "forbidden"])
def test_wait_page_and_refusal_are_transient_hoster_errors(
    fakesite: FakeSite, transport: RequestsTransport, embed: str, variant: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fake.VARIANTS, link_for(fakesite, "Vidmoly").code, variant)
    with pytest.raises(HosterUnavailable) as caught:
        resolve_stream("Vidmoly", embed, transport, allow_private_hosts=True)
    assert caught.value.transient and "another hoster" in str(caught.value)
    if variant == "wait":
        assert "Please wait" in str(caught.value)


def test_outdated_player_is_still_reported_as_outdated(
    fakesite: FakeSite, transport: RequestsTransport, embed: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fake.VARIANTS, link_for(fakesite, "Vidmoly").code, "outdated")
    with pytest.raises(ExtractorOutdated):
        resolve_stream("Vidmoly", embed, transport, allow_private_hosts=True)


@pytest.mark.parametrize(
    ("headers", "player"),
    [({}, False), ({"Sec-Fetch-Dest": "iframe"}, True), ({"Referer": "http://x.example/"}, True),
     ({"Sec-Fetch-Dest": "document"}, False)],
)
def test_stand_in_serves_the_wait_page_outside_an_iframe(
    embed: str, headers: dict[str, str], player: bool
) -> None:
    page = requests.get(embed, headers={"User-Agent": USER_AGENT, **headers}, timeout=5)
    assert page.status_code == 200
    assert ("sources:" in page.text) is player
    assert is_wait_page(page.text) is not player


def test_a_player_that_mentions_waiting_is_not_a_wait_page() -> None:
    player = (
        '<title>demo.mp4</title><script>jwplayer().setup({sources: [{file:"https://x/m.m3u8"}]});'
        "// please wait for the ad</script>"
    )
    assert not is_wait_page(player)
