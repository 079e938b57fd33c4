"""What a monitoring round reads: each site's feed once, the seasons it names, the series due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import Episode, Series, utcnow
from aniworld.services.library import monitoring
from aniworld.services.library.monitor_plan import full_share, plan_site
from aniworld.services.settings import AppSettings
from aniworld.site import FeedEntry, SiteClient
from aniworld.sites import ANIWORLD
from aniworld.tasks import monitor
from tests.fakesite.languages import GERMAN_SUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import ClientFactory, add_from_site, add_series, stand_in
from tests.services.library.monitor_helpers import only_new, paths

BLAU, ROT, STILL, WILD = "blauer-drache", "roter-drache", "stiller-drache", "wilder-drache"


@pytest.fixture
def sites(fakesite: FakeSite, client: SiteClient) -> ClientFactory:
    """What a round takes: the test's aniworld client and a fresh one for s.to."""
    return stand_in(fakesite, client)


def last_read(sessions: sessionmaker[Session], series_id: int, hours_ago: float) -> None:
    """Pretend the series was last read in full ``hours_ago`` hours ago."""
    with sessions() as session:
        session.get(Series, series_id).refreshed_at = utcnow() - timedelta(hours=hours_ago)
        session.commit()


def read_in_full(key: str) -> list[str]:
    """The pages a full read of a one-season stand-in series asks for."""
    return [f"/anime/stream/{key}", f"/anime/stream/{key}/staffel-1"]


