"""One client per site for a round: opened on first use, closed at the end, stopped alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from aniworld.errors import ValidationError
from aniworld.site import SiteChallenge, SiteClient, SiteNotFound
from aniworld.sites import ANIWORLD, STO
from aniworld.tasks.site_clients import SiteClients, SiteStopped


class Named(str):
    """A stand-in client: its name, and no requests sent."""

    requests_sent = 0


class Opened:
    """A factory of stand-in clients that records what was opened and closed."""

    def __init__(self, refuse: str = "") -> None:
        self.events: list[str] = []
        self.refuse = refuse

    @contextmanager
    def __call__(self, site: str) -> Iterator[Any]:
        if site == self.refuse:
            raise ValidationError("proxy must be a URL", "sto_proxy")
        self.events.append(f"open {site}")
        yield Named(f"client of {site}")
        self.events.append(f"close {site}")


def test_each_site_is_opened_once_when_first_needed_and_closed_at_the_end() -> None:
    opened = Opened()
    with SiteClients(opened) as sites:
        assert opened.events == []
        assert sites.get(STO) == "client of sto"
        assert sites.get(STO) == "client of sto"
        assert opened.events == ["open sto"]
    assert opened.events == ["open sto", "close sto"]


def test_a_refusal_stops_only_that_site() -> None:
    def refused(client: SiteClient) -> None:
        raise SiteChallenge()

    with SiteClients(Opened()) as sites:
        with pytest.raises(SiteStopped, match="^S.to: .*browser check") as stopped:
            sites.call(STO, refused)
        assert stopped.value.site == STO and sites.stopped(STO)
        with pytest.raises(SiteStopped):
            sites.get(STO)  # no further request for the rest of the round
        assert sites.call(ANIWORLD, lambda client: client) == "client of aniworld"
        message = str(sites.message)
        assert message.startswith("S.to: ") and "AniWorld" not in message


def test_only_the_stopping_errors_stop_a_site() -> None:
    def missing(client: SiteClient) -> None:
        raise SiteNotFound()

    with SiteClients(Opened()) as sites:
        with pytest.raises(SiteNotFound):
            sites.call(ANIWORLD, missing, stopping=SiteChallenge)
        assert not sites.stopped(ANIWORLD) and sites.message == ""


def test_unusable_settings_or_an_unknown_site_stop_that_site() -> None:
    with SiteClients(Opened(refuse=STO)) as sites:
        with pytest.raises(SiteStopped, match="settings cannot be used .proxy must be a URL."):
            sites.get(STO)
        assert sites.stopped(STO) and sites.get(ANIWORLD) == "client of aniworld"
        with pytest.raises(SiteStopped, match="unknown site"):
            sites.get("netflix")


def test_requests_count_what_the_round_sent_to_each_site() -> None:
    used = Named("client of aniworld")
    used.requests_sent = 5  # a client the factory had handed out before the round

    @contextmanager
    def factory(site: str) -> Iterator[Any]:
        yield used

    with SiteClients(factory) as sites:
        assert sites.requests(ANIWORLD) == 0
        sites.get(ANIWORLD)
        used.requests_sent += 3
        assert (sites.requests(ANIWORLD), sites.requests(STO)) == (3, 0)
