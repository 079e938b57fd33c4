"""SiteClient.image: covers as bytes through the client's own transport, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from aniworld.covers import check_image
from aniworld.errors import ValidationError
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.errors import SiteChallenge, SiteNotFound
from tests.fakesite.covers import JPEG

TRANSPORTS = ["impersonate", "requests"]
KEY = "kaempfer-des-lichts-die-rueckkehr"


def client_for(fakesite: Any, **overrides: Any) -> SiteClient:
    options: dict[str, Any] = {"base_url": fakesite.url, "min_interval": 0.0,
                               "backoff_base": 0.01, "timeout": 3.0}
    options.update(overrides)
    return SiteClient(SiteSettings(**options))


def cover_requests(fakesite: Any, server: str = "site") -> list[Any]:
    return [r for r in fakesite.requests_to("/", server=server)
            if r.path.startswith(("/public/img/cover/", "/media/images/"))]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_aniworld_cover_arrives_as_the_image_bytes(fakesite: Any, transport: str) -> None:
    with client_for(fakesite, transport=transport) as client:
        cover = client.series(KEY).cover
        assert cover is not None
        image = client.image(cover, KEY)
    assert image.data == JPEG and image.content_type == "image/jpeg"
    assert check_image(image.data) == "jpg"
    [request] = cover_requests(fakesite)
    # Sent like the browser's <img> on the series page.
    assert request.headers["Sec-Fetch-Dest"] == "image"
    assert request.headers["Referer"] == f"{fakesite.url}/anime/stream/{KEY}"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_sto_cover_is_the_jpeg_form(fakesite: Any, transport: str) -> None:
    with client_for(fakesite, base_url=fakesite.sto_url, engine="serienstream",
                    transport=transport) as client:
        cover = client.series("demo-serie").cover
        assert cover is not None and cover.endswith("?format=jpg")
        assert client.image(cover, "demo-serie").data == JPEG
    assert len(cover_requests(fakesite, "sto")) == 1


def test_an_address_off_the_site_is_refused_before_any_request(fakesite: Any) -> None:
    with client_for(fakesite) as client, pytest.raises(ValidationError, match="own hosts"):
        client.image(f"{fakesite.hoster_url}/public/img/cover/x.jpg")
    assert fakesite.requests == [] and fakesite.hoster_requests == []


def test_a_redirect_off_the_site_is_not_followed(fakesite: Any) -> None:
    with client_for(fakesite) as client:
        link = client.episode_hosters(KEY, 1, 1).hosters[0]
        with pytest.raises(ValidationError, match="own hosts"):
            client.image(link.redirect_url)
    assert fakesite.hoster_requests == []


def test_unknown_cover_and_a_challenge_are_typed(fakesite: Any) -> None:
    with client_for(fakesite, challenge_cooldown=0) as client:
        cover = client.series(KEY).cover
        assert cover is not None
        with pytest.raises(SiteNotFound):
            client.image(cover.replace("_220x330", "x_220x330"))
        fakesite.set_fault("cloudflare", prefix="/public/img/cover/")
        with pytest.raises(SiteChallenge):
            client.image(cover)
