"""The cover cache keeps real images only, up to a size, one version per series."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aniworld.covers import (
    MAX_COVER_BYTES,
    CoverRejected,
    CoverStore,
    check_image,
    is_cover_key,
    sniff_image,
    source_digest,
)
from tests.fakesite.covers import JPEG

SOURCE = "https://aniworld.to/public/img/cover/demo-stream-cover-abc_220x330.jpg"


@pytest.mark.parametrize(("data", "kind"), [
    (JPEG, "jpg"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "png"),
    (b"GIF89a\x01\0\x01\0", "gif"),
    (b"RIFF\x24\0\0\0WEBPVP8 ", "webp"),
    (b"\0\0\0\x1cftypavif\0\0\0\0", "avif"),
    (b"<!DOCTYPE html><title>Just a moment...</title>", None),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
    (b"", None),
])
def test_images_are_known_by_their_first_bytes(data: bytes, kind: str | None) -> None:
    assert sniff_image(data) == kind


def test_too_large_or_not_an_image_is_refused_with_a_reason() -> None:
    assert check_image(JPEG) == "jpg"
    with pytest.raises(CoverRejected, match="more than"):
        check_image(JPEG + b"\0" * MAX_COVER_BYTES)
    with pytest.raises(CoverRejected, match="not an image"):
        check_image(b"<html>challenge</html>")


def test_source_digest_ignores_the_host_a_mirror_served_it_from() -> None:
    mirror = SOURCE.replace("https://aniworld.to", "http://186.2.175.5")
    assert source_digest(SOURCE) == source_digest(mirror)
    assert source_digest(SOURCE) != source_digest(SOURCE.replace("abc", "abd"))


def test_store_keeps_one_version_and_finds_it_by_its_source(tmp_path: Path) -> None:
    store = CoverStore.in_library(tmp_path)
    assert store.find("aniworld", "demo", SOURCE) is None
    first = store.save("aniworld", "demo", SOURCE, JPEG)
    folder = tmp_path / ".aniworld" / "covers" / "aniworld"
    assert first.path == folder / f"demo-{source_digest(SOURCE)}.jpg"
    assert first.mime_type == "image/jpeg" and first.size == len(JPEG)
    assert first.path.stat().st_mode & 0o777 == 0o644
    assert store.find("aniworld", "demo", SOURCE) == first
    assert store.find("aniworld", "demo") == first  # newest, whatever its source
    assert store.find("aniworld", "demo", SOURCE + "?new") is None
    # A key that starts like another one's is another series.
    store.save("aniworld", "demo-2", SOURCE, JPEG)
    assert store.find("aniworld", "demo") == first

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 10
    second = store.save("aniworld", "demo", SOURCE + "?new", png)
    assert not first.path.exists() and second.extension == "png"
    assert store.find("aniworld", "demo") == second
    assert second.etag != first.etag


def test_nothing_is_written_for_a_refused_cover_or_an_impossible_key(tmp_path: Path) -> None:
    store = CoverStore.in_library(tmp_path)
    with pytest.raises(CoverRejected):
        store.save("aniworld", "demo", SOURCE, b"<html></html>")
    with pytest.raises(ValueError):
        store.save("aniworld", "../../etc/passwd", SOURCE, JPEG)
    with pytest.raises(ValueError):
        store.save("example", "demo", SOURCE, JPEG)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    assert not is_cover_key("aniworld", "a/b") and is_cover_key("sto", "breaking-bad")


def test_etag_changes_when_the_file_is_written_again(tmp_path: Path) -> None:
    store = CoverStore.in_library(tmp_path)
    first = store.save("sto", "demo", SOURCE, JPEG)
    os.utime(first.path, (1_000_000, 1_000_000))
    again = store.find("sto", "demo", SOURCE)
    assert again is not None and again.etag != first.etag and again.path == first.path
