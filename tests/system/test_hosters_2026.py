"""Hosters of 2026 through the whole system: queue → RQ worker → site → hoster → library."""

from __future__ import annotations

import subprocess

import pytest

from aniworld.downloader.ffmpeg import ffmpeg_path
from aniworld.languages import Language
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.fakesite.hosters import vidara as fake_vidara
from tests.fakesite.hosters import vidmoly as fake_vidmoly
from tests.fakesite.hosters import voe as fake_voe
from tests.fakesite.hosters import voe_cdn
from tests.system.conftest import Stack, played_duration

pytestmark = pytest.mark.slow

SERIES = "nebelufer"
KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


def _code(stack: Stack, key: str, episode: int, hoster: str) -> str:
    links = stack.fakesite.catalog.series(key).episode(1, episode).links
    return next(link.code for link in links
                if link.hoster == hoster and link.language == Language.GERMAN_DUB.value)


def _broken_first_hoster_falls_back_to_voe(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, key: str, episode: int, hoster: str,
    variants: dict[str, str], variant: str,
) -> str:
    """Break ``hoster`` for one episode (stand-in ``variant``), put it first, and check the
    worker completes the episode from VOE instead; returns the broken link's code."""
    stack.add_series(key)
    stack.settings(hoster_order=[hoster, "VOE"])
    code = _code(stack, key, episode, hoster)
    monkeypatch.setitem(variants, code, variant)
    stack.start_workers(1)
    item = stack.wait_status(stack.queue(key, 1, episode), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert item.hoster == "VOE"
    return code


def test_vidara_only_episode_arrives_in_the_library(stack: Stack) -> None:
    stack.add_series(SERIES)
    stack.start_workers(1)
    item = stack.wait_status(stack.queue(SERIES, 1, 1), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    path = stack.library / item.file_path
    assert item.hoster == "Vidara" and path.name.startswith("Nebelufer - S01E01 - ")
    assert played_duration(path) > 1
    posts = stack.fakesite.requests_to("/api/stream", server="hoster")
    assert posts and {r.method for r in posts} == {"POST"}


def test_broken_vidara_api_falls_back_to_the_next_hoster(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_first_hoster_falls_back_to_voe(stack, monkeypatch, SERIES, 2, "Vidara",
                                           fake_vidara.VARIANTS, "broken")
    assert stack.fakesite.requests_to("/api/stream", server="hoster")


def test_vidmoly_please_wait_page_falls_back_to_the_next_hoster(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _broken_first_hoster_falls_back_to_voe(stack, monkeypatch, KAEMPFER, 2, "Vidmoly",
                                                  fake_vidmoly.VARIANTS, "wait")
    assert stack.fakesite.requests_to(f"/embed-{code}.html", server="hoster")


def test_voe_link_expiring_mid_download_is_resolved_again_not_failed(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§9.16/§9.18: the 2026 VOE player → signed urlset master → best variant; the link
    runs out after its variant playlist, so the job resolves VOE again and completes."""
    stack.add_series(KAEMPFER)
    stack.settings(hoster_order=["VOE", "Vidmoly"], container="mkv")
    monkeypatch.setitem(fake_voe.VARIANTS, _code(stack, KAEMPFER, 1, "VOE"), "v2026")
    voe_cdn.CDN.expire_after("index-", 1)  # reset by the fakesite fixture
    stack.start_workers(1)
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 1), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert item.hoster == "VOE" and item.attempts == 0 and not item.last_error
    cdn = [(r.path.rsplit("/", 1)[1], r.status) for r in stack.fakesite.hoster_requests
           if "/engine/hls2-c/" in r.path]
    masters = [i for i, (name, _) in enumerate(cdn) if name == "master.m3u8"]
    assert len(masters) == 2, cdn  # the first link, then the fresh one
    assert {status for name, status in cdn[:masters[1]] if name.startswith("seg-")} == {403}
    assert {status for _, status in cdn[masters[1]:]} == {200}
    assert not any(name.startswith("iframes") or "-f2-" not in name
                   for name, _ in cdn if name != "master.m3u8")
    header = subprocess.run([ffmpeg_path(), "-i", str(stack.library / item.file_path)],
                            capture_output=True, text=True, check=False).stderr
    assert "640x360" in header and abs(played_duration(stack.library / item.file_path) - 4) < 0.3


def test_vidmoly_on_a_retired_host_falls_back_to_the_next_hoster(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_first_hoster_falls_back_to_voe(stack, monkeypatch, KAEMPFER, 3, "Vidmoly",
                                           fake_vidmoly.VARIANTS, "oldhost")
    assert not stack.fakesite.requests_to("/cdn/vidmoly/", server="hoster")


@pytest.mark.parametrize(("key", "episode", "hoster", "media"), [
    (KAEMPFER, 4, "Filemoon", "/cdn/filemoon/"),  # legacy player in the last iframe
    ("dr-who-s-cat", 4, "Doodstream", "/dood/"),
])
def test_strict_hoster_episode_arrives_from_that_hoster(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, key: str, episode: int, hoster: str,
    media: str,
) -> None:
    stack.add_series(key)
    stack.settings(hoster_order=[hoster, "VOE"])
    if hoster == "Filemoon":
        monkeypatch.setitem(fake_filemoon.VARIANTS, _code(stack, key, episode, hoster), "legacy")
    stack.start_workers(1)
    item = stack.wait_status(stack.queue(key, 1, episode), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert item.hoster == hoster and played_duration(stack.library / item.file_path) > 1
    assert stack.fakesite.requests_to(media, server="hoster")
