"""Mirror failover of the site client over real HTTP (site-2026 §1.1, §8, §9.10, §9.11): the
s.to stand-in answers on two loopback hosts plus an "IP" host that needs the site's name in
``Host``; a fault on the first host makes the client move to the second and remember it."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis

from aniworld.errors import ValidationError
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.errors import SiteNotFound
from aniworld.site.mirrors import SiteBase, parse_base
from tests.fakesite.sto_site import STO_HOST
from tests.site.test_challenge_lookalikes import LOOKALIKES, lookalikes  # noqa: F401
from tests.site.test_client_fakesite import make_client

# §9.11: a Cloudflare check page (403 or 503) on the first host only; a broken first host.
FAULTS = {"challenge": ("cloudflare", {}), "challenge_503": ("cloudflare", {"status": 503}),
          "server_error": ("status", {"status": 502})}


def closed_port_url() -> str:
    """A loopback URL nobody listens on (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def mirrored_client(fakesite: Any, first: str, connection: Any = None) -> SiteClient:
    """A V2 client preferring ``first`` with the stand-in's mirror host as fallback."""
    settings = SiteSettings(base_url=first, mirrors=(fakesite.sto_mirror_url,),
                            engine="serienstream", min_interval=0.0, backoff_base=0.01,
                            timeout=3.0)
    return SiteClient(settings, redis=connection)


def hits(fakesite: Any, server: str) -> int:
    """Requests one s.to stand-in host answered."""
    return len(fakesite.requests_to("/", server=server))


def assert_on_mirror(fakesite: Any, client: SiteClient) -> None:
    """Series, season and hoster links all point at the mirror host; the play link resolves."""
    mirror = fakesite.sto_mirror_url
    info = client.series("demo-serie", fresh=True)
    assert info.url == f"{mirror}/serie/demo-serie"
    assert info.cover and info.cover.startswith(mirror)
    episodes = client.season("demo-serie", 2)
    assert episodes and all(e.url.startswith(mirror) for e in episodes)
    hosters = client.episode_hosters("demo-serie", 2, 1).hosters
    assert hosters and all(h.redirect_url.startswith(mirror) for h in hosters)
    embed = client.resolve_redirect(hosters[0].redirect_url)
    assert urlsplit(embed).netloc == urlsplit(fakesite.hoster_url).netloc


@pytest.mark.parametrize("fault", FAULTS)
def test_fails_over_from_a_refusing_host_and_stays_there(fakesite: Any, fault: str) -> None:
    kind, options = FAULTS[fault]
    fakesite.set_fault(kind, server="sto", **options)
    with mirrored_client(fakesite, fakesite.sto_url) as client:
        assert client.series("demo-serie").url == f"{fakesite.sto_mirror_url}/serie/demo-serie"
        assert hits(fakesite, "sto") == 1  # one answer was enough to move on, no retries
        assert client.base_url == fakesite.sto_mirror_url
        assert_on_mirror(fakesite, client)
    assert hits(fakesite, "sto") == 1  # later requests went straight to the mirror
    assert hits(fakesite, "sto-mirror") >= 5


def test_fails_over_from_a_closed_port(fakesite: Any) -> None:
    with mirrored_client(fakesite, closed_port_url()) as client:
        assert_on_mirror(fakesite, client)
        assert client.base_url == fakesite.sto_mirror_url


def test_the_working_mirror_is_shared_through_redis(fakesite: Any, redis_url: str) -> None:
    fakesite.set_fault("cloudflare", server="sto")
    conns = [redis.Redis.from_url(redis_url) for _ in range(2)]
    with mirrored_client(fakesite, fakesite.sto_url, conns[0]) as first:
        first.series("demo-serie")
    with mirrored_client(fakesite, fakesite.sto_url, conns[1]) as second:
        assert second.base_url == fakesite.sto_mirror_url  # known before its first request
        assert second.search("Demo Serie")[0].url.startswith(fakesite.sto_mirror_url)
    assert hits(fakesite, "sto") == 1
    for conn in conns:
        conn.close()


def test_preferred_host_is_used_while_it_answers(fakesite: Any) -> None:
    with mirrored_client(fakesite, fakesite.sto_url) as client:
        client.series("demo-serie")
        client.search("Demo Serie")
    assert hits(fakesite, "sto") >= 3 and hits(fakesite, "sto-mirror") == 0


def test_not_found_does_not_fail_over(fakesite: Any) -> None:
    with mirrored_client(fakesite, fakesite.sto_url) as client, pytest.raises(SiteNotFound):
        client.series("gibt-es-nicht")
    assert hits(fakesite, "sto-mirror") == 0


@pytest.mark.parametrize("slug", LOOKALIKES)
def test_page_titled_like_a_challenge_does_not_fail_over(lookalikes: Any,  # noqa: F811
                                                        slug: str) -> None:
    """A content page whose title reads like a check page stays on the preferred host."""
    with make_client(lookalikes, mirrors=(closed_port_url(),)) as client:
        assert client.series(slug).title == LOOKALIKES[slug]
        assert client.base_url == lookalikes.url


def test_ip_form_sends_the_host_name(fakesite: Any) -> None:
    """§9.10: ``http://<ip>#<name>`` connects to the address and names the site in ``Host``;
    the stand-in's IP host answers nothing else."""
    settings = SiteSettings(base_url=closed_port_url(), mirrors=(fakesite.sto_ip_base,),
                            engine="serienstream", min_interval=0.0, backoff_base=0.01,
                            timeout=3.0)
    with SiteClient(settings) as client:
        info = client.series("demo-serie")
        hosters = client.episode_hosters("demo-serie", 1, 1).hosters
        assert hosters[0].redirect_url.startswith(fakesite.sto_ip_url)
        embed = client.resolve_redirect(hosters[0].redirect_url)
        assert urlsplit(embed).netloc == urlsplit(fakesite.hoster_url).netloc
        assert client.calendar()
    assert info.url == f"{fakesite.sto_ip_url}/serie/demo-serie"
    records = fakesite.logs["sto-ip"].snapshot()
    assert len(records) == 4 and all(r.headers.get("Host") == STO_HOST for r in records)
    assert all(r.status in (200, 302) for r in records)


def test_ip_form_without_the_host_name_is_refused(fakesite: Any) -> None:
    """The bare address reaches the IP host's default site, which knows no series."""
    settings = SiteSettings(base_url=fakesite.sto_ip_url, engine="serienstream",
                            min_interval=0.0, timeout=3.0)
    with SiteClient(settings) as client, pytest.raises(SiteNotFound):
        client.series("demo-serie")


def test_calendar_fails_over_with_the_mirror_as_referer(fakesite: Any) -> None:
    """The calendar API's Referer names the host that is asked, also after a failover."""
    fakesite.set_fault("cloudflare", server="sto", status=503)
    with mirrored_client(fakesite, fakesite.sto_url) as client:
        assert client.calendar()
        assert client.base_url == fakesite.sto_mirror_url
    [call] = fakesite.requests_to("/api/calendar", server="sto-mirror")
    assert call.status == 200
    assert call.headers.get("Referer") == f"{fakesite.sto_mirror_url}/serienkalender"


def test_base_syntax() -> None:
    assert parse_base("http://186.2.175.111#aniworld.to") == SiteBase(
        "http://186.2.175.111", "aniworld.to")
    assert parse_base(" https://aniworld.to/ ") == SiteBase("https://aniworld.to")
    settings = SiteSettings(mirrors=("https://aniworld.cc/", "http://186.2.175.111#Aniworld.to"))
    assert settings.mirrors == ("https://aniworld.cc", "http://186.2.175.111#aniworld.to")
    for bad in ("aniworld.to", "http://1.2.3.4#a/b", "https://aniworld.to/anime"):
        with pytest.raises(ValidationError):
            parse_base(bad)
    with pytest.raises(ValidationError):
        SiteSettings(mirrors=("ftp://aniworld.cc",))
