"""The scan status in the database, and one whole scan from folder to status."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library.marker import MARKER_NAME
from aniworld.models import FolderState, LibraryFile, LibraryFolder, utcnow
from aniworld.phrases import Phrase, render
from aniworld.services.library import scan_state
from aniworld.services.library.folders import unmatched_folders
from aniworld.services.library.scan_state import ScanStatus
from aniworld.services.settings_store import set_setting
from aniworld.site import SiteClient
from aniworld.tasks import scan
from aniworld.tasks.scan import ScanSummary, run_library_scan
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import (
    ClientFactory,
    age,
    folder_named,
    put,
    store,
    store_new,
)


def saved(session: Session, **fields: object) -> None:
    """Store a scan status as another process would have left it (committed)."""
    set_setting(session, scan_state.STATUS_KEY, asdict(ScanStatus(**fields)))  # type: ignore[arg-type]
    session.commit()


def no_site(site: str) -> SiteClient:
    raise AssertionError("this scan must not talk to the site")


def test_request_twice_enqueues_once(session: Session) -> None:
    assert scan_state.load_status(session) == ScanStatus()
    first, needed = scan_state.request_scan(session)
    session.commit()
    assert needed and first.state == scan_state.QUEUED and first.active
    assert first.requested_at is not None and first.phase == "waiting for a worker"
    second, needed = scan_state.request_scan(session)
    assert not needed and second == first


def test_running_scan_is_not_requested_again_until_stale(session: Session) -> None:
    recent = (utcnow() - timedelta(minutes=1)).isoformat()
    saved(session, state=scan_state.RUNNING, requested_at=recent, updated_at=recent)
    assert scan_state.request_scan(session)[1] is False
    old = (utcnow() - scan_state.STALE_AFTER - timedelta(seconds=5)).isoformat()
    saved(session, state=scan_state.RUNNING, requested_at=old, updated_at=old,
          message="Scanned 3 folder(s)")
    assert scan_state.load_status(session).stale()
    status, needed = scan_state.request_scan(session)
    assert needed and status.state == scan_state.QUEUED and not status.stale()
    assert status.message == "Scanned 3 folder(s)"  # the last result stays visible


def test_stale_queued_scan_without_progress_can_be_requested(session: Session) -> None:
    old = (utcnow() - timedelta(hours=1)).isoformat()
    saved(session, state=scan_state.QUEUED, requested_at=old)
    assert scan_state.request_scan(session)[1] is True


def test_finished_or_failed_scan_can_be_requested(session: Session) -> None:
    for state in (scan_state.FINISHED, scan_state.FAILED, scan_state.IDLE):
        saved(session, state=state, updated_at=(utcnow() - timedelta(seconds=1)).isoformat())
        assert scan_state.request_scan(session)[1] is True
        session.rollback()


def test_status_progress_and_json(session: Session) -> None:
    scan_state.request_scan(session)
    began = scan_state.begin(session)
    assert (began.state, began.phase, began.started_at is not None) == (
        scan_state.RUNNING, "reading folders", True)
    status = scan_state.report(session, "matching folders", 3, 12)
    assert (status.percent, status.active, status.requested_at) == (25, True,
                                                                    began.requested_at)
    data = status.as_dict()
    assert data["percent"] == 25 and data["active"] is True and data["phase"] == "matching folders"
    done = scan_state.finish(session, "all good")
    assert (done.state, done.phase, done.message, done.active) == (scan_state.FINISHED, "",
                                                                    "all good", False)
    assert not done.stale(utcnow() + timedelta(days=1))
    failed = scan_state.finish(session, "broken", failed=True)
    assert failed.state == scan_state.FAILED
    session.commit()
    assert scan_state.load_status(session) == failed


def test_unknown_fields_in_the_stored_status_are_ignored(session: Session) -> None:
    set_setting(session, scan_state.STATUS_KEY, {"state": "finished", "future_field": 1})
    assert scan_state.load_status(session) == ScanStatus(state="finished")


def test_scan_of_a_missing_folder_fails_readably_and_keeps_the_last_scan(
        sessions: sessionmaker[Session], library: Path) -> None:
    store_new(sessions, library, "Roter Mond/Roter Mond - S01E01.mkv")
    missing = library.parent / "not-mounted"
    with pytest.raises(OSError):
        run_library_scan(sessions, missing, no_site)
    with sessions() as session:
        status = scan_state.load_status(session)
        assert status.state == scan_state.FAILED and not status.active
        assert status.message == (f"The library folder {missing} does not exist; "
                                  "check it in Settings.")
        # An unmounted share must not wipe what the last scan found.
        assert session.scalar(select(func.count(LibraryFolder.id))) == 1
        assert session.scalar(select(func.count(LibraryFile.id))) == 1


def test_an_emptied_library_folder_is_not_taken_for_an_empty_library(
        sessions: sessionmaker[Session], library: Path) -> None:
    # An unmounted share often leaves an empty mount point behind.
    put(library / "Roter Mond" / "Roter Mond - S01E01.mkv")
    empty = library.parent / "mount-point"
    empty.mkdir()
    store(sessions, library)
    with pytest.raises(scan.LibraryFolderEmpty):
        run_library_scan(sessions, empty, no_site)
    with sessions() as session:
        status = scan_state.load_status(session)
        assert status.state == scan_state.FAILED
        assert "is empty, but the last scan found 1 series folder(s)" in status.message
        assert session.scalar(select(func.count(LibraryFolder.id))) == 1
    put(empty / "Blauer Drache" / "S01E01.mkv")
    assert run_library_scan(sessions, empty, no_site, match=False).removed == 1


def test_scan_of_an_unreadable_folder_fails_readably(sessions: sessionmaker[Session],
                                                     library: Path) -> None:
    file_root = library / "a-file"
    file_root.write_text("not a folder")
    with pytest.raises(OSError):
        run_library_scan(sessions, file_root, no_site)
    with sessions() as session:
        status = scan_state.load_status(session)
        assert status.state == scan_state.FAILED
        assert status.message.startswith(f"The library folder {file_root} cannot be read (")


def test_unexpected_error_is_recorded_and_raised(sessions: sessionmaker[Session],
                                                 library: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(scan, "store_scans", broken)
    with pytest.raises(RuntimeError):
        run_library_scan(sessions, library, no_site)
    with sessions() as session:
        assert scan_state.load_status(session).message == (
            "The scan failed (RuntimeError: boom); see the worker log.")


def test_scan_without_matching_opens_no_client(sessions: sessionmaker[Session],
                                               library: Path) -> None:
    put(library / "Blauer Drache" / "S01E01.mkv")
    summary = run_library_scan(sessions, library, no_site, match=False)
    assert (summary.folders, summary.reread, summary.matched, summary.unmatched) == (1, 1, 0, 1)


def test_whole_scan_records_its_summary(sessions: sessionmaker[Session], library: Path,
                                        clients: ClientFactory, fakesite: FakeSite) -> None:
    put(library / "Blauer Drache" / "Blauer Drache - S01E01.mkv")
    put(library / "Roter Mond (2020)" / "Season 01" / "Roter Mond - S01E02 [German Sub].mkv")
    put(library / "Drache" / "Drache - S01E01.mkv")
    (library / "empty").mkdir()
    age(library)
    with sessions() as session:
        scan_state.request_scan(session)
        session.commit()
    summary = run_library_scan(sessions, library, clients)
    assert (summary.folders, summary.reread, summary.removed, summary.matched,
            summary.unmatched, summary.stopped) == (4, 4, 0, 2, 2, "")
    assert summary.message.startswith("Scanned 4 folder(s) in ")
    assert summary.message.endswith("(4 re-read, 0 gone); 2 matched, 2 need your choice.")
    with sessions() as session:
        status = scan_state.load_status(session)
        assert (status.state, status.message, status.active) == (scan_state.FINISHED,
                                                                 summary.message, False)
        assert status.started_at is not None and status.finished_at is not None
    # Unchanged library, markers in place: nothing is re-read, nothing asked of the site.
    age(library)
    store(sessions, library)  # the markers written by matching changed two folders
    fakesite.clear_requests()
    again = run_library_scan(sessions, library, clients)
    assert (again.reread, again.matched, again.unmatched) == (0, 2, 2)
    assert fakesite.requests == []


def test_message_mentions_a_stopped_match() -> None:
    summary = ScanSummary(2, 1, 0, 1, 1, 0.25, "the site asks for a browser check")
    assert summary.message == ("Scanned 2 folder(s) in 0.2 s (1 re-read, 0 gone); 1 matched, "
                               "1 need your choice. Matching stopped: the site asks for a "
                               "browser check")


def test_matching_progress_is_written(sessions: sessionmaker[Session], library: Path,
                                      clients: ClientFactory,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "PROGRESS_INTERVAL", 0.0)
    seen: list[tuple[str, int, int]] = []
    original = scan_state.report

    def spy(session: Session, phase: str, done: int, total: int) -> ScanStatus:
        seen.append((phase, done, total))
        return original(session, phase, done, total)

    monkeypatch.setattr(scan_state, "report", spy)
    for name in ("Blauer Drache", "Roter Mond", "Stiller Fluss"):
        put(library / name / "S01E01.mkv")
    run_library_scan(sessions, library, clients)
    assert seen == [("matching folders", 0, 0), ("matching folders", 0, 3),
                    ("matching folders", 1, 3), ("matching folders", 2, 3)]



def test_one_bad_marker_fails_its_folder_not_the_scan(sessions: sessionmaker[Session],
                                                      library: Path,
                                                      clients: ClientFactory) -> None:
    put(library / "Blauer Drache" / "Blauer Drache - S01E01.mkv")
    put(library / "Roter Mond (2020)" / "Roter Mond - S01E02.mkv")
    bad = {"Kaputt": '{"site": "aniworld", "key": ',
           "Schlecht": '{"site": "aniworld", "key": "../../etc", "title": "x"}',
           "Leer": '{"site": "aniworld", "title": "x"}',
           "Unbekannt": '{"site": "aniworld", "key": "gibt-es-nicht", "title": "x"}'}
    for name, text in bad.items():
        put(library / name / "Blauer Drache - S01E01.mkv")
        (library / name / MARKER_NAME).write_text(text)
    summary = run_library_scan(sessions, library, clients)
    assert (summary.folders, summary.matched, summary.unmatched, summary.stopped) == (
        6, 2, 4, "")
    with sessions() as session:
        reasons = {folder.name: folder.reason for folder in unmatched_folders(session)}
    assert reasons["Kaputt"].startswith(".aniworld.json is not valid JSON (")
    assert reasons["Schlecht"].startswith(".aniworld.json names '../../etc', which is not a "
                                          "series key")
    assert reasons["Leer"].startswith('.aniworld.json needs the texts "site" and "key"')
    assert reasons["Kaputt"].endswith("; fix or delete it and scan again, or pick the series "
                                      "here")
    assert reasons["Unbekannt"] == ("the marker names 'gibt-es-nicht', which the site does "
                                    "not know (any more)")
    assert not (library.parent / "etc").exists()
    # Fixed in place (the folder's time does not move): the next scan reads it again.
    (library / "Kaputt" / MARKER_NAME).write_text(
        '{"site": "aniworld", "key": "stiller-mond", "title": "Stiller Mond"}')
    (library / "Leer" / MARKER_NAME).unlink()
    again = run_library_scan(sessions, library, clients)
    with sessions() as session:
        assert folder_named(session, "Kaputt").state == FolderState.MATCHED
        assert folder_named(session, "Kaputt").series.key == "stiller-mond"
        leer = folder_named(session, "Leer")  # searched by its title this time
        assert leer.match_tried and not leer.reason.startswith(".aniworld.json")
    assert again.unmatched == 3


def test_the_finished_scan_keeps_its_sentence_as_a_phrase_for_the_page(
        session: Session) -> None:
    phrase = Phrase("The library folder %(folder)s does not exist; check it in Settings.",
                    folder="/lib")
    status = scan_state.finish(session, phrase, failed=True)
    assert status.message == "The library folder /lib does not exist; check it in Settings."
    assert render(status.sentence, "de") == ("Der Bibliotheksordner /lib existiert nicht; "
                                             "prüfe ihn in den Einstellungen.")
    assert "message_phrase" not in status.as_dict()  # the API stays English