def test_a_release_costs_the_feed_and_the_season_it_names(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    blau = only_new(sessions, add_from_site(sessions, client, BLAU))
    # In the feed too (their latest episodes), but with nothing the database lacks.
    for key in (ROT, STILL):
        add_from_site(sessions, client, key)
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    fakesite.clear_requests()

    summary = monitor.run_monitor_round(sessions, sites, AppSettings())

    assert paths(fakesite) == ["/neue-episoden", f"/anime/stream/{BLAU}/staffel-1"]
    assert (summary.series, summary.checked, summary.new, summary.queued) == (3, 1, 1, 1)
    assert summary.requests == 2 and summary.feed_entries > 0
    with sessions() as session:
        status = monitoring.load_status(session).as_dict()
        assert 4 in {e.number for e in session.get(Series, blau).episodes}
    assert (status["checked"], status["requests"], status["queued"]) == (1, 2, 1)
    assert status["sites"][ANIWORLD]["named"] == 1 and status["sites"][ANIWORLD]["due"] == 0
    assert "with 2 request(s)" in status["message"] and not status["failed"]


def test_a_due_series_is_read_in_full_and_counts_from_then(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    add_from_site(sessions, client, BLAU)
    rot = add_from_site(sessions, client, ROT)
    last_read(sessions, rot, 25)
    fakesite.clear_requests()

    summary = monitor.run_monitor_round(sessions, sites, AppSettings())

    assert paths(fakesite) == ["/neue-episoden", *read_in_full(ROT)]
    assert (summary.checked, summary.sites[0].due, summary.sites[0].named) == (1, 1, 0)
    fakesite.clear_requests()
    monitor.run_monitor_round(sessions, sites, AppSettings())
    assert paths(fakesite) == ["/neue-episoden"]


def test_due_series_are_spread_over_the_rounds_oldest_first(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    ages = {BLAU: 30, ROT: 40, STILL: 26, WILD: 35}
    for key, hours in ages.items():
        last_read(sessions, add_from_site(sessions, client, key), hours)
    # Rounds every 6 h, full reads every 24 h: a quarter of the series per round.
    settings = AppSettings(monitor_interval_hours=6, monitor_full_refresh_hours=24)
    for oldest in (ROT, WILD):
        fakesite.clear_requests()
        monitor.run_monitor_round(sessions, sites, settings)
        assert paths(fakesite) == ["/neue-episoden", *read_in_full(oldest)]


def test_a_series_gone_from_the_site_does_not_block_the_others_full_reads(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    gone = store_series(sessions, "vom-netz-genommen")  # the stand-in answers 404
    last_read(sessions, gone, 50)
    for key, hours in {BLAU: 30, ROT: 40, STILL: 26, WILD: 35}.items():
        last_read(sessions, add_from_site(sessions, client, key), hours)
    settings = AppSettings(monitor_interval_hours=6, monitor_full_refresh_hours=24)
    # Five monitored series, rounds every 6 h, full reads every 24 h: two full reads a round.
    fakesite.clear_requests()
    first = monitor.run_monitor_round(sessions, sites, settings)
    assert first.failed == 1  # the oldest, tried and gone
    assert "/anime/stream/vom-netz-genommen" in paths(fakesite)
    fakesite.clear_requests()
    monitor.run_monitor_round(sessions, sites, settings)
    # The next oldest, not the gone one again (before, it took a place in every round).
    assert sorted(paths(fakesite)) == sorted(["/neue-episoden", *read_in_full(WILD),
                                              *read_in_full(BLAU)])


@pytest.mark.parametrize(("monitored", "interval", "full", "share"), [
    (300, 6, 24, 75), (300, 1, 24, 13), (10, 6, 168, 1), (3, 48, 24, 3), (300, 0, 24, 300),
    (1, 6, 24, 1)])
def test_full_share_spreads_the_series_over_one_full_interval(
        monitored: int, interval: int, full: int, share: int) -> None:
    settings = AppSettings(monitor_interval_hours=interval, monitor_full_refresh_hours=full)
    assert full_share(monitored, settings) == share


def test_an_unreadable_feed_falls_back_to_the_due_series(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    only_new(sessions, add_from_site(sessions, client, BLAU))
    rot = only_new(sessions, add_from_site(sessions, client, ROT))
    last_read(sessions, rot, 25)
    fakesite.release(BLAU, 1)
    fakesite.clear_requests()
    fakesite.set_fault("status", prefix="/neue-episoden", status=404)  # the feed moved

    summary = monitor.run_monitor_round(sessions, sites, AppSettings())

    assert paths(fakesite) == ["/neue-episoden", *read_in_full(ROT)]
    assert (summary.checked, summary.queued) == (1, 0) and summary.sites[0].feed_error
    with sessions() as session:
        status = monitoring.load_status(session)
    assert status.failed and "New-episodes feed unreadable" in status.message
    assert "AniWorld: " in status.message

    fakesite.clear_faults()
    assert monitor.run_monitor_round(sessions, sites, AppSettings()).queued == 1


def feed_entry(key: str, season: int, episode: int, *languages: Language) -> FeedEntry:
    """A releases-feed entry of the aniworld stand-in."""
    return FeedEntry(key=key, title=key, season=season, episode=episode,
                     languages=frozenset(languages), url=f"/anime/stream/{key}", site=ANIWORLD)


def store_series(sessions: sessionmaker[Session], key: str, monitored: bool = True,
                 **fields: object) -> int:
    """A series read an hour ago, with S01E01 in German Sub; returns its id."""
    series_id = add_series(sessions, title=key.title(), key=key, monitored=monitored,
                           refreshed_at=utcnow() - timedelta(hours=1), **fields)
    with sessions() as session:
        session.add(Episode(series_id=series_id, season=1, number=1, languages="german-sub"))
        session.commit()
    return series_id


def test_the_plan_reads_only_what_the_feed_names_as_new(
        sessions: sessionmaker[Session]) -> None:
    same, dub, english, later, quiet = (store_series(sessions, key) for key in (
        "same", "dub", "english", "later", "quiet"))
    store_series(sessions, "unwatched", monitored=False)
    with sessions() as session:
        session.get(Series, english).language_order = "german-sub"  # English is never wanted
        session.commit()
    feed = [feed_entry("same", 1, 1, Language.GERMAN_SUB),  # seen and stored: old
            feed_entry("dub", 1, 1, Language.GERMAN_SUB, Language.GERMAN_DUB),  # a new language
            feed_entry("english", 1, 1, Language.ENGLISH_DUB),  # a language not in its order
            feed_entry("later", 3, 2, Language.GERMAN_SUB),  # a new season
            feed_entry("unwatched", 1, 2, Language.GERMAN_SUB),  # not monitored
            feed_entry("elsewhere", 1, 1, Language.GERMAN_SUB)]  # not in the library

    with sessions() as session:
        plan = plan_site(session, ANIWORLD, feed, AppSettings())

    assert {(t.id, t.seasons) for t in plan.targets} == {(dub, frozenset({1})),
                                                        (later, frozenset({3}))}
    assert (plan.monitored, plan.named, plan.due) == (5, 2, 0)
    assert same and quiet  # in the library, monitored, not read


def test_without_a_feed_the_plan_reads_the_due_series_only(
        sessions: sessionmaker[Session]) -> None:
    store_series(sessions, "fresh")
    old = store_series(sessions, "old")
    never = add_series(sessions, title="Never", monitored=True)
    last_read(sessions, old, 100)
    with sessions() as session:
        plan = plan_site(session, ANIWORLD, None, AppSettings(monitor_interval_hours=0))
    # Never read comes first; both are read in full.
    assert [(t.id, t.seasons) for t in plan.targets] == [(never, None), (old, None)]
