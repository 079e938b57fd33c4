"""Library scans: series folders, title guesses, junk, and incremental re-reads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from aniworld.languages import Language
from aniworld.library import scanner
from aniworld.library.marker import Marker, write_marker
from aniworld.library.scanner import FolderScan, guess_title, scan_tree


def put(path: Path, size: int = 1) -> Path:
    """Create a file of ``size`` bytes, with its parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def age(root: Path, seconds: float = 60) -> None:
    """Move every folder time into the past, out of the scanner's racy window."""
    past = time.time_ns() - int(seconds * 1e9)
    for folder, _, _ in os.walk(root):
        os.utime(folder, ns=(past, past))


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A small library: Aniworld naming, peer naming, films, junk and a hidden folder."""
    one = tmp_path / "Kämpfer des Lichts (2019)"
    put(one / "Season 01" / "Kämpfer des Lichts - S01E01 - Anfang [German Dub].mkv")
    put(one / "Season 01" / "Kämpfer des Lichts - S01E02 - Weiter [German Sub].mkv")
    put(one / "Season 00" / "Kämpfer des Lichts - S00E01 - Der Film [German Dub].mkv")
    put(one / "Season 01" / "Kämpfer des Lichts - S01E03 - Leer [German Dub].mkv", size=0)
    put(one / "Season 01" / "Kämpfer des Lichts - S01E04.mkv.part")
    put(one / ".aniworld" / "partial" / "3" / "S01E05.mkv")
    put(one / "cover.jpg")
    two = tmp_path / "Other Show [1080p]"
    put(two / "Other Show - S01E005 - (German Dub).mp4")
    put(two / "Staffel 2" / "Episode 3 EngSub.mkv")
    put(two / "Filme" / "Other Show - Movie 001 - (German Dub).mp4")
    put(tmp_path / ".hidden" / "Show S01E01.mkv")
    put(tmp_path / ".aniworld" / "covers" / "aniworld" / "show-0123456789abcdef.jpg")
    put(tmp_path / "loose file S01E01.mkv")
    age(tmp_path)
    return tmp_path


def episodes(scan: FolderScan) -> list[tuple[int, int, Language | None]]:
    """(season, episode, language) of a folder's files."""
    return [(f.season, f.episode, f.language) for f in scan.files]


def test_full_scan(library: Path) -> None:
    result = scan_tree(library)
    assert sorted(result) == ["Kämpfer des Lichts (2019)", "Other Show [1080p]"]
    first = result["Kämpfer des Lichts (2019)"]
    assert (first.title_guess, first.year_guess, first.marker) == ("Kämpfer des Lichts", 2019,
                                                                   None)
    assert episodes(first) == [(0, 1, Language.GERMAN_DUB), (1, 1, Language.GERMAN_DUB),
                               (1, 2, Language.GERMAN_SUB)]
    assert first.path == str(library / "Kämpfer des Lichts (2019)")
    assert first.mtime_ns == (library / "Kämpfer des Lichts (2019)").stat().st_mtime_ns
    second = result["Other Show [1080p]"]
    assert (second.title_guess, second.year_guess) == ("Other Show", None)
    assert episodes(second) == [(0, 1, Language.GERMAN_DUB), (1, 5, Language.GERMAN_DUB),
                                (2, 3, Language.ENGLISH_SUB)]
    assert all(f.size == 1 for f in second.files)


def test_marker_is_read(library: Path) -> None:
    marker = Marker("aniworld", "other-show", "Other Show")
    write_marker(library / "Other Show [1080p]", marker)
    assert scan_tree(library)["Other Show [1080p]"].marker == marker


def test_empty_library(tmp_path: Path) -> None:
    assert scan_tree(tmp_path) == {}


def test_missing_root_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        scan_tree(tmp_path / "absent")


