"""``flask scan``: the library scan in-process, against real files and the stand-in site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq.job import Job
from rq.serializers import JSONSerializer

from aniworld.extensions import db
from aniworld.models import FolderState, LibraryFolder, Series
from aniworld.services.library import scan_state
from aniworld.tasks import dispatch
from tests.fakesite.server import FakeSite
from tests.web.conftest import build_app, site_urls


def _put(root: Path, folder: str, *names: str) -> None:
    (root / folder).mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / folder / name).write_bytes(b"\x00video" * 64)


def _status(app: Flask) -> scan_state.ScanStatus:
    with app.app_context():
        return scan_state.load_status(db.session)


@pytest.fixture
def root(app_env: dict[str, str]) -> Path:
    return Path(app_env["ANIWORLD_LIBRARY_DIR"])


@pytest.fixture
def site_app(app_env: dict[str, str], fakesite: FakeSite) -> Flask:
    return build_app({**app_env, **site_urls(fakesite)})


def test_scan_matches_through_the_site(site_app: Flask, root: Path, fakesite: FakeSite) -> None:
    _put(root, "Blauer Drache", "Blauer Drache - S01E01 [GerSub].mkv")
    result = site_app.test_cli_runner().invoke(args=["scan"])
    assert result.exit_code == 0, result.output
    assert "Scanned 1 folder(s)" in result.output and "1 matched, 0 need" in result.output
    assert fakesite.requests_to("/ajax/search")
    assert (root / "Blauer Drache" / ".aniworld.json").is_file()
    with site_app.app_context():
        folder = db.session.scalars(db.select(LibraryFolder)).one()
        assert folder.state == FolderState.MATCHED and folder.series.key == "blauer-drache"
    status = _status(site_app)
    assert status.state == scan_state.FINISHED and status.message in result.output


def test_no_match_only_reads_the_folders(site_app: Flask, root: Path,
                                         fakesite: FakeSite) -> None:
    _put(root, "Blauer Drache", "Blauer Drache - S01E01 [GerSub].mkv")
    result = site_app.test_cli_runner().invoke(args=["scan", "--no-match"])
    assert result.exit_code == 0, result.output
    assert "0 matched, 1 need your choice" in result.output
    assert fakesite.requests_to("/") == []
    with site_app.app_context():
        assert db.session.scalars(db.select(Series)).all() == []


def test_unreachable_site_stops_matching_but_keeps_the_scan(app: Flask, root: Path) -> None:
    # The default test site address (port 9) answers nothing.
    _put(root, "Blauer Drache", "Blauer Drache - S01E01 [GerSub].mkv")
    result = app.test_cli_runner().invoke(args=["scan"])
    assert result.exit_code == 0, result.output
    assert "Scanned 1 folder(s)" in result.output and "Matching stopped:" in result.output


def test_missing_library_folder_fails_readably(app: Flask, root: Path) -> None:
    shutil.rmtree(root)
    result = app.test_cli_runner().invoke(args=["scan", "--no-match"])
    assert result.exit_code == 1
    assert f"The library folder {root} does not exist" in result.output
    assert "Traceback" not in result.output
    status = _status(app)
    assert status.state == scan_state.FAILED and "does not exist" in status.message


def test_library_path_that_is_a_file_fails_readably(app: Flask, root: Path) -> None:
    shutil.rmtree(root)
    root.write_text("not a folder")
    result = app.test_cli_runner().invoke(args=["scan", "--no-match"])
    assert result.exit_code == 1
    assert f"The library folder {root} cannot be read" in result.output


def test_a_running_scan_is_not_run_twice(app: Flask, root: Path) -> None:
    with app.app_context():
        scan_state.begin(db.session)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["scan", "--no-match"])
    assert result.exit_code == 1 and "running already" in result.output
    assert _status(app).state == scan_state.RUNNING


def test_queue_hands_the_scan_to_the_worker(app: Flask, redis_conn: redis.Redis) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scan", "--queue"])
    assert result.exit_code == 0, result.output
    assert "Library scan queued" in result.output
    job = Job.fetch(dispatch.SCAN_JOB_ID, connection=redis_conn, serializer=JSONSerializer)
    assert job.origin == dispatch.LIBRARY_QUEUE
    assert _status(app).state == scan_state.QUEUED


def test_queue_and_no_match_do_not_mix(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["scan", "--queue", "--no-match"])
    assert result.exit_code == 2 and "--no-match" in result.output
    assert _status(app).state == scan_state.IDLE
