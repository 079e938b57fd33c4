"""Monitoring: when a round is due, and what a round queues, against the stand-in over HTTP.

The feed-driven choice of what a round reads is in ``test_monitor_feed.py``, the per-series
options (scope, films, language order) in ``test_monitor_options.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import Episode, Series
from aniworld.services import queue as queue_service
from aniworld.services.library import monitoring
from aniworld.services.settings import AppSettings
from aniworld.site import SiteClient
from aniworld.tasks import monitor
from tests.fakesite.languages import ENGLISH_SUB, GERMAN_DUB, GERMAN_SUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import ClientFactory, add_from_site, add_series, stand_in
from tests.services.library.monitor_helpers import items_of, only_new, paths, put_on_disk

BLAU, ROT, STILL = "blauer-drache", "roter-drache", "stiller-drache"
SUB_FIRST = AppSettings(language_order=(Language.GERMAN_SUB, Language.GERMAN_DUB,
                                        Language.ENGLISH_SUB, Language.ENGLISH_DUB))
T0 = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sites(fakesite: FakeSite, client: SiteClient) -> ClientFactory:
    """What a round takes: the test's aniworld client and a fresh one for s.to."""
    return stand_in(fakesite, client)


def episode_keys(session: Session, series_id: int) -> set[tuple[int, int]]:
    """(season, number) of the series' stored episodes."""
    rows = session.execute(select(Episode.season, Episode.number)
                           .where(Episode.series_id == series_id))
    return {(season, number) for season, number in rows}


