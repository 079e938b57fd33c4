"""Scan results in the database: incremental storing, and linking folders without the site."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library import Marker, read_marker, write_marker
from aniworld.library.marker import MARKER_NAME
from aniworld.models import FolderState, LibraryFile, LibraryFolder, Series
from aniworld.services.library.folders import (
    StoreResult,
    candidates_of,
    ignore,
    link,
    link_known,
    unmatched_folders,
)
from tests.db_fixtures import count_statements
from tests.services.library.conftest import (
    add_series,
    age,
    folder_named,
    put,
    store,
    store_new,
    stored_files,
)

BLAU = "Blauer Drache (2020)"
ROT = "Roter Mond"


def writes(statements: list[str]) -> list[str]:
    """The statements among ``statements`` that change data."""
    return [s for s in statements if s.lstrip().split()[0].upper() in {"INSERT", "UPDATE",
                                                                       "DELETE"}]


def build(root: Path) -> None:
    """Two series folders in the two usual layouts (season folders, flat files)."""
    put(root / BLAU / "Season 01" / "Blauer Drache - S01E01 - Anfang [German Sub].mkv", 10)
    put(root / BLAU / "Season 01" / "Blauer Drache - S01E02 - Weiter [German Dub].mp4", 20)
    put(root / BLAU / "cover.jpg")
    put(root / ROT / "Roter Mond - S01E01.mkv", 30)
    put(root / "loose S01E01.mkv")  # a file directly in the root is no series folder
    age(root)


def build_and_store(sessions: sessionmaker[Session], root: Path) -> StoreResult:
    """``build`` the two series folders, then scan them once."""
    build(root)
    return store(sessions, root)


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_scan_writes_folders_and_files(sessions: sessionmaker[Session],
                                             library: Path) -> None:
    result = build_and_store(sessions, library)
    assert (result.written, result.removed, result.unchanged) == (2, 0, 0)
    with sessions() as session:
        blau = folder_named(session, BLAU)
        assert (blau.title_guess, blau.year_guess, blau.file_count) == ("Blauer Drache", 2020, 2)
        assert blau.folder_state is FolderState.UNMATCHED and not blau.match_tried
        assert set(json.loads(blau.dir_mtimes)) == {str(library / BLAU),
                                                     str(library / BLAU / "Season 01")}
        assert stored_files(session, BLAU) == [
            (1, 1, "german-sub", "Season 01/Blauer Drache - S01E01 - Anfang [German Sub].mkv"),
            (1, 2, "german-dub", "Season 01/Blauer Drache - S01E02 - Weiter [German Dub].mp4"),
        ]
        assert stored_files(session, ROT) == [(1, 1, None, "Roter Mond - S01E01.mkv")]
        sizes = sorted(session.scalars(select(LibraryFile.size)))
        assert sizes == [10, 20, 30]
        assert [f.name for f in unmatched_folders(session)] == [BLAU, ROT]


def test_stored_folder_time_is_the_series_folders_own(sessions: sessionmaker[Session],
                                                      library: Path) -> None:
    build(library)
    season = library / BLAU / "Season 01"
    os.utime(season, ns=(season.stat().st_mtime_ns - 10**9,) * 2)
    store(sessions, library)
    with sessions() as session:
        assert folder_named(session, BLAU).mtime_ns == (library / BLAU).stat().st_mtime_ns


def test_rescan_without_changes_writes_nothing(sessions: sessionmaker[Session], library: Path,
                                               engine: Engine) -> None:
    build_and_store(sessions, library)
    with sessions() as session:
        before = {f.id: (f.name, f.scanned_at) for f in session.scalars(select(LibraryFolder))}
        file_ids = sorted(session.scalars(select(LibraryFile.id)))
    with count_statements(engine) as statements:
        result = store(sessions, library)
    assert (result.written, result.removed, result.unchanged) == (0, 0, 2)
    assert writes(statements) == []
    with sessions() as session:
        after = {f.id: (f.name, f.scanned_at) for f in session.scalars(select(LibraryFolder))}
        assert after == before
        assert sorted(session.scalars(select(LibraryFile.id))) == file_ids


def test_touching_one_folder_rewrites_only_it(sessions: sessionmaker[Session],
                                              library: Path) -> None:
    build_and_store(sessions, library)
    with sessions() as session:
        rot_scanned = folder_named(session, ROT).scanned_at
    result = store_new(sessions, library,
                       f"{BLAU}/Season 01/Blauer Drache - S01E03 - Ende [German Sub].mkv", size=40)
    assert (result.written, result.removed, result.unchanged) == (1, 0, 1)
    with sessions() as session:
        assert [row[:2] for row in stored_files(session, BLAU)] == [(1, 1), (1, 2), (1, 3)]
        assert folder_named(session, BLAU).file_count == 3
        assert folder_named(session, ROT).scanned_at == rot_scanned
        assert stored_files(session, ROT) == [(1, 1, None, "Roter Mond - S01E01.mkv")]


def test_new_season_folder_is_seen(sessions: sessionmaker[Session], library: Path) -> None:
    """A new subfolder changes the series folder's time; a file in it the subfolder's."""
    build_and_store(sessions, library)
    new = f"{BLAU}/Season 02/Blauer Drache - S02E01 [German Sub].mkv"
    assert store_new(sessions, library, new).written == 1
    new = f"{BLAU}/Season 02/Blauer Drache - S02E02 [German Sub].mkv"
    assert store_new(sessions, library, new).written == 1
    with sessions() as session:
        assert [row[:2] for row in stored_files(session, BLAU)] == [(1, 1), (1, 2), (2, 1),
                                                                     (2, 2)]


def test_removed_folder_disappears_with_its_files(sessions: sessionmaker[Session],
                                                  library: Path) -> None:
    build_and_store(sessions, library)
    with sessions() as session:
        rot_id = folder_named(session, ROT).id
    shutil.rmtree(library / ROT)
    result = store(sessions, library)
    assert (result.written, result.removed, result.unchanged) == (0, 1, 1)
    with sessions() as session:
        assert [f.name for f in session.scalars(select(LibraryFolder))] == [BLAU]
        assert session.scalar(select(func.count(LibraryFile.id))
                              .where(LibraryFile.folder_id == rot_id)) == 0
        assert count(session, LibraryFile) == 2


def test_recently_changed_folder_is_read_again(sessions: sessionmaker[Session],
                                               library: Path) -> None:
    """Within the racy window a folder's time is not trusted: the next scan re-reads it."""
    build(library)
    put(library / ROT / "Roter Mond - S01E02.mkv")  # ROT changed just now
    assert store(sessions, library).written == 2
    result = store(sessions, library)
    assert (result.written, result.unchanged) == (1, 1)
    age(library)
    store(sessions, library)
    assert store(sessions, library).written == 0


