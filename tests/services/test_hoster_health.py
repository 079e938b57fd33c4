"""Hoster health accounting and the breaker's states, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.models import HosterHealth, utcnow
from aniworld.models.hoster_health import WINDOW
from aniworld.services import hoster_health as health
from aniworld.services.hoster_health import Breaker, HosterState

BREAKER = Breaker(failures=3, cooldown=timedelta(minutes=30))


def _fail(session: Session, hoster: str = "VOE", times: int = 1, **kwargs: object) -> bool:
    opened = False
    for _ in range(times):
        opened = health.record_failure(session, "aniworld", hoster, "hoster_unavailable",
                                       "VOE is not answering", BREAKER, **kwargs)
    session.commit()
    return opened


def _report(session: Session, hoster: str = "voe") -> health.HosterReport:
    return next(r for r in health.hoster_reports(session) if r.hoster == hoster)


def test_counts_rate_speed_and_last_error(session: Session) -> None:
    for speed in (1_000, 3_000, 2_000):
        health.record_success(session, "aniworld", "VOE", speed)
    session.commit()
    _fail(session)
    report = _report(session)
    assert report.success_rate == 0.75 and report.recent_attempts == 4
    assert report.median_speed == 2_000
    assert report.last_error == "VOE is not answering"
    assert report.last_error_code == "hoster_unavailable"
    assert report.last_success_at is not None and report.state is HosterState.OK
    row = session.get(HosterHealth, ("aniworld", "voe"))
    assert (row.successes, row.failures, row.consecutive_failures) == (3, 1, 1)


def test_window_stays_bounded(session: Session) -> None:
    for number in range(WINDOW * 2):
        health.record_success(session, "aniworld", "Vidoza", 100 + number)
    _fail(session, "Vidoza")
    row = session.get(HosterHealth, ("aniworld", "vidoza"))
    assert len(row.recent) == WINDOW and row.recent.endswith("10")
    assert len(row.speeds.split(",")) == WINDOW
    assert session.scalar(select(func.count()).select_from(HosterHealth)) == 1


def test_breaker_opens_after_consecutive_failures(session: Session) -> None:
    assert not _fail(session, times=2)
    assert health.cooling_down(session, "aniworld") == frozenset()
    assert _fail(session)
    assert health.cooling_down(session, "aniworld") == {"voe"}
    assert health.cooling_down(session, "sto") == frozenset()  # keyed by (site, hoster)
    report = _report(session)
    assert report.state is HosterState.COOLING_DOWN
    assert report.cooldown_until is not None and report.cooldown_until > utcnow()


def test_success_in_between_resets_the_count(session: Session) -> None:
    _fail(session, times=2)
    health.record_success(session, "aniworld", "voe")
    assert not _fail(session, times=2)
    assert _report(session).state is HosterState.OK


def test_cool_down_expiry_is_half_open_then_success_closes(session: Session) -> None:
    _fail(session, times=3)
    later = utcnow() + timedelta(minutes=31)
    assert health.cooling_down(session, "aniworld", now=later) == frozenset()
    assert health.hoster_reports(session, now=later)[0].state is HosterState.BROKEN
    health.record_success(session, "aniworld", "voe", 500, now=later)
    session.commit()
    report = health.hoster_reports(session, now=later)[0]
    assert report.state is HosterState.OK and report.cooldown_until is None


def test_failed_probe_reopens_for_another_cool_down(session: Session) -> None:
    _fail(session, times=3)
    later = utcnow() + timedelta(minutes=31)
    assert _fail(session, now=later)
    assert health.cooling_down(session, "aniworld", now=later + timedelta(minutes=29)) == {"voe"}
    assert health.cooling_down(session, "aniworld", now=later + timedelta(minutes=31)) == set()


def test_two_sessions_share_one_row(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as first, session_factory() as second:
        health.record_failure(first, "aniworld", "voe", "x", "x", BREAKER)
        first.commit()
        health.record_failure(second, "aniworld", "VOE", "x", "x", BREAKER)
        second.commit()
        row = second.get(HosterHealth, ("aniworld", "voe"))
        assert row.failures == 2 and row.consecutive_failures == 2


def test_configured_hosters_without_outcomes_are_listed(session: Session) -> None:
    _fail(session, "Vidmoly")
    reports = health.hoster_reports(session, known=[("aniworld", "VOE"), ("aniworld", "Vidmoly")])
    assert [(r.hoster, r.recent_attempts) for r in reports] == [("vidmoly", 1), ("voe", 0)]
    assert reports[1].state is HosterState.OK and reports[1].success_rate is None
