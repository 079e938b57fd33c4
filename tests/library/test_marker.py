"""The .aniworld.json marker: round trip, junk tolerance, atomic write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aniworld.library.marker import (
    MARKER_NAME,
    InvalidMarker,
    Marker,
    load_marker,
    read_marker,
    write_marker,
)


def test_round_trip(tmp_path: Path) -> None:
    marker = Marker("aniworld", "kaempfer-des-lichts", "Kämpfer des Lichts")
    path = write_marker(tmp_path, marker)
    assert path == tmp_path / MARKER_NAME
    assert read_marker(tmp_path) == marker
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == "kaempfer-des-lichts"
    assert sorted(os.listdir(tmp_path)) == [MARKER_NAME]  # no temporary file left behind


def test_overwrite_replaces(tmp_path: Path) -> None:
    write_marker(tmp_path, Marker("aniworld", "old", "Old"))
    write_marker(tmp_path, Marker("aniworld", "new", "New"))
    assert read_marker(tmp_path) == Marker("aniworld", "new", "New")


def test_sto_marker_round_trip_and_unknown_sites_refused(tmp_path: Path) -> None:
    write_marker(tmp_path, Marker("sto", "breaking-bad", "Breaking Bad"))
    assert load_marker(tmp_path) == Marker("sto", "breaking-bad", "Breaking Bad")
    (tmp_path / MARKER_NAME).write_text('{"site": "netflix", "key": "dark", "title": "Dark"}')
    with pytest.raises(InvalidMarker, match="names the site 'netflix'; Aniworld reads "
                                            "aniworld and sto"):
        load_marker(tmp_path)


def test_missing_marker(tmp_path: Path) -> None:
    assert read_marker(tmp_path) is None
    assert read_marker(tmp_path / "nope") is None


@pytest.mark.parametrize("content", [
    b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe\x00",
    b'{"site": "aniworld"}', b'{"site": "aniworld", "key": ""}',
    b'{"site": 1, "key": "x", "title": "X"}', b'{"key": "x", "title": "X"}',
    b'{"site": "aniworld", "key": "x", "title": "' + b"a" * 70_000 + b'"}',
])
def test_junk_reads_as_none(tmp_path: Path, content: bytes) -> None:
    (tmp_path / MARKER_NAME).write_bytes(content)
    assert read_marker(tmp_path) is None


def test_title_may_be_missing(tmp_path: Path) -> None:
    (tmp_path / MARKER_NAME).write_text('{"site": "aniworld", "key": "x", "extra": 1}')
    assert read_marker(tmp_path) == Marker("aniworld", "x", "")


def test_marker_in_a_directory_named_like_it(tmp_path: Path) -> None:
    (tmp_path / MARKER_NAME).mkdir()
    assert read_marker(tmp_path) is None


def test_failed_write_leaves_old_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_marker(tmp_path, Marker("aniworld", "old", "Old"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_marker(tmp_path, Marker("aniworld", "new", "New"))
    monkeypatch.undo()
    assert read_marker(tmp_path) == Marker("aniworld", "old", "Old")
    assert sorted(os.listdir(tmp_path)) == [MARKER_NAME]
