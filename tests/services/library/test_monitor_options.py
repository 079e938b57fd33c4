"""Per-series monitoring options in a round: scope, films, language order, pause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import Episode, Series, utcnow
from aniworld.services.settings import AppSettings
from aniworld.site import SiteClient
from aniworld.tasks import monitor
from tests.fakesite.languages import ENGLISH_SUB, GERMAN_DUB, GERMAN_SUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import ClientFactory, add_from_site, stand_in
from tests.services.library.monitor_helpers import (
    items_of,
    only_new,
    paths,
    put_on_disk,
    set_options,
)

BLAU = "blauer-drache"
SUB_FIRST = AppSettings(language_order=(Language.GERMAN_SUB, Language.GERMAN_DUB,
                                        Language.ENGLISH_SUB, Language.ENGLISH_DUB))


@pytest.fixture
def sites(fakesite: FakeSite, client: SiteClient) -> ClientFactory:
    """What a round takes: the test's aniworld client and a fresh one for s.to."""
    return stand_in(fakesite, client)


@pytest.fixture
def blau(sessions: sessionmaker[Session], client: SiteClient) -> int:
    """Blauer Drache (episodes 1-3 in German Sub), monitored, episode 1 on disk."""
    series_id = add_from_site(sessions, client, BLAU)
    with sessions() as session:
        put_on_disk(session, series_id, (1, 1))
        session.commit()
    return series_id


def test_everything_missing_takes_the_old_gaps_too(
        sessions: sessionmaker[Session], fakesite: FakeSite, sites: ClientFactory,
        blau: int) -> None:
    fakesite.release(BLAU, 1)
    summary = monitor.run_monitor_round(sessions, sites, SUB_FIRST)
    assert (summary.new, summary.queued) == (1, 3)
    with sessions() as session:
        assert [key[:2] for key in items_of(session, blau)] == [(1, 2), (1, 3), (1, 4)]


def test_new_episodes_only_takes_what_appeared_since_the_switch(
        sessions: sessionmaker[Session], fakesite: FakeSite, sites: ClientFactory,
        blau: int) -> None:
    only_new(sessions, blau)
    with sessions() as session:
        # Stored after the switch (a refresh while the series was not monitored, say).
        episode = session.scalars(select(Episode).where(Episode.series_id == blau,
                                                        Episode.number == 3)).one()
        episode.first_seen_at = session.get(Series, blau).monitor_since + timedelta(minutes=1)
        session.commit()
    fakesite.release(BLAU, 1)

    summary = monitor.run_monitor_round(sessions, sites, SUB_FIRST)

    assert (summary.new, summary.queued) == (1, 2)
    with sessions() as session:
        assert [key[:2] for key in items_of(session, blau)] == [(1, 3), (1, 4)]


@pytest.mark.parametrize(("films", "queued"), [(True, [(0, 1), (1, 4)]), (False, [(1, 4)])])
def test_films_are_queued_only_when_the_series_takes_them(
        sessions: sessionmaker[Session], fakesite: FakeSite, sites: ClientFactory,
        blau: int, films: bool, queued: list[tuple[int, int]]) -> None:
    set_options(sessions, blau, monitor_scope="new", monitor_films=films)
    fakesite.release(BLAU, 0, ("Der Film", "The Movie"), [GERMAN_SUB])
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    fakesite.clear_requests()

    summary = monitor.run_monitor_round(sessions, sites, SUB_FIRST)

    # The film is stored either way (the films page is read): only queueing differs.
    assert paths(fakesite) == ["/neue-episoden", f"/anime/stream/{BLAU}/filme",
                               f"/anime/stream/{BLAU}/staffel-1"]
    assert summary.new == 2
    with sessions() as session:
        assert sorted(key[:2] for key in items_of(session, blau)) == queued


def test_the_series_language_order_beats_the_global_one(
        sessions: sessionmaker[Session], fakesite: FakeSite, sites: ClientFactory,
        blau: int) -> None:
    set_options(sessions, blau, monitor_scope="new",
                language_order=["english-sub", "german-sub"])
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB, ENGLISH_SUB])
    monitor.run_monitor_round(sessions, sites, SUB_FIRST)
    with sessions() as session:
        assert items_of(session, blau) == [(1, 4, Language.ENGLISH_SUB)]


def test_a_release_in_no_language_of_the_series_is_not_queued(
        sessions: sessionmaker[Session], fakesite: FakeSite, sites: ClientFactory,
        blau: int) -> None:
    set_options(sessions, blau, monitor_scope="new", language_order=["german-dub"])
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    summary = monitor.run_monitor_round(sessions, sites, SUB_FIRST)
    assert (summary.new, summary.queued) == (1, 0)
    fakesite.release(BLAU, 1, languages=[GERMAN_DUB])
    assert monitor.run_monitor_round(sessions, sites, SUB_FIRST).queued == 1
    with sessions() as session:
        assert items_of(session, blau) == [(1, 5, Language.GERMAN_DUB)]


def test_a_paused_series_is_not_read_and_keeps_its_options(
        sessions: sessionmaker[Session], fakesite: FakeSite, sites: ClientFactory,
        blau: int) -> None:
    set_options(sessions, blau, monitor_scope="new", monitor_films=False)
    with sessions() as session:
        series = session.get(Series, blau)
        series.monitored = False  # "pause": the flag, nothing else
        series.refreshed_at = utcnow() - timedelta(days=30)
        session.commit()
    fakesite.release(BLAU, 1)
    fakesite.clear_requests()

    summary = monitor.run_monitor_round(sessions, sites, SUB_FIRST)

    assert summary.series == 0 and not paths(fakesite)
    with sessions() as session:
        series = session.get(Series, blau)
        assert (series.monitor_scope, series.monitor_films) == ("new", False)
