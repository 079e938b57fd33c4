"""The library scan as an RQ job on the ``library`` queue, with real processes and Redis.

Also the download side of the library: a download lands in the series' matched folder and
marks the folder it lands in (``adopt_series_folder``).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import select

from aniworld.languages import Language
from aniworld.library import Marker, read_marker, write_marker
from aniworld.library.marker import MARKER_NAME
from aniworld.models import FolderState, LibraryFile, LibraryFolder, Series
from aniworld.naming import DEFAULT_TEMPLATE, render_path
from aniworld.services.execution import Claim
from aniworld.services.library import scan_state
from aniworld.services.series import find_series
from aniworld.tasks import dispatch
from aniworld.tasks.download.runner import adopt_series_folder
from tests.harness import SCHEDULER_MODULE, WORKER_MODULE
from tests.services.library.conftest import put, read_only
from tests.system.conftest import Stack

SUB = Language.GERMAN_SUB


def start_library_worker(stack: Stack, name: str = "library-worker") -> subprocess.Popen[bytes]:
    """The worker that serves only the library queue (``WORKER_MODULE library``)."""
    return stack.start(WORKER_MODULE, name, dispatch.LIBRARY_QUEUE)


def request(stack: Stack) -> bool:
    """Ask for a scan as the web page does: record it in the database, then enqueue it."""
    with stack.sessions() as session:
        _, needed = scan_state.request_scan(session)
        session.commit()
    return needed and dispatch.enqueue_scan(stack.redis())


def status(stack: Stack) -> scan_state.ScanStatus:
    with stack.sessions() as session:
        return scan_state.load_status(session)


def wait_finished(stack: Stack, timeout: float = 60.0) -> scan_state.ScanStatus:
    stack.wait_for(lambda: status(stack).state in (scan_state.FINISHED, scan_state.FAILED),
                   timeout, "the scan to end")
    return status(stack)


def folders(stack: Stack) -> dict[str, tuple[str, str | None]]:
    """Stored folders: name -> (state, key of the linked series)."""
    with stack.sessions() as session:
        rows = session.execute(select(LibraryFolder.name, LibraryFolder.state, Series.key)
                               .outerjoin(Series, LibraryFolder.series_id == Series.id))
        return {name: (state, key) for name, state, key in rows}


def scan_job_exists(connection: redis.Redis) -> bool:
    return Job.exists(dispatch.SCAN_JOB_ID, connection=connection)


def scan_job_failed(connection: redis.Redis) -> bool:
    """RQ's verdict on the scan job (written by the worker after the job's own status)."""
    job = Job.fetch(dispatch.SCAN_JOB_ID, connection=connection, serializer=JSONSerializer)
    return job.is_failed


def build_library(library: Path) -> None:
    put(library / "Blauer Drache" / "Season 01" / "Blauer Drache - S01E01 [German Sub].mkv")
    put(library / "Blauer Drache" / "Season 01" / "Blauer Drache - S01E02 [German Sub].mkv")
    put(library / "Drache" / "Drache - S01E01.mkv")


@pytest.mark.slow
def test_scan_job_runs_on_the_library_worker(stack: Stack) -> None:
    build_library(stack.library)
    connection = stack.redis()
    assert request(stack) is True
    # Asked again while it waits: neither the database nor Redis takes a second scan.
    assert request(stack) is False
    assert dispatch.enqueue_scan(connection) is False
    queue = dispatch.make_queue(connection, dispatch.LIBRARY_QUEUE)
    assert queue.job_ids == [dispatch.SCAN_JOB_ID]
    start_library_worker(stack)
    done = wait_finished(stack)
    assert done.state == scan_state.FINISHED, stack.logs()
    assert done.message.endswith("(2 re-read, 0 gone); 1 matched, 1 need your choice.")
    assert folders(stack) == {"Blauer Drache": (FolderState.MATCHED, "blauer-drache"),
                              "Drache": (FolderState.UNMATCHED, None)}
    with stack.sessions() as session:
        files = session.execute(select(LibraryFolder.name, LibraryFile.path, LibraryFile.season,
                                       LibraryFile.episode, LibraryFile.language)
                                .join(LibraryFolder)).all()
        assert sorted(tuple(f) for f in files) == [
            ("Blauer Drache", "Season 01/Blauer Drache - S01E01 [German Sub].mkv", 1, 1,
             "german-sub"),
            ("Blauer Drache", "Season 01/Blauer Drache - S01E02 [German Sub].mkv", 1, 2,
             "german-sub"),
            ("Drache", "Drache - S01E01.mkv", 1, 1, None)]
        series = find_series(session, "blauer-drache")
        assert series is not None and len(series.episodes) == 3
    assert read_marker(stack.library / "Blauer Drache") == Marker(
        "aniworld", "blauer-drache", "Blauer Drache")
    # result_ttl=0: a finished scan leaves nothing (RQ deletes it after the job returned).
    stack.wait_for(lambda: not scan_job_exists(connection), 30, "RQ to delete the done job")
    # Nothing left to do for the scheduler's reconciliation.
    assert dispatch.reconcile_scan(stack.sessions, connection) is False


@pytest.mark.slow
def test_reconcile_requeues_a_lost_scan_job(stack: Stack) -> None:
    build_library(stack.library)
    connection = stack.redis()
    assert request(stack) is True
    connection.flushall()  # Redis lost the job before any worker took it
    assert not scan_job_exists(connection)
    assert status(stack).active
    assert dispatch.reconcile_scan(stack.sessions, connection) is True
    assert scan_job_exists(connection)
    assert dispatch.reconcile_scan(stack.sessions, connection) is False  # alive again
    start_library_worker(stack)
    assert wait_finished(stack).state == scan_state.FINISHED, stack.logs()
    assert folders(stack)["Blauer Drache"] == (FolderState.MATCHED, "blauer-drache")


@pytest.mark.slow
def test_scheduler_enqueues_a_scan_requested_while_redis_was_away(stack: Stack) -> None:
    """The web page recorded the request but could not enqueue it: the scheduler does."""
    build_library(stack.library)
    with stack.sessions() as session:
        assert scan_state.request_scan(session)[1]
        session.commit()
    start_library_worker(stack)
    stack.start(SCHEDULER_MODULE, "scheduler")
    assert wait_finished(stack, timeout=60).state == scan_state.FINISHED, stack.logs()
    assert set(folders(stack)) == {"Blauer Drache", "Drache"}


@pytest.mark.slow
def test_scan_of_a_vanished_library_fails_the_job_readably(running_stack: Stack) -> None:
    stack = running_stack  # its one worker serves the library queue too
    missing = stack.tmp_path / "share"
    put(missing / "Roter Mond" / "Roter Mond - S01E01.mkv")
    stack.settings(library_dir=str(missing))
    shutil.rmtree(missing)  # the share went away after the setting was saved
    assert request(stack)
    done = wait_finished(stack)
    assert done.state == scan_state.FAILED
    assert done.message == f"The library folder {missing} does not exist; check it in Settings."
    connection = stack.redis()
    # The worker writes the job's failure to Redis after the job wrote its status: wait.
    stack.wait_for(lambda: scan_job_failed(connection), 30, "RQ to record the failed job")
    # A failed scan is not wanted any more: the scheduler does not retry it on its own.
    assert dispatch.reconcile_scan(stack.sessions, connection) is False


@pytest.mark.slow
def test_download_lands_in_the_matched_folder_and_marks_new_ones(running_stack: Stack) -> None:
    stack = running_stack  # its one worker serves the library queue too
    library = stack.library
    put(library / "Blauer Drache [1080p]" / "Staffel 1" / "Blauer Drache - S01E01 [GerSub].mkv")
    assert request(stack)
    assert wait_finished(stack).state == scan_state.FINISHED, stack.logs()
    with stack.sessions() as session:
        assert find_series(session, "blauer-drache").folder == "Blauer Drache [1080p]"  # type: ignore[union-attr]
    stack.add_series("roter-mond")
    matched = stack.wait_status(stack.queue("blauer-drache", 1, 2, SUB), "completed", "failed")
    fresh = stack.wait_status(stack.queue("roter-mond", 1, 1, SUB), "completed", "failed")
    assert matched.status.value == fresh.status.value == "completed", stack.logs()
    # Into the folder the user already has, with the template's season folder and name.
    assert Path(matched.file_path).parent == library / "Blauer Drache [1080p]" / "Season 01"
    assert Path(matched.file_path).name.startswith("Blauer Drache - S01E02 - ")
    # A series without a folder gets the template's, and the folder gets a marker.
    assert Path(fresh.file_path).parent == library / "Roter Mond (2020)" / "Season 01"
    assert read_marker(library / "Roter Mond (2020)") == Marker("aniworld", "roter-mond",
                                                               "Roter Mond")
    with stack.sessions() as session:
        assert find_series(session, "roter-mond").folder == "Roter Mond (2020)"  # type: ignore[union-attr]
    # The next scan links the new folder by its marker and counts both downloads.
    stack.fakesite.clear_requests()
    assert request(stack)
    assert wait_finished(stack).state == scan_state.FINISHED, stack.logs()
    assert folders(stack) == {
        "Blauer Drache [1080p]": (FolderState.MATCHED, "blauer-drache"),
        "Roter Mond (2020)": (FolderState.MATCHED, "roter-mond")}
    assert [r.path for r in stack.fakesite.requests if r.path.startswith("/ajax/")] == []
    with stack.sessions() as session:
        assert sorted(session.execute(select(LibraryFile.season, LibraryFile.episode,
                                             LibraryFile.language)).all()) == [
            (1, 1, "german-sub"), (1, 1, "german-sub"), (1, 2, "german-sub")]


@pytest.mark.slow
def test_a_symlinked_series_folder_is_scanned_and_downloaded_into(running_stack: Stack) -> None:
    """Libraries spread over several disks: the series folder links to another disk."""
    stack = running_stack  # its one worker serves the library queue too
    disk = stack.tmp_path / "disk2" / "Blauer Drache"
    put(disk / "Season 01" / "Blauer Drache - S01E01 [German Sub].mkv")
    stack.library.mkdir(parents=True, exist_ok=True)
    (stack.library / "Blauer Drache").symlink_to(disk, target_is_directory=True)
    assert request(stack)
    assert wait_finished(stack).state == scan_state.FINISHED, stack.logs()
    assert folders(stack) == {"Blauer Drache": (FolderState.MATCHED, "blauer-drache")}
    assert read_marker(disk) == Marker("aniworld", "blauer-drache", "Blauer Drache")
    stack.add_series("roter-mond")
    stack.settings(parallel_downloads=2)
    # Two items for the linked folder would once have held both slots forever.
    ids = [stack.queue("blauer-drache", 1, episode, SUB) for episode in (2, 3)]
    ids.append(stack.queue("roter-mond", 1, 1, SUB))
    done = [stack.wait_status(item_id, "completed", "failed") for item_id in ids]
    assert [item.status.value for item in done] == ["completed"] * 3, stack.logs()
    assert Path(done[0].file_path).parent == stack.library / "Blauer Drache" / "Season 01"
    # Only the videos: the episode .nfo files beside them arrive just after the commit.
    assert sorted(p.name[:22] for p in (disk / "Season 01").iterdir() if p.suffix != ".nfo") == [
        "Blauer Drache - S01E01", "Blauer Drache - S01E02", "Blauer Drache - S01E03"]


# adopt_series_folder, without processes

def claim(**fields: object) -> Claim:
    values: dict[str, object] = {
        "item_id": 1, "lease": "lease", "series_key": "blauer-drache", "series_site": "aniworld",
        "series_title": "Blauer Drache", "year": 2020, "series_folder": None, "season": 1,
        "episode": 2, "episode_title": "Zwei", "language": SUB, "language_fallback": False,
        "force": False, "previous_hoster": None, "attempts": 0}
    values.update(fields)
    return Claim(**values)  # type: ignore[arg-type]


def rendered(library: Path, series_folder: str | None = None,
             template: str = DEFAULT_TEMPLATE) -> Path:
    """The path the runner downloads to, with a file there."""
    path = render_path(library, template, series="Blauer Drache", year=2020, season=1,
                       episode=2, title="Zwei", language="German Sub", ext="mp4",
                       series_folder=series_folder)
    return put(path)


def test_adopt_writes_the_marker_once(tmp_path: Path) -> None:
    path = rendered(tmp_path)
    assert adopt_series_folder(tmp_path, claim(), path) == "Blauer Drache (2020)"
    marker = tmp_path / "Blauer Drache (2020)" / MARKER_NAME
    assert read_marker(marker.parent) == Marker("aniworld", "blauer-drache", "Blauer Drache")
    stamp = marker.stat().st_mtime_ns
    other = claim(series_key="roter-mond", series_title="Roter Mond")
    assert adopt_series_folder(tmp_path, other, path) == "Blauer Drache (2020)"
    assert marker.stat().st_mtime_ns == stamp
    assert read_marker(marker.parent) == Marker("aniworld", "blauer-drache", "Blauer Drache")


def test_adopt_keeps_a_marker_the_user_wrote(tmp_path: Path) -> None:
    path = rendered(tmp_path, series_folder="Meine Sammlung")
    write_marker(path.parents[1], Marker("aniworld", "anderer-key", "Handgeschrieben"))
    assert adopt_series_folder(tmp_path, claim(), path) == "Meine Sammlung"
    assert read_marker(path.parents[1]) == Marker("aniworld", "anderer-key", "Handgeschrieben")


def test_adopt_file_directly_in_the_library_root(tmp_path: Path) -> None:
    path = rendered(tmp_path, template="{series} - S{season:02}E{episode:02}.{ext}")
    assert path.parent == tmp_path
    assert adopt_series_folder(tmp_path, claim(), path) is None
    assert not (tmp_path / MARKER_NAME).exists()


def test_adopt_through_a_symlinked_library(tmp_path: Path) -> None:
    """render_path resolves the library; the runner passes the folder as configured."""
    real = tmp_path / "nas" / "anime"
    real.mkdir(parents=True)
    link = tmp_path / "anime"
    link.symlink_to(real, target_is_directory=True)
    path = rendered(link)
    assert path.is_relative_to(real)
    assert adopt_series_folder(link, claim(), path) == "Blauer Drache (2020)"
    assert read_marker(real / "Blauer Drache (2020)") is not None


def test_adopt_in_a_read_only_folder_logs_and_goes_on(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = rendered(tmp_path)
    with read_only(path.parents[1]), caplog.at_level(logging.WARNING):
        assert adopt_series_folder(tmp_path, claim(), path) == "Blauer Drache (2020)"
    assert read_marker(path.parents[1]) is None
    assert any("marker not written" in r.getMessage() for r in caplog.records)
    assert sorted(p.name for p in path.parents[1].iterdir()) == ["Season 01"]
    shutil.rmtree(tmp_path / "Blauer Drache (2020)")