def test_released_episode_is_queued_once_in_the_preferred_language(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    blau = only_new(sessions, add_from_site(sessions, client, BLAU))
    rot = add_from_site(sessions, client, ROT, monitored=False)
    with sessions() as session:
        put_on_disk(session, blau, (1, 1))
        queue_service.add_item(session, session.get(Series, blau), 1, 2, Language.GERMAN_SUB)
        session.commit()  # episode 3 stays missing: an old gap, not "new episodes only"
    fakesite.release(BLAU, 1, languages=[GERMAN_DUB, GERMAN_SUB])
    fakesite.release(ROT, 1)
    fakesite.clear_requests()

    summary = monitor.run_monitor_round(sessions, sites, SUB_FIRST)

    assert (summary.series, summary.checked, summary.new, summary.queued) == (1, 1, 1, 1)
    with sessions() as session:
        assert items_of(session, blau) == [(1, 2, Language.GERMAN_SUB),
                                           (1, 4, Language.GERMAN_SUB)]
        assert (1, 4) in episode_keys(session, blau)
        # The unmonitored series was neither read nor touched.
        assert items_of(session, rot) == [] and (1, 4) not in episode_keys(session, rot)
        status = monitoring.load_status(session)
    assert not fakesite.requests_to(f"/anime/stream/{ROT}")
    assert status.finished_at and not status.failed and "1 queued" in status.message

    fakesite.clear_requests()
    again = monitor.run_monitor_round(sessions, sites, SUB_FIRST)

    # The feed still lists episode 4, but it is stored: only the feed was read.
    assert (again.checked, again.new, again.queued, again.requests) == (0, 0, 0, 1)
    assert paths(fakesite) == ["/neue-episoden"]
    with sessions() as session:
        assert len(items_of(session, blau)) == 2


def test_fresh_pages_are_read_despite_the_cache(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    blau = add_from_site(sessions, client, BLAU)  # leaves the season page in the cache
    with sessions() as session:
        put_on_disk(session, blau, (1, 1), (1, 2), (1, 3))
        session.commit()
    fakesite.release(BLAU, 1)
    assert monitor.run_monitor_round(sessions, sites, AppSettings()).queued == 1
    with sessions() as session:
        assert items_of(session, blau) == [(1, 4, Language.GERMAN_SUB)]


def test_new_episodes_on_disk_or_in_no_acceptable_language_are_not_queued(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    blau = only_new(sessions, add_from_site(sessions, client, BLAU))
    fakesite.release(BLAU, 1)  # episode 4, already downloaded by hand
    fakesite.release(BLAU, 1, languages=[ENGLISH_SUB])  # episode 5, not wanted
    fakesite.release(BLAU, 2, ("Neue Staffel", "New Season"), [GERMAN_SUB])  # season 2
    with sessions() as session:
        put_on_disk(session, blau, (1, 4))
        session.commit()
    german_only = AppSettings(language_order=(Language.GERMAN_SUB, Language.GERMAN_DUB))

    summary = monitor.run_monitor_round(sessions, sites, german_only)

    assert (summary.new, summary.queued) == (3, 1)
    with sessions() as session:
        assert items_of(session, blau) == [(2, 1, Language.GERMAN_SUB)]


@pytest.mark.parametrize(("scope", "queued"), [("new", 0), ("all", 3)])
def test_series_never_refreshed_is_a_baseline_for_new_episodes_only(
        sessions: sessionmaker[Session], sites: ClientFactory, scope: str, queued: int) -> None:
    # "New episodes only" must not take the back catalogue of a series never read;
    # "everything missing" takes it, that is what it means.
    series_id = add_series(sessions, title="Blauer Drache", monitored=True,
                           monitor_scope=scope, monitor_since=T0)
    summary = monitor.run_monitor_round(sessions, sites, AppSettings())
    assert (summary.checked, summary.new, summary.queued) == (1, 0, queued)
    with sessions() as session:
        assert episode_keys(session, series_id) == {(1, 1), (1, 2), (1, 3)}
        assert len(items_of(session, series_id)) == queued


def test_site_error_on_one_series_is_counted_and_the_round_goes_on(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    add_series(sessions, title="Aaa Gone", key="gibt-es-nicht", monitored=True,
               refreshed_at=T0)  # due for a full read: the site answers 404
    blau = only_new(sessions, add_from_site(sessions, client, BLAU))
    fakesite.release(BLAU, 1)

    summary = monitor.run_monitor_round(sessions, sites, AppSettings())

    assert (summary.series, summary.checked, summary.failed, summary.queued) == (2, 1, 1, 1)
    assert "1 series could not be read" in summary.message
    with sessions() as session:
        assert len(items_of(session, blau)) == 1


def test_challenge_stops_the_round_without_hammering(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        sites: ClientFactory) -> None:
    for key in (BLAU, ROT, STILL):
        add_from_site(sessions, client, key)
    fakesite.clear_requests()
    fakesite.set_fault("cloudflare")

    summary = monitor.run_monitor_round(sessions, sites, AppSettings())

    assert summary.checked == 0 and "browser check" in summary.stopped
    assert not fakesite.requests_to(f"/anime/stream/{ROT}")
    assert not fakesite.requests_to(f"/anime/stream/{STILL}")
    with sessions() as session:
        status = monitoring.load_status(session)
    assert status.failed and "Stopped early" in status.message


def test_nothing_monitored_reads_nothing(sessions: sessionmaker[Session], client: SiteClient,
                                         fakesite: FakeSite, sites: ClientFactory) -> None:
    add_from_site(sessions, client, BLAU, monitored=False)
    fakesite.clear_requests()
    summary = monitor.run_monitor_round(sessions, sites, AppSettings())
    assert summary.message == "No series is monitored." and not fakesite.requests


def test_interval_zero_is_never_due(session: Session) -> None:
    off = AppSettings(monitor_interval_hours=0)
    assert not monitoring.due(session, off, T0)
    assert not monitoring.due(session, off, T0 + timedelta(days=365))


def test_due_at_first_then_after_the_interval(session: Session) -> None:
    settings = AppSettings(monitor_interval_hours=6)
    assert monitoring.due(session, settings, T0)
    monitoring.mark_requested(session, T0)
    session.commit()
    assert not monitoring.due(session, settings, T0 + timedelta(hours=5, minutes=59))
    assert monitoring.due(session, settings, T0 + timedelta(hours=6))
    # A shorter interval takes effect at once.
    assert monitoring.due(session, AppSettings(monitor_interval_hours=1), T0 + timedelta(hours=1))


def test_a_round_started_later_counts_from_its_start(
        session: Session, sessions: sessionmaker[Session], sites: ClientFactory) -> None:
    monitoring.mark_requested(session, T0)
    session.commit()
    monitor.run_monitor_round(sessions, sites, AppSettings())  # starts now, long after T0
    session.expire_all()
    assert not monitoring.due(session, AppSettings(monitor_interval_hours=1))


def test_any_monitored(sessions: sessionmaker[Session]) -> None:
    add_series(sessions, title="Quiet")
    with sessions() as session:
        assert not monitoring.any_monitored(session)
    add_series(sessions, title="Watched", monitored=True)
    with sessions() as session:
        assert monitoring.any_monitored(session)


def test_failure_is_recorded_for_the_settings_page(sessions: sessionmaker[Session]) -> None:
    monitor.record_failure(sessions, "Monitoring cannot reach the site.")
    with sessions() as session:
        status = monitoring.load_status(session)
    assert status.failed and status.message == "Monitoring cannot reach the site."
    assert not status.running and status.last_round() is not None
