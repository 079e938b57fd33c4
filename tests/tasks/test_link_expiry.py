"""A media link that expires mid-download makes the job resolve the hoster again, and one
that keeps expiring ends as a retry later, never as a failed item (reference §9.18).

Runs real jobs in-process against the fake site and its strict VOE CDN over HTTP.
"""

from __future__ import annotations

import pytest

from aniworld.downloader import MediaLinkExpired
from aniworld.models import ItemStatus
from aniworld.tasks.download.failures import TransientFailure, is_transient
from aniworld.tasks.runtime import Runtime
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.fakesite.hosters import vidmoly as fake_vidmoly
from tests.fakesite.hosters import voe as fake_voe
from tests.fakesite.hosters import voe_cdn
from tests.fakesite.server import FakeSite
from tests.tasks.test_breaker_routing import KAEMPFER, _download
from tests.tasks.test_breaker_routing import runtime as runtime  # the fixture


def _only_voe_works(fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """S01E01 in German dub: VOE in its 2026 shape, the other hosters' file gone."""
    variants = {"VOE": (fake_voe.VARIANTS, "v2026"),
                "Vidmoly": (fake_vidmoly.VARIANTS, "gone"),
                "Filemoon": (fake_filemoon.VARIANTS, "gone")}
    for link in fakesite.catalog.series(KAEMPFER).episode(1, 1).links:
        if link.language == "german-dub":
            table, kind = variants[link.hoster]
            monkeypatch.setitem(table, link.code, kind)


def _masters(fakesite: FakeSite) -> list[int | None]:
    return [r.status for r in fakesite.hoster_requests if r.path.endswith("/master.m3u8")
            and "/engine/hls2-c/" in r.path]


def test_link_that_keeps_expiring_is_retried_later_not_failed(
    runtime: Runtime, fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only_voe_works(fakesite, monkeypatch)
    voe_cdn.CDN.expire_after("index-", 1, repeat=True)  # every link runs out at once
    item = _download(runtime, 1)
    assert item.status is ItemStatus.PENDING and item.attempts == 1, item.last_error
    assert "probably expired" in item.last_error and "retrying in" in item.last_error
    assert _masters(fakesite) == [200, 200]  # the first link and one fresh one


def test_expired_link_is_transient_for_the_runner() -> None:
    error = MediaLinkExpired("the media link stopped working mid-download (403 from cdn)")
    assert is_transient(error) and not isinstance(error, TransientFailure)