@pytest.mark.parametrize(("name", "title", "year"), [
    ("Title (2019)", "Title", 2019),
    ("Title [2019]", "Title", 2019),
    ("Title", "Title", None),
    ("Title (2019) [1080p] [German Dub]", "Title", 2019),
    ("[Group] Title [1080p]", "Title", None),
    ("Title_With_Underscores", "Title With Underscores", None),
    ("Re:Zero - Starting Life (2016)", "Re:Zero - Starting Life", 2016),
    ("Blade Runner 2049", "Blade Runner 2049", None),
    ("[1080p]", "[1080p]", None),
])
def test_guess_title(name: str, title: str, year: int | None) -> None:
    assert guess_title(name) == (title, year)


class CountingReader:
    """Wraps read_folder and records which folders were read."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.real = scanner.read_folder

    def __call__(self, path: str, name: str) -> FolderScan:
        self.names.append(name)
        return self.real(path, name)


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> CountingReader:
    """Count the folders a scan reads."""
    counting = CountingReader()
    monkeypatch.setattr(scanner, "read_folder", counting)
    return counting


def test_unchanged_rescan_reads_nothing(library: Path, reader: CountingReader) -> None:
    first = scan_tree(library)
    assert len(reader.names) == 2
    second = scan_tree(library, first)
    assert len(reader.names) == 2
    assert second == first
    assert all(second[name] is first[name] for name in first)


def test_new_file_in_season_folder_rereads_that_series(library: Path,
                                                       reader: CountingReader) -> None:
    first = scan_tree(library)
    put(library / "Other Show [1080p]" / "Staffel 2" / "Episode 4 EngSub.mkv")
    second = scan_tree(library, first)
    assert reader.names[2:] == ["Other Show [1080p]"]
    assert (2, 4, Language.ENGLISH_SUB) in episodes(second["Other Show [1080p]"])


def test_removed_file_and_new_season_folder(library: Path, reader: CountingReader) -> None:
    first = scan_tree(library)
    folder = library / "Kämpfer des Lichts (2019)"
    (folder / "Season 01" / "Kämpfer des Lichts - S01E02 - Weiter [German Sub].mkv").unlink()
    put(folder / "Season 02" / "Kämpfer des Lichts - S02E01 - Neu [German Dub].mkv")
    second = scan_tree(library, first)
    assert reader.names[2:] == ["Kämpfer des Lichts (2019)"]
    assert [(s, e) for s, e, _ in episodes(second["Kämpfer des Lichts (2019)"])] == [
        (0, 1), (1, 1), (2, 1)]


def test_deleted_and_added_series_folders(library: Path, reader: CountingReader) -> None:
    first = scan_tree(library)
    for path in sorted((library / "Other Show [1080p]").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (library / "Other Show [1080p]").rmdir()
    put(library / "New Show" / "New Show S01E01.mkv")
    second = scan_tree(library, first)
    assert sorted(second) == ["Kämpfer des Lichts (2019)", "New Show"]
    assert reader.names[2:] == ["New Show"]


def test_deleted_season_folder_is_noticed(library: Path, reader: CountingReader) -> None:
    first = scan_tree(library)
    series = library / "Kämpfer des Lichts (2019)"
    before = series.stat().st_mtime_ns
    season = series / "Season 00"
    for path in season.iterdir():
        path.unlink()
    season.rmdir()
    os.utime(series, ns=(before, before))  # the parent's time alone would not show it
    second = scan_tree(library, first)
    assert reader.names[2:] == ["Kämpfer des Lichts (2019)"]
    assert (0, 1) not in {(s, e) for s, e, _ in episodes(second["Kämpfer des Lichts (2019)"])}


def test_recently_changed_folder_is_read_again(library: Path, reader: CountingReader) -> None:
    put(library / "Other Show [1080p]" / "Other Show - S01E006.mp4")  # inside the racy window
    first = scan_tree(library)
    second = scan_tree(library, first)
    assert reader.names[2:] == ["Other Show [1080p]"]
    assert second["Kämpfer des Lichts (2019)"] is first["Kämpfer des Lichts (2019)"]


def test_renamed_root_rereads(library: Path, tmp_path_factory: pytest.TempPathFactory,
                              reader: CountingReader) -> None:
    first = scan_tree(library)
    moved = tmp_path_factory.mktemp("moved") / "lib"
    library.rename(moved)
    assert sorted(scan_tree(moved, first)) == sorted(first)
    assert len(reader.names) == 4
