"""Monitoring end to end: scheduler → library job on a real RQ worker → queue → download."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aniworld.models import DownloadItem, Series
from aniworld.services.library import monitoring
from aniworld.services.library.preferences import apply_preferences
from aniworld.services.series import get_series
from aniworld.sites import STO
from tests.fakesite.content import STO_V2
from tests.fakesite.languages import GERMAN_DUB, GERMAN_SUB
from tests.system.conftest import Stack, played_duration

pytestmark = pytest.mark.slow

BLAU = "blauer-drache"


def status_of(stack: Stack) -> monitoring.MonitorStatus:
    """The stored monitoring status."""
    with stack.sessions() as session:
        return monitoring.load_status(session)


def monitor_new(stack: Stack, key: str, site: str = "aniworld") -> None:
    """Monitor the stored series for the episodes that appear from now on."""
    with stack.sessions() as session:
        series = get_series(session, key, site)
        series.monitored = True
        apply_preferences(series, {"monitor_scope": "new"})
        session.commit()


def test_released_episode_is_found_queued_and_downloaded(stack: Stack) -> None:
    stack.add_series(BLAU)
    monitor_new(stack, BLAU)
    stack.fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    stack.start_workers(1)  # the scheduler finds a round due at once: none ran yet

    def items() -> list[DownloadItem]:
        with stack.sessions() as session:
            return list(session.scalars(select(DownloadItem)))

    stack.wait_for(lambda: len(items()) == 1, what="the monitoring round to queue")
    item = stack.wait_status(items()[0].id, "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert (item.season, item.episode, item.language.value) == (1, 4, GERMAN_SUB)
    assert played_duration(stack.library / item.file_path) > 1
    status = status_of(stack)
    assert "1 new episode(s), 1 queued" in status.message, stack.logs()
    # The feed, then the season it named: nothing else of the site.
    assert status.figures().requests == 2, stack.logs()


def test_sto_in_challenge_mode_does_not_stop_aniworld_releases(stack: Stack) -> None:
    stack.add_series(BLAU)
    stack.add_series("demo-serie", site=STO)
    monitor_new(stack, BLAU)
    monitor_new(stack, "demo-serie", STO)
    stack.fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    stack.fakesite.release("demo-serie", 2, languages=[GERMAN_DUB], site=STO_V2)
    stack.fakesite.set_fault("cloudflare", server="sto")
    stack.start_workers(1)

    stack.wait_for(lambda: status_of(stack).finished_at is not None
                   and not status_of(stack).running, what="the monitoring round to finish")
    with stack.sessions() as session:
        queued = session.execute(select(Series.site, Series.key, DownloadItem.season,
                                        DownloadItem.episode).join(Series)).all()
    assert [tuple(row) for row in queued] == [("aniworld", BLAU, 1, 4)], stack.logs()
    status = status_of(stack)
    assert "Checked 1 of 2 monitored series" in status.message and "1 queued" in status.message
    assert "Stopped early: S.to: " in status.message and status.failed


def test_a_round_asked_for_while_redis_lost_it_is_run_by_the_scheduler(stack: Stack) -> None:
    # "Check now" with scheduled checks off: the request is in the database, its job is
    # not in Redis (as if Redis was away); the scheduler enqueues it, a worker runs it.
    stack.settings(monitor_interval_hours=0)
    stack.add_series(BLAU)
    monitor_new(stack, BLAU)
    stack.fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    with stack.sessions() as session:
        monitoring.request_round(session)
        session.commit()
    stack.start_workers(1)

    stack.wait_for(lambda: status_of(stack).finished_at is not None
                   and not status_of(stack).waiting, what="the requested round to finish")
    assert status_of(stack).figures().queued == 1, stack.logs()