def test_appearing_marker_links_the_folder(sessions: sessionmaker[Session], library: Path) -> None:
    build(library)
    series = add_series(sessions, key="roter-mond-x", title="Ganz anders")
    store(sessions, library)
    with sessions() as check:
        assert folder_named(check, ROT).folder_state is FolderState.UNMATCHED
    write_marker(library / ROT, Marker("aniworld", "roter-mond-x", "Ganz anders"))
    age(library)
    assert store(sessions, library).written == 1
    with sessions() as check:
        rot = folder_named(check, ROT)
        assert (rot.folder_state, rot.series_id) == (FolderState.MATCHED, series)
        assert (rot.marker_site, rot.marker_key) == ("aniworld", "roter-mond-x")
        assert rot.match_tried and rot.reason == ""
        assert check.get(Series, series).folder == ROT  # type: ignore[union-attr]


def test_changed_or_removed_marker_relinks(sessions: sessionmaker[Session], library: Path) -> None:
    build(library)
    first = add_series(sessions, key="erste", title="Erste Serie")
    second = add_series(sessions, key="zweite", title="Zweite Serie")
    by_title = add_series(sessions, key="roter-mond", title="Roter Mond")
    write_marker(library / ROT, Marker("aniworld", "erste", "Erste Serie"))
    age(library)
    store(sessions, library)
    with sessions() as check:
        assert folder_named(check, ROT).series_id == first
    write_marker(library / ROT, Marker("aniworld", "zweite", "Zweite Serie"))
    age(library)
    store(sessions, library)
    with sessions() as check:
        assert folder_named(check, ROT).series_id == second
    (library / ROT / MARKER_NAME).unlink()
    age(library)
    store(sessions, library)
    with sessions() as check:
        rot = folder_named(check, ROT)
        # Without the marker the title decides, and the title link writes a new marker.
        assert (rot.folder_state, rot.series_id) == (FolderState.MATCHED, by_title)
        # The marker it wrote is recorded, so the next scan does not unlink and relink.
        assert rot.marker_key == "roter-mond"
    age(library)
    store(sessions, library)
    with sessions() as check:
        assert folder_named(check, ROT).series_id == by_title
    assert read_marker(library / ROT) == Marker("aniworld", "roter-mond", "Roter Mond")


