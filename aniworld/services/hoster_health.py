"""Hoster health from real outcomes, and the circuit breaker that routes around breakage.

A hoster that failed ``Breaker.failures`` times in a row is *cooling down* until
``open_until``: jobs try it last. After the cool-down it is *broken* until probed (half-open):
the next item tries it in its normal place; a success closes the breaker, a failure opens it
again for another cool-down. Session in, no commit.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aniworld.models import HosterHealth, utcnow
from aniworld.models.hoster_health import WINDOW
from aniworld.phrases import Phrase, as_phrase

logger = logging.getLogger(__name__)

# The one site so far (``Series.site``); s.to will be a second key, so everything is per site.
DEFAULT_SITE = "aniworld"


class HosterState(StrEnum):
    """What the breaker says about a hoster."""

    OK = "ok"
    COOLING_DOWN = "cooling_down"  # open: tried last until ``cooldown_until``
    BROKEN = "broken"  # cool-down over, not yet probed: the next item tries it again


@dataclass(frozen=True)
class Breaker:
    """When a hoster counts as broken (consecutive failures) and for how long it is avoided."""

    failures: int = 3
    cooldown: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class HosterReport:
    """One hoster's health as the status page and the API show it."""

    site: str
    hoster: str
    state: HosterState
    success_rate: float | None
    recent_attempts: int
    consecutive_failures: int
    last_error: str | None
    # The same error as a Phrase's JSON (``phrases.stored``): the pages show it translated.
    last_error_phrase: str | None
    last_error_code: str | None
    last_failure_at: datetime | None
    last_success_at: datetime | None
    median_speed: float | None
    cooldown_until: datetime | None


def _key(hoster: str) -> str:
    return hoster.strip().lower()


def _locked_row(session: Session, site: str, hoster: str) -> HosterHealth:
    """The (site, hoster) row, created if missing and locked for this transaction."""
    values = {"site": site, "hoster": _key(hoster)}
    # Two workers may report the first outcome of a hoster at once: insert or keep theirs.
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(maker(HosterHealth).values(**values).on_conflict_do_nothing())
    query = select(HosterHealth).filter_by(**values).with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()


def record_success(session: Session, site: str, hoster: str,
                   bytes_per_second: float | None = None, now: datetime | None = None) -> None:
    """Count a delivered file; closes the breaker."""
    row = _locked_row(session, site, hoster)
    row.successes += 1
    row.consecutive_failures = 0
    row.recent = (row.recent + "1")[-WINDOW:]
    if bytes_per_second is not None and bytes_per_second > 0:
        speeds = [*_speeds(row.speeds), int(bytes_per_second)][-WINDOW:]
        row.speeds = ",".join(str(speed) for speed in speeds)
    row.last_success_at = now or utcnow()
    if row.open_until is not None:
        logger.info("hoster breaker closed site=%s hoster=%s", site, row.hoster)
    row.open_until = None


def record_failure(session: Session, site: str, hoster: str, code: str, message: str | Phrase,
                   breaker: Breaker, now: datetime | None = None) -> bool:
    """Count a failure that says something about the hoster; return True if the breaker opened."""
    now = now or utcnow()
    row = _locked_row(session, site, hoster)
    row.failures += 1
    row.consecutive_failures += 1
    row.recent = (row.recent + "0")[-WINDOW:]
    phrase = as_phrase(message)
    row.last_error, row.last_error_phrase = str(phrase), phrase.to_json()
    row.last_error_code, row.last_failure_at = code, now
    if row.consecutive_failures < breaker.failures:
        return False
    row.open_until = now + breaker.cooldown
    logger.warning("hoster breaker open site=%s hoster=%s failures=%s until=%s",
                   site, row.hoster, row.consecutive_failures, row.open_until.isoformat())
    return True


def cooling_down(session: Session, site: str, now: datetime | None = None) -> frozenset[str]:
    """Lower-case names of the site's hosters whose breaker is open (to be tried last)."""
    query = select(HosterHealth.hoster).where(HosterHealth.site == site,
                                              HosterHealth.open_until > (now or utcnow()))
    return frozenset(session.scalars(query))


def hoster_reports(session: Session, now: datetime | None = None,
                   known: Iterable[tuple[str, str]] = ()) -> list[HosterReport]:
    """Every hoster's health by site then name; ``known`` (site, hoster) pairs without any
    outcome yet are listed as ok with no figures."""
    now = now or utcnow()
    rows = session.scalars(select(HosterHealth))
    reports = {(row.site, row.hoster): _report(row, now) for row in rows}
    for site, hoster in known:
        reports.setdefault((site, _key(hoster)), _empty(site, _key(hoster)))
    return [reports[key] for key in sorted(reports)]


def _empty(site: str, hoster: str) -> HosterReport:
    return HosterReport(site=site, hoster=hoster, state=HosterState.OK, success_rate=None,
                        recent_attempts=0, consecutive_failures=0, last_error=None,
                        last_error_phrase=None, last_error_code=None, last_failure_at=None,
                        last_success_at=None, median_speed=None, cooldown_until=None)


def state_of(row: HosterHealth, now: datetime) -> HosterState:
    """The breaker state of ``row`` at ``now``."""
    if row.open_until is None:
        return HosterState.OK
    return HosterState.COOLING_DOWN if row.open_until > now else HosterState.BROKEN


def _report(row: HosterHealth, now: datetime) -> HosterReport:
    state = state_of(row, now)
    rate = row.recent.count("1") / len(row.recent) if row.recent else None
    speeds = _speeds(row.speeds)
    return HosterReport(
        site=row.site, hoster=row.hoster, state=state, success_rate=rate,
        recent_attempts=len(row.recent), consecutive_failures=row.consecutive_failures,
        last_error=row.last_error, last_error_phrase=row.last_error_phrase,
        last_error_code=row.last_error_code,
        last_failure_at=row.last_failure_at, last_success_at=row.last_success_at,
        median_speed=statistics.median(speeds) if speeds else None,
        cooldown_until=row.open_until if state is HosterState.COOLING_DOWN else None)


def _speeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()]
