"""Monitoring across aniworld.to and s.to: each site's feed, each series on its own site,
faults kept apart."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, Series
from aniworld.services.settings import AppSettings
from aniworld.site import SiteClient
from aniworld.sites import ANIWORLD, STO
from aniworld.tasks import monitor
from tests.fakesite.content import STO_V2
from tests.fakesite.languages import GERMAN_DUB, GERMAN_SUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import ClientFactory, add_from_site, make_client
from tests.services.library.monitor_helpers import only_new, paths

BLAU = "blauer-mond"  # on both sites: aniworld's anime and s.to's live-action series


def monitor_on(sessions: sessionmaker[Session], fakesite: FakeSite, site: str,
               key: str) -> int:
    """Add a series of ``site`` from the stand-in, monitored for new episodes; returns its id."""
    with make_client(fakesite, site) as client:
        return only_new(sessions, add_from_site(sessions, client, key))


def queued(sessions: sessionmaker[Session]) -> list[tuple[str, str, int, int, Language]]:
    """(site, key, season, episode, language) of every queue item."""
    with sessions() as session:
        rows = session.execute(
            select(Series.site, Series.key, DownloadItem.season, DownloadItem.episode,
                   DownloadItem.language).join(Series).order_by(Series.site, DownloadItem.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def counting(fakesite: FakeSite, opened: list[str]) -> ClientFactory:
    """Fresh stand-in clients that note which sites were opened."""

    def open_client(site: str) -> AbstractContextManager[SiteClient]:
        opened.append(site)
        return make_client(fakesite, site)

    return open_client


def test_series_of_both_sites_with_one_slug_are_checked_on_their_own_site(
        sessions: sessionmaker[Session], fakesite: FakeSite) -> None:
    monitor_on(sessions, fakesite, ANIWORLD, BLAU)
    monitor_on(sessions, fakesite, STO, BLAU)
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    fakesite.release(BLAU, 1, languages=[GERMAN_DUB], site=STO_V2)
    fakesite.clear_requests()
    opened: list[str] = []

    summary = monitor.run_monitor_round(sessions, counting(fakesite, opened), AppSettings())

    assert (summary.series, summary.checked, summary.new, summary.queued) == (2, 2, 2, 2)
    assert sorted(opened) == [ANIWORLD, STO]  # one client per site
    assert queued(sessions) == [(ANIWORLD, BLAU, 1, 4, Language.GERMAN_SUB),
                                (STO, BLAU, 1, 3, Language.GERMAN_DUB)]
    # Per site its feed, then the season the feed named.
    assert paths(fakesite) == ["/neue-episoden", f"/anime/stream/{BLAU}/staffel-1"]
    assert paths(fakesite, "sto") == ["/api/calendar", f"/serie/{BLAU}/staffel-1"]
    assert [(site.site, site.requests, site.feed_entries > 0) for site in summary.sites] == [
        (ANIWORLD, 2, True), (STO, 2, True)]


def test_only_the_sites_of_monitored_series_are_opened(
        sessions: sessionmaker[Session], fakesite: FakeSite) -> None:
    monitor_on(sessions, fakesite, STO, "demo-serie")
    fakesite.release("demo-serie", 2, languages=[GERMAN_DUB], site=STO_V2)
    opened: list[str] = []
    summary = monitor.run_monitor_round(sessions, counting(fakesite, opened), AppSettings())
    assert (summary.checked, summary.queued, opened) == (1, 1, [STO])


def test_challenge_on_sto_ends_only_its_part_of_the_round(
        sessions: sessionmaker[Session], fakesite: FakeSite) -> None:
    for key in ("demo-serie", BLAU, "demo-serie-reboot-rache"):
        monitor_on(sessions, fakesite, STO, key)
    aniworld = monitor_on(sessions, fakesite, ANIWORLD, BLAU)
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    fakesite.clear_requests()
    fakesite.set_fault("cloudflare", server="sto")

    summary = monitor.run_monitor_round(sessions, counting(fakesite, []), AppSettings())

    assert (summary.series, summary.checked, summary.queued) == (4, 1, 1)
    assert summary.stopped.startswith("S.to: ") and "browser check" in summary.stopped
    assert "Stopped early: S.to: " in summary.message
    assert queued(sessions) == [(ANIWORLD, BLAU, 1, 4, Language.GERMAN_SUB)]
    # s.to was asked for its feed only (the client's one retry after a challenge included).
    assert set(paths(fakesite, "sto")) == {"/api/calendar"}
    assert [(site.site, site.checked, bool(site.stopped)) for site in summary.sites] == [
        (ANIWORLD, 1, False), (STO, 0, True)]
    with sessions() as session:
        assert session.get(Series, aniworld).refreshed_at is not None


def test_unusable_sto_settings_skip_sto_and_say_so(
        sessions: sessionmaker[Session], fakesite: FakeSite) -> None:
    monitor_on(sessions, fakesite, STO, BLAU)
    monitor_on(sessions, fakesite, ANIWORLD, BLAU)
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])

    def refuse_sto(site: str) -> AbstractContextManager[SiteClient]:
        if site == STO:
            raise ValidationError("proxy must be a URL like http://host:3128", "sto_proxy")
        return make_client(fakesite, site)

    summary = monitor.run_monitor_round(sessions, refuse_sto, AppSettings())

    assert (summary.checked, summary.queued) == (1, 1)
    assert summary.stopped == ("S.to: the site settings cannot be used (proxy must be a URL "
                               "like http://host:3128); fix them in Settings")