def test_marker_of_a_known_series_links_without_rewriting_it(
        sessions: sessionmaker[Session], library: Path) -> None:
    series = add_series(sessions, key="blauer-drache", title="Blauer Drache", year=2020)
    build(library)
    # The marker's title is only a hint for people; the key decides.
    write_marker(library / BLAU, Marker("aniworld", "blauer-drache", "Alter Titel"))
    marker_file = library / BLAU / MARKER_NAME
    stamp = marker_file.stat().st_mtime_ns
    age(library)
    store(sessions, library)
    with sessions() as check:
        blau = folder_named(check, BLAU)
        assert (blau.folder_state, blau.series_id) == (FolderState.MATCHED, series)
        assert unmatched_folders(check) == [folder_named(check, ROT)]
    assert marker_file.stat().st_mtime_ns == stamp
    assert read_marker(library / BLAU) == Marker("aniworld", "blauer-drache", "Alter Titel")


def test_title_equal_to_a_series_links_and_writes_the_marker(
        sessions: sessionmaker[Session], library: Path) -> None:
    series = add_series(sessions, key="blauer-drache", title="Blauer Drache", year=2020)
    build_and_store(sessions, library)
    with sessions() as check:
        blau = folder_named(check, BLAU)
        assert (blau.folder_state, blau.series_id) == (FolderState.MATCHED, series)
        assert check.get(Series, series).folder == BLAU  # type: ignore[union-attr]
    assert read_marker(library / BLAU) == Marker("aniworld", "blauer-drache", "Blauer Drache")
    # The marker bumped the folder's time: the next scan reads the folder again, finds the
    # marker naming the same series and keeps the link (no network, nothing lost).
    age(library)
    assert store(sessions, library).written == 1
    with sessions() as check:
        blau = folder_named(check, BLAU)
        assert (blau.folder_state, blau.series_id) == (FolderState.MATCHED, series)
        assert blau.marker_key == "blauer-drache"
    age(library)
    assert store(sessions, library).written == 0


def test_title_link_keeps_a_series_folder_already_set(
        sessions: sessionmaker[Session], library: Path) -> None:
    series = add_series(sessions, key="roter-mond", title="Roter Mond",
                        folder="Roter Mond (2020)")
    build_and_store(sessions, library)
    with sessions() as check:
        assert folder_named(check, ROT).series_id == series
        assert check.get(Series, series).folder == "Roter Mond (2020)"  # type: ignore[union-attr]


def test_title_with_umlauts_and_punctuation_links(
        sessions: sessionmaker[Session], library: Path) -> None:
    series = add_series(sessions, key="kaempfer", title="Kämpfer des Lichts: Die Rückkehr",
                        year=2019)
    store_new(sessions, library, "Kaempfer des Lichts - Die Rueckkehr [2019] [1080p]/S01E01.mkv")
    with sessions() as check:
        folder = folder_named(check, "Kaempfer des Lichts - Die Rueckkehr [2019] [1080p]")
        assert folder.series_id == series


def test_ambiguous_or_wrong_year_title_stays_unmatched(
        sessions: sessionmaker[Session], library: Path) -> None:
    add_series(sessions, key="roter-mond-2010", title="Roter Mond", year=2010)
    add_series(sessions, key="roter-mond-2020", title="Roter Mond", year=2020)
    add_series(sessions, key="blauer-drache-1999", title="Blauer Drache", year=1999)
    build_and_store(sessions, library)
    with sessions() as check:
        rot, blau = folder_named(check, ROT), folder_named(check, BLAU)
        # Two series share the title and the folder names no year: the user decides.
        assert (rot.folder_state, rot.series_id, rot.match_tried) == (
            FolderState.UNMATCHED, None, False)
        # Same title, but the folder's year differs.
        assert (blau.folder_state, blau.series_id) == (FolderState.UNMATCHED, None)
    assert read_marker(library / ROT) is None and read_marker(library / BLAU) is None


def test_year_in_the_folder_name_picks_among_same_titles(
        sessions: sessionmaker[Session], library: Path) -> None:
    add_series(sessions, key="roter-mond-2010", title="Roter Mond", year=2010)
    newer = add_series(sessions, key="roter-mond-2020", title="Roter Mond", year=2020)
    store_new(sessions, library, "Roter Mond (2020)/Roter Mond - S01E01.mkv")
    with sessions() as check:
        assert folder_named(check, "Roter Mond (2020)").series_id == newer


