"""A hoster that keeps failing is tried last, so later items stop paying for it.

Runs real jobs in-process against the fake site and hosters over HTTP; the broken hoster's
cost is counted in the fake hoster server's request log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from aniworld.downloader.errors import DownloadCancelled, InsufficientDiskSpace, StalledDownload
from aniworld.hosters import HosterFileGone, HosterUnavailable
from aniworld.languages import Language
from aniworld.models import DownloadItem, HosterHealth, ItemStatus, Series, utcnow
from aniworld.services.hoster_health import HosterState, hoster_reports
from aniworld.services.settings import save_settings
from aniworld.site.errors import CaptchaRequired, SiteChallenge
from aniworld.site.limiter import SiteLimiter
from aniworld.tasks.download.health import counts_against_hoster
from aniworld.tasks.runtime import Runtime
from tests.db_fixtures import run_download, worker_runtime
from tests.fakesite.server import FakeSite

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
VOE_EMBED = "/e/"  # the fake VOE's embed pages (Doodstream and Filemoon come later)


@pytest.fixture
def runtime(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> Iterator[Runtime]:
    """A worker's runtime on a fresh SQLite file, the fake site and VOE before Vidmoly."""
    runtime = worker_runtime(tmp_path, redis_url, fakesite)
    with runtime.sessions() as session:
        session.add(Series(key=KAEMPFER, title="Kämpfer des Lichts"))
        save_settings(session, hoster_order=["VOE", "Vidmoly"], breaker_failures=3,
                      breaker_cooldown_minutes=30)
        session.commit()
    yield runtime
    runtime.engine.dispose()


def _download(runtime: Runtime, episode: int) -> DownloadItem:
    """Queue episode 1x``episode`` and run its job to the end; return the row."""
    with runtime.sessions() as session:
        series_id = session.query(Series.id).filter_by(key=KAEMPFER).scalar()
    return run_download(runtime, series_id, 1, episode, Language.GERMAN_DUB)


def _voe_requests(fakesite: FakeSite) -> int:
    return len(fakesite.requests_to(VOE_EMBED, server="hoster"))


def _voe_state(runtime: Runtime) -> HosterState:
    with runtime.sessions() as session:
        return next(r.state for r in hoster_reports(session) if r.hoster == "voe")


def test_broken_hoster_is_skipped_first_then_probed_after_cool_down(
        runtime: Runtime, fakesite: FakeSite) -> None:
    fakesite.set_fault("status", server="hoster", prefix=VOE_EMBED, status=503)
    for episode in (1, 2, 3):
        item = _download(runtime, episode)
        assert item.status is ItemStatus.COMPLETED and item.hoster == "Vidmoly", item.last_error
    assert _voe_state(runtime) is HosterState.COOLING_DOWN
    paid = _voe_requests(fakesite)
    assert paid >= 3

    for episode in (4, 5):
        item = _download(runtime, episode)
        assert item.status is ItemStatus.COMPLETED and item.hoster == "Vidmoly", item.last_error
    assert _voe_requests(fakesite) == paid  # the broken hoster cost these items nothing

    # The cool-down ends (moved into the past instead of waiting 30 minutes); VOE works again.
    fakesite.clear_faults()
    with runtime.sessions() as session:
        session.execute(update(HosterHealth).values(open_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert _voe_state(runtime) is HosterState.BROKEN
    item = _download(runtime, 6)
    assert item.status is ItemStatus.COMPLETED and item.hoster == "VOE", item.last_error
    assert _voe_requests(fakesite) > paid
    assert _voe_state(runtime) is HosterState.OK


def test_failed_probe_opens_the_breaker_again(runtime: Runtime, fakesite: FakeSite) -> None:
    fakesite.set_fault("status", server="hoster", prefix=VOE_EMBED, status=503)
    for episode in (1, 2, 3):
        _download(runtime, episode)
    with runtime.sessions() as session:
        session.execute(update(HosterHealth).values(open_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    paid = _voe_requests(fakesite)
    assert _download(runtime, 4).hoster == "Vidmoly"
    assert _voe_requests(fakesite) > paid  # probed in its normal place, failed again
    assert _voe_state(runtime) is HosterState.COOLING_DOWN
    probed = _voe_requests(fakesite)
    assert _download(runtime, 5).hoster == "Vidmoly"
    assert _voe_requests(fakesite) == probed


def test_item_waits_out_a_site_hold_without_asking_the_site(
        runtime: Runtime, fakesite: FakeSite) -> None:
    SiteLimiter(fakesite.url, runtime.redis).hold(600, "site_challenge")
    fakesite.clear_requests()
    item = _download(runtime, 1)
    assert item.status is ItemStatus.PENDING and item.attempts == 1
    assert "browser check" in item.last_error
    assert item.not_before is not None
    assert item.not_before > utcnow() + timedelta(seconds=590)  # not the 60 s retry delay
    assert fakesite.requests == [] and fakesite.hoster_requests == []


@pytest.mark.parametrize(("error", "counts"), [
    (HosterUnavailable("VOE", "HTTP 503"), True),
    (HosterFileGone("VOE"), True),
    (StalledDownload("no byte for 60 s"), True),
    (InsufficientDiskSpace("disk full"), False),
    (DownloadCancelled("cancelled"), False),
    (CaptchaRequired("https://aniworld.to/redirect/1"), False),
    (SiteChallenge(), False),
])
def test_only_the_hosters_own_failures_count(error: Exception, counts: bool) -> None:
    assert counts_against_hoster(error) is counts
