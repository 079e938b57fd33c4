"""Episodes whose hoster serves HLS the 2026 way travel the whole stack (reference §6)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from aniworld.downloader.ffmpeg import ffmpeg_path
from tests.fakesite.hosters import hls_variants
from tests.system.conftest import Stack, played_duration
from tests.system.test_downloads import KAEMPFER, _code

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _plain_hls_afterwards() -> Iterator[None]:
    yield
    hls_variants.HLS_MODES.clear()


def _vidmoly_serves(stack: Stack, mode: str) -> str:
    """Make the Vidmoly link of S01E02 serve ``mode``; return its master playlist prefix."""
    code = _code(stack, KAEMPFER, 1, 2, "Vidmoly")
    hls_variants.HLS_MODES[code] = mode
    stack.add_series(KAEMPFER)
    stack.settings(hoster_order=["Vidmoly", "VOE"], container="mkv")
    stack.start_workers(1)
    return f"/engine/hls2/{code}/x-{mode}/"


def test_aes128_hoster_episode_arrives_decrypted_and_playable(stack: Stack) -> None:
    prefix = _vidmoly_serves(stack, "aes-seq")
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 2), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert item.hoster == "Vidmoly" and item.file_path.endswith("[German Dub].mkv")
    assert abs(played_duration(stack.library / item.file_path) - 4.0) < 0.3
    keys = stack.fakesite.requests_to(prefix + "key.bin", server="hoster")
    assert len(keys) == 1 and keys[0].status == 200


@pytest.mark.parametrize("mode", ["sample-aes", "live"])
def test_unsupported_hls_hoster_fails_over_to_the_next_hoster(stack: Stack, mode: str) -> None:
    """SAMPLE-AES and a live playlist (§9.29, §9.32): refused, VOE delivers instead."""
    prefix = _vidmoly_serves(stack, mode)
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 2), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert item.hoster == "VOE" and item.attempts <= 1
    assert stack.fakesite.requests_to(prefix + "index.m3u8", server="hoster")
    assert stack.fakesite.requests_to(prefix + "seg-", server="hoster") == []


def test_audio_rendition_in_the_items_language_is_muxed_in(stack: Stack) -> None:
    prefix = _vidmoly_serves(stack, "audio")
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 2), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    assert item.hoster == "Vidmoly"
    # German dub: the "de" rendition, although the playlist marks "ja" as DEFAULT.
    assert stack.fakesite.requests_to(prefix + "de/seg-", server="hoster")
    assert stack.fakesite.requests_to(prefix + "ja/", server="hoster") == []
    header = subprocess.run([ffmpeg_path(), "-i", str(stack.library / item.file_path)],
                            capture_output=True, text=True, check=False).stderr
    assert "(deu): Audio" in header
