"""SiteClient with the serienstream V2 engine, end to end over HTTP against the s.to stand-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.errors import (
    CaptchaRequired,
    HosterLinkExpired,
    PlayGateRequired,
    SiteNotFound,
    SiteRateLimited,
)
from aniworld.site.types import SeriesInfo
from tests.fakesite.content import STO_LONG_SLUG, STO_V2

TRANSPORTS = ["impersonate", "requests"]
DE, EN, SUB = Language.GERMAN_DUB, Language.ENGLISH_DUB, Language.GERMAN_SUB


def sto_client(fakesite: Any, url: str | None = None, **overrides: Any) -> SiteClient:
    """A V2 client for the s.to stand-in with no spacing and fast back-off."""
    options: dict[str, Any] = {
        "base_url": url or fakesite.sto_url, "engine": "serienstream", "min_interval": 0.0,
        "backoff_base": 0.01, "timeout": 3.0,
    }
    options.update(overrides)
    return SiteClient(SiteSettings(**options))


def plays(fakesite: Any) -> list[Any]:
    """The /r requests the s.to stand-in answered."""
    return fakesite.requests_to("/r", server="sto")


@pytest.mark.parametrize("escaped", [False, True])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_search_reads_suggest_api_and_search_page(fakesite: Any, transport: str,
                                                  escaped: bool) -> None:
    """Both series, names from the API (entities or not), covers from /suche, XHR headers."""
    fakesite.sto.modes.escaped_suggest = escaped
    with sto_client(fakesite, transport=transport) as client:
        results = client.search("Demo Serie")
    assert [(r.key, r.title) for r in results] == [
        ("demo-serie", "Demo Serie"), ("demo-serie-reboot-rache", "Demo Serie: Reboot & Rache"),
    ]
    assert all(r.url == f"{fakesite.sto_url}/serie/{r.key}" for r in results)
    assert all(r.cover and r.cover.startswith(f"{fakesite.sto_url}/media/images/channel/")
               for r in results)
    [suggest] = fakesite.requests_to("/api/search/suggest", server="sto")
    assert suggest.headers.get("X-Requested-With") == "XMLHttpRequest"
    assert len(fakesite.requests_to("/suche", server="sto")) == 1


def test_series_with_seasons_films_and_upcoming_row(fakesite: Any) -> None:
    """Seasons 0 (films), 1, 2; the upcoming episode 4 of season 1 is not listed."""
    with sto_client(fakesite) as client:
        info = client.series("demo-serie")
        assert (info.title, info.start_year, info.seasons) == ("Demo Serie", 2019, [0, 1, 2])
        assert info.description == fakesite.catalog.series("demo-serie", STO_V2).description
        films = client.season("demo-serie", 0)
        season_1 = client.season("demo-serie", 1)
        season_2 = client.season("demo-serie", 2)
    assert [(f.number, f.title_de, f.languages) for f in films] == [
        (1, "Demo Serie: Der Film", frozenset({DE})), (2, "Weihnachtsspecial", frozenset({EN})),
    ]
    assert [(e.number, e.languages) for e in season_1] == [
        (1, frozenset({DE, EN, SUB})), (2, frozenset({SUB})), (3, frozenset({DE})),
    ]
    assert [e.title_en for e in season_2] == ["Return", "O'Brien's Plan"]
    assert season_1[0].url == f"{fakesite.sto_url}/serie/demo-serie/staffel-1/episode-1"
    paths = [r.path for r in fakesite.requests_to("/serie/", server="sto")]
    assert paths == ["/serie/demo-serie", "/serie/demo-serie/staffel-0",
                     "/serie/demo-serie/staffel-1", "/serie/demo-serie/staffel-2"]


def test_long_series_costs_seasons_plus_one_requests(fakesite: Any) -> None:
    """20 seasons of 25 episodes: the series page and one page per season, nothing else."""
    truth = fakesite.catalog.series(STO_LONG_SLUG, STO_V2)
    with sto_client(fakesite) as client:
        info = client.series(STO_LONG_SLUG)
        counts = [len(client.season(STO_LONG_SLUG, number)) for number in info.seasons]
    assert info.seasons == truth.season_numbers == list(range(1, 21))
    assert counts == [25] * 20
    assert len(fakesite.logs["sto"].snapshot()) == len(info.seasons) + 1


@pytest.mark.parametrize("mode", ["404", "season-1"])
def test_unknown_season_or_series_is_not_found(fakesite: Any, mode: str) -> None:
    """[inf] an unknown season answers 404 or season 1's page: SiteNotFound either way."""
    fakesite.sto.modes.unknown_season = mode
    with sto_client(fakesite) as client:
        with pytest.raises(SiteNotFound):
            client.season("demo-serie", 7)
        with pytest.raises(SiteNotFound):
            client.series("no-such-series")


def test_episode_hosters_resolve_to_hoster_embeds(fakesite: Any) -> None:
    """Each /r?t= button redirects (302) to an embed on the hoster host, which serves it."""
    with sto_client(fakesite) as client:
        hosters = client.episode_hosters("demo-serie", 1, 1)
        assert [(h.hoster, h.language) for h in hosters.hosters] == [
            ("VOE", DE), ("Vidoza", DE), ("Doodstream", SUB), ("VOE", EN),
        ]
        for link in hosters.hosters:
            embed = client.resolve_redirect(link.redirect_url)
            assert urlsplit(embed).netloc == urlsplit(fakesite.hoster_url).netloc
            assert requests.get(embed, timeout=5).status_code == 200
        again = client.episode_hosters("demo-serie", 1, 1)
    assert {h.redirect_url for h in again.hosters}.isdisjoint(
        {h.redirect_url for h in hosters.hosters})  # a fresh token per page view
    assert len(plays(fakesite)) == 4