def test_ignored_folder_stays_ignored_across_rescans(
        sessions: sessionmaker[Session], library: Path) -> None:
    build_and_store(sessions, library)
    with sessions() as change:
        ignore(change, folder_named(change, ROT))
        change.commit()
    # A series with the folder's title, new files and even a marker do not undo "ignore".
    series = add_series(sessions, key="roter-mond", title="Roter Mond")
    assert store_new(sessions, library, f"{ROT}/Roter Mond - S01E02.mkv").written == 1
    write_marker(library / ROT, Marker("aniworld", "roter-mond", "Roter Mond"))
    age(library)
    store(sessions, library)
    with sessions() as check:
        rot = folder_named(check, ROT)
        assert (rot.folder_state, rot.series_id) == (FolderState.IGNORED, None)
        assert rot.file_count == 2 and rot.marker_key == "roter-mond"
        assert ROT not in [f.name for f in unmatched_folders(check)]
        assert link_known(check, rot, library) is False
        assert check.get(Series, series).folder is None  # type: ignore[union-attr]


def test_ignoring_a_matched_folder_unlinks_it(
        sessions: sessionmaker[Session], library: Path) -> None:
    add_series(sessions, key="roter-mond", title="Roter Mond")
    build_and_store(sessions, library)
    with sessions() as change:
        rot = folder_named(change, ROT)
        assert rot.folder_state is FolderState.MATCHED
        ignore(change, rot)
        change.commit()
    with sessions() as check:
        rot = folder_named(check, ROT)
        assert (rot.folder_state, rot.series_id, rot.reason) == (FolderState.IGNORED, None, "")


def test_link_writes_a_marker_or_returns_a_warning(library: Path, session: Session) -> None:
    series = Series(key="stiller-fluss", title="Stiller Fluss")
    put(library / "Fluss" / "S01E01.mkv")
    # Something the marker cannot replace sits in its place: the write fails even for root.
    put(library / "Blocked" / MARKER_NAME / "keep")
    folder = LibraryFolder(name="Fluss", candidates='[{"key": "x"}]', reason="no match")
    blocked = LibraryFolder(name="Blocked")
    session.add_all([series, folder, blocked])
    session.flush()
    assert link(session, folder, series, root=library) is None
    assert (folder.folder_state, folder.series_id, folder.reason, folder.candidates) == (
        FolderState.MATCHED, series.id, "", "[]")
    assert read_marker(library / "Fluss") == Marker("aniworld", "stiller-fluss", "Stiller Fluss")
    warning = link(session, blocked, series, root=library)
    assert warning is not None and str(warning).startswith(f"could not write {library / 'Blocked'}")
    assert blocked.folder_state is FolderState.MATCHED  # the link itself holds in the database
    assert series.folder == "Fluss"
    assert [p.name for p in (library / "Blocked").iterdir()] == [MARKER_NAME]  # no temp file
    assert link(session, blocked, series) is None  # without root nothing is written
    session.commit()


def test_link_never_writes_outside_the_library(library: Path, session: Session) -> None:
    series = Series(key="stiller-fluss", title="Stiller Fluss")
    (library.parent / "outside").mkdir()
    escaping = [LibraryFolder(name=name) for name in ("../outside", "..", "a/../../outside")]
    session.add_all([series, *escaping])
    session.flush()
    for folder in escaping:
        warning = link(session, folder, series, root=library)
        assert warning is not None and "is not a folder directly in the library" in str(warning)
    assert not (library.parent / MARKER_NAME).exists()
    assert list((library.parent / "outside").iterdir()) == []
    session.rollback()


def test_candidates_of_tolerates_bad_json() -> None:
    """Candidates stored before s.to was read have no site: they are aniworld's."""
    assert candidates_of(LibraryFolder(candidates='[{"key": "a", "title": "A"}, 3]')) == [
        {"site": "aniworld", "key": "a", "title": "A"}]
    stored = '[{"site": "sto", "key": "a", "title": "A"}]'
    assert candidates_of(LibraryFolder(candidates=stored))[0]["site"] == "sto"
    assert candidates_of(LibraryFolder(candidates="not json")) == []
    assert candidates_of(LibraryFolder(candidates='{"key": "a"}')) == []


def test_title_links_read_the_series_once_per_scan(sessions: sessionmaker[Session],
                                                   library: Path, engine: Engine) -> None:
    """A first scan of many folders beside many series must not compare them pairwise."""
    with sessions() as session:
        session.add_all([Series(key=f"serie-{n}", title=f"Serie {n}") for n in range(40)])
        session.commit()
    for number in range(0, 80, 2):  # half of them have a series of their title
        put(library / f"Serie {number}" / "S01E01.mkv")
    age(library)
    with count_statements(engine) as statements:
        assert store(sessions, library).written == 40
    series_reads = [s for s in statements
                    if s.lstrip().upper().startswith("SELECT") and "FROM series" in s]
    # One read of every title, then one row per linked folder.
    assert len(series_reads) <= 1 + 20
    with sessions() as session:
        assert session.scalar(select(func.count(LibraryFolder.id)).where(
            LibraryFolder.state == FolderState.MATCHED)) == 20