def test_upcoming_episode_has_no_hosters(fakesite: Any) -> None:
    """The "Demnächst" episode's page exists but offers nothing."""
    with sto_client(fakesite) as client:
        assert client.episode_hosters("demo-serie", 1, 4).hosters == []


def test_gate_is_a_play_gate_error_without_retries(fakesite: Any) -> None:
    """Gate mode: /r answers 200 on s.to; one request, PlayGateRequired naming the link."""
    with sto_client(fakesite) as client:
        link = client.episode_hosters("demo-serie", 1, 1).hosters[0]
        fakesite.sto.modes.gate = True
        with pytest.raises(PlayGateRequired) as caught:
            client.resolve_redirect(link.redirect_url)
    assert isinstance(caught.value, CaptchaRequired)
    assert caught.value.url == link.redirect_url and "Stream wird vorbereitet" in str(caught.value)
    assert [r.status for r in plays(fakesite)] == [200]


def test_rapid_play_requests_trip_the_rate_gate(fakesite: Any) -> None:
    """More than 2 /r within the window gate every further /r for 60 s, then links resolve."""
    fakesite.sto.modes.rate_gate = (2, 60.0, 60.0)
    # Without the client's hold, to see the gate itself (the hold is tested below).
    with sto_client(fakesite, challenge_cooldown=0) as client:
        links = client.episode_hosters("demo-serie", 1, 1).hosters
        client.resolve_redirect(links[0].redirect_url)
        client.resolve_redirect(links[1].redirect_url)
        for link in links[2:]:
            with pytest.raises(PlayGateRequired):
                client.resolve_redirect(link.redirect_url)
        fakesite.sto.advance(61.0)
        fresh = client.episode_hosters("demo-serie", 1, 1).hosters[0]
        embed = client.resolve_redirect(fresh.redirect_url)
    assert urlsplit(embed).netloc == urlsplit(fakesite.hoster_url).netloc
    assert [r.status for r in plays(fakesite)] == [302, 302, 200, 200, 302]


def test_play_gate_holds_the_site_instead_of_asking_per_link(fakesite: Any) -> None:
    """After the gate the client pauses s.to: the next links are not requested at all."""
    fakesite.sto.modes.rate_gate = (2, 60.0, 60.0)
    with sto_client(fakesite) as client:
        links = client.episode_hosters("demo-serie", 1, 1).hosters
        client.resolve_redirect(links[0].redirect_url)
        client.resolve_redirect(links[1].redirect_url)
        with pytest.raises(PlayGateRequired):
            client.resolve_redirect(links[2].redirect_url)
        with pytest.raises(SiteRateLimited, match="Stream wird vorbereitet"):
            client.resolve_redirect(links[3].redirect_url)
    assert [r.status for r in plays(fakesite)] == [302, 302, 200]


@pytest.mark.parametrize("garbled", [False, True])
def test_expired_or_garbled_token_is_an_expired_link(fakesite: Any, garbled: bool) -> None:
    """An expired (TTL 0) or unknown token answers 404: HosterLinkExpired, no retry."""
    fakesite.sto.modes.token_ttl = 0.0
    with sto_client(fakesite) as client:
        link = client.episode_hosters("demo-serie", 1, 1).hosters[0]
        url = link.redirect_url.replace("%3D", "") if garbled else link.redirect_url
        with pytest.raises(HosterLinkExpired) as caught:
            client.resolve_redirect(url)
    assert isinstance(caught.value, SiteNotFound)
    assert "load the episode's hoster list again" in str(caught.value)
    assert len(plays(fakesite)) == 1


def test_classic_link_ids_are_refused(fakesite: Any) -> None:
    """V2 has only /r?t= play links; a /redirect/<id> never reaches the network."""
    with sto_client(fakesite) as client:
        for value in ("12345", f"{fakesite.sto_url}/redirect/12345", "/r?t=", "/r?x=1"):
            with pytest.raises(ValidationError):
                client.resolve_redirect(value)
    assert fakesite.requests_to("/", server="sto") == []


def test_mirror_host_serves_the_same_series(fakesite: Any) -> None:
    """The second host name answers the same content (failover comes later)."""
    def strip(info: SeriesInfo, base: str) -> tuple[object, ...]:
        return (info.title, info.seasons, info.genres, (info.cover or "").removeprefix(base))

    with sto_client(fakesite) as client, \
            sto_client(fakesite, fakesite.sto_mirror_url) as mirror:
        primary = client.series("demo-serie")
        copy = mirror.series("demo-serie")
        hosters = mirror.episode_hosters("demo-serie", 2, 1).hosters
        assert urlsplit(mirror.resolve_redirect(hosters[0].redirect_url)).netloc == urlsplit(
            fakesite.hoster_url).netloc
    assert strip(primary, fakesite.sto_url) == strip(copy, fakesite.sto_mirror_url)
    assert fakesite.requests_to("/serie/", server="sto-mirror")
