"""Library API end to end: real files, a real scan, the stand-in site over HTTP, real Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

from aniworld.extensions import db
from aniworld.models import DownloadItem, Priority
from aniworld.tasks import dispatch
from tests.fakesite.server import FakeSite
from tests.web.conftest import build_app

API_KEY = "library-api-key-0123456789"
DRACHE = "blauer-drache"


class Library:
    """The app under test, its API client, and the library folder on disk."""

    def __init__(self, app: Flask, client: FlaskClient, root: Path) -> None:
        self.app, self.client, self.root = app, client, root

    def put(self, folder: str, *names: str) -> Path:
        """Create ``folder`` with non-empty video files (the scanner skips empty ones)."""
        path = self.root / folder
        path.mkdir(parents=True, exist_ok=True)
        for name in names:
            (path / name).write_bytes(b"\x00video" * 64)
        return path

    def scan(self) -> str:
        """Run ``flask scan`` in-process; returns its output."""
        result = self.app.test_cli_runner().invoke(args=["scan"])
        assert result.exit_code == 0, result.output
        return result.output

    def folder_id(self, name: str) -> int:
        folders = self.client.get("/api/v1/library/folders").get_json()["folders"]
        return next(f["id"] for f in folders if f["name"] == name)


@pytest.fixture
def lib(app_env: dict[str, str], fakesite: FakeSite) -> Library:
    app = build_app({**app_env, "ANIWORLD_API_KEY": API_KEY, "ANIWORLD_SITE_URL": fakesite.url,
                     "ANIWORLD_STO_URL": fakesite.sto_url})
    app.test_cli_runner().invoke(args=["init"])
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = API_KEY
    return Library(app, client, Path(app_env["ANIWORLD_LIBRARY_DIR"]))


@pytest.fixture
def scanned(lib: Library) -> Library:
    """A library with one folder the site search matches and one it cannot decide."""
    lib.put("Blauer Drache", "Blauer Drache - S01E01 [GerSub].mkv")
    lib.put("Roter", "Roter - S01E01.mkv")
    assert "1 matched, 1 need your choice" in lib.scan()
    return lib


# --- scan ---------------------------------------------------------------------------------

def test_scan_status_starts_idle(lib: Library) -> None:
    response = lib.client.get("/api/v1/library/scan")
    assert response.status_code == 200
    scan = response.get_json()["scan"]
    assert scan["state"] == "idle" and scan["active"] is False and scan["percent"] == 0


def test_second_scan_request_does_not_enqueue_twice(lib: Library,
                                                    redis_conn: redis.Redis) -> None:
    first = lib.client.post("/api/v1/library/scan")
    assert first.status_code == 202
    scan = first.get_json()["scan"]
    assert scan["state"] == "queued" and scan["active"] is True and scan["requested_at"]
    job = Job.fetch(dispatch.SCAN_JOB_ID, connection=redis_conn, serializer=JSONSerializer)
    assert job.func_name == dispatch.SCAN_JOB
    enqueued_at = job.enqueued_at

    second = lib.client.post("/api/v1/library/scan")
    assert second.status_code == 202 and second.get_json() == first.get_json()
    queue = Queue(dispatch.LIBRARY_QUEUE, connection=redis_conn, serializer=JSONSerializer)
    assert queue.job_ids == [dispatch.SCAN_JOB_ID]
    again = Job.fetch(dispatch.SCAN_JOB_ID, connection=redis_conn, serializer=JSONSerializer)
    assert again.enqueued_at == enqueued_at
    assert lib.client.get("/api/v1/library/scan").get_json() == first.get_json()


def test_finished_scan_shows_its_message(scanned: Library) -> None:
    scan = scanned.client.get("/api/v1/library/scan").get_json()["scan"]
    assert scan["state"] == "finished" and scan["active"] is False
    assert "Scanned 2 folder(s)" in scan["message"] and scan["finished_at"]


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/api/v1/library/scan"),
    ("POST", "/api/v1/library/missing"),
    ("GET", "/api/v1/library/missing/download"),
    ("GET", "/api/v1/library/folders/1/resolve"),
    ("DELETE", "/api/v1/library/folders"),
])
def test_wrong_method_is_405_json(lib: Library, method: str, path: str) -> None:
    response = lib.client.open(path, method=method)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


# --- missing ------------------------------------------------------------------------------

def test_missing_after_a_real_scan(scanned: Library) -> None:
    assert (scanned.root / "Blauer Drache" / ".aniworld.json").is_file()
    response = scanned.client.get("/api/v1/library/missing")
    assert response.status_code == 200
    assert response.get_json() == {"total": 2, "series": [{
        "key": DRACHE, "title": "Blauer Drache", "missing_count": 2,
        "episodes": [{"season": 1, "episode": 2, "language": "german-sub"},
                     {"season": 1, "episode": 3, "language": "german-sub"}]}]}
    one = scanned.client.get(f"/api/v1/library/missing?series={DRACHE}")
    assert one.status_code == 200 and one.get_json() == response.get_json()


def test_missing_of_an_unknown_series_is_404(scanned: Library) -> None:
    response = scanned.client.get("/api/v1/library/missing?series=no-such-series")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_complete_series_are_left_out(scanned: Library) -> None:
    scanned.put("Blauer Drache", "Blauer Drache - S01E02 [GerSub].mkv",
                "Blauer Drache - S01E03 [GerSub].mkv")
    scanned.scan()
    assert scanned.client.get("/api/v1/library/missing").get_json() == {"series": [],
                                                                        "total": 0}
    one = scanned.client.get(f"/api/v1/library/missing?series={DRACHE}")
    assert one.get_json() == {"series": [], "total": 0}


def test_download_missing_queues_them_once(scanned: Library) -> None:
    response = scanned.client.post("/api/v1/library/missing/download")
    assert response.status_code == 201
    assert response.get_json() == {"created": 2, "skipped": 0, "series": 1}
    pending = scanned.client.get("/api/v1/queue").get_json()["pending"]
    assert sorted((i["series_key"], i["episode"], i["language"], i["priority"])
                  for i in pending) == [(DRACHE, 2, "german-sub", "normal"),
                                        (DRACHE, 3, "german-sub", "normal")]
    # Queued episodes are no longer missing, so a second call finds nothing to do.
    assert scanned.client.get("/api/v1/library/missing").get_json()["total"] == 0
    again = scanned.client.post("/api/v1/library/missing/download", json={})
    assert again.status_code == 201
    assert again.get_json() == {"created": 0, "skipped": 0, "series": 0}


def test_download_missing_of_named_series_with_priority(scanned: Library) -> None:
    response = scanned.client.post("/api/v1/library/missing/download",
                                   json={"series": [DRACHE, DRACHE], "priority": "high"})
    assert response.status_code == 201
    assert response.get_json() == {"created": 2, "skipped": 0, "series": 1}
    with scanned.app.app_context():
        priorities = db.session.scalars(db.select(DownloadItem.priority)).all()
    assert priorities == [Priority.HIGH, Priority.HIGH]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"series": DRACHE}, 422, "series"),
    ({"series": []}, 422, "series"),
    ({"series": [7]}, 422, "series"),
    ({"series": [DRACHE, "no-such-series"]}, 404, "series"),
    ({"priority": "urgent"}, 422, "priority"),
    ({"priority": 1}, 422, "priority"),
])
def test_download_missing_validates_the_body(scanned: Library, body: dict[str, object],
                                             status: int, field: str) -> None:
    response = scanned.client.post("/api/v1/library/missing/download", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field
    # Nothing was queued by a refused request.
    assert scanned.client.get("/api/v1/library/missing").get_json()["total"] == 2


def test_download_missing_refuses_a_body_that_is_not_json(scanned: Library) -> None:
    response = scanned.client.post("/api/v1/library/missing/download", data="series=x")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


# --- folders ------------------------------------------------------------------------------

def test_folders_by_state(scanned: Library) -> None:
    every = scanned.client.get("/api/v1/library/folders")
    assert every.status_code == 200
    assert [f["name"] for f in every.get_json()["folders"]] == ["Blauer Drache", "Roter"]
    matched = scanned.client.get("/api/v1/library/folders?state=matched").get_json()["folders"]
    assert [(f["name"], f["state"], f["series_key"], f["file_count"]) for f in matched] == [
        ("Blauer Drache", "matched", DRACHE, 1)]
    unmatched = scanned.client.get("/api/v1/library/folders?state=unmatched").get_json()
    (roter,) = unmatched["folders"]
    assert roter["name"] == "Roter" and roter["series_key"] is None and roter["reason"]
    assert "roter-mond" in {c["key"] for c in roter["candidates"]}
    ignored = scanned.client.get("/api/v1/library/folders?state=ignored").get_json()
    assert ignored == {"folders": []}


def test_unknown_folder_state_is_422(lib: Library) -> None:
    response = lib.client.get("/api/v1/library/folders?state=lost")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "state" and "unmatched" in error["message"]


def test_resolve_links_the_folder_and_writes_its_marker(scanned: Library) -> None:
    folder_id = scanned.folder_id("Roter")
    response = scanned.client.post(f"/api/v1/library/folders/{folder_id}/resolve",
                                   json={"key": "roter-mond"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["state"], body["series_key"], body["warning"]) == ("matched", "roter-mond", None)
    marker = json.loads((scanned.root / "Roter" / ".aniworld.json").read_text())
    assert marker["key"] == "roter-mond"
    series = scanned.client.get("/api/v1/series/roter-mond").get_json()
    assert series["folder"] == "Roter"
    # Episode 1 is on disk (no language tag counts for any language): 2 of 3 missing.
    missing = scanned.client.get("/api/v1/library/missing?series=roter-mond").get_json()
    assert missing["total"] == 2


@pytest.mark.parametrize(("folder_id", "body", "status", "code"), [
    (None, {"key": "no-such-series"}, 404, "site_not_found"),
    (None, {"key": "../etc"}, 422, "validation_error"),
    (None, {}, 422, "validation_error"),
    (99999, {"key": "roter-mond"}, 404, "not_found"),
])
def test_resolve_refusals(scanned: Library, folder_id: int | None, body: dict[str, str],
                          status: int, code: str) -> None:
    folder_id = folder_id or scanned.folder_id("Roter")
    response = scanned.client.post(f"/api/v1/library/folders/{folder_id}/resolve", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert not (scanned.root / "Roter" / ".aniworld.json").exists()


def test_resolve_reports_a_site_challenge_as_typed_json(scanned: Library,
                                                        fakesite: FakeSite) -> None:
    fakesite.set_fault("ddos_guard")
    response = scanned.client.post(f"/api/v1/library/folders/{scanned.folder_id('Roter')}"
                                   "/resolve", json={"key": "roter-mond"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "site_challenge"
    unmatched = scanned.client.get("/api/v1/library/folders?state=unmatched").get_json()
    assert [f["name"] for f in unmatched["folders"]] == ["Roter"]


def test_ignore_moves_the_folder_out_of_the_unmatched_list(scanned: Library) -> None:
    folder_id = scanned.folder_id("Roter")
    response = scanned.client.post(f"/api/v1/library/folders/{folder_id}/ignore")
    assert response.status_code == 200 and response.get_json()["state"] == "ignored"
    unmatched = scanned.client.get("/api/v1/library/folders?state=unmatched").get_json()
    assert unmatched == {"folders": []}
    ignored = scanned.client.get("/api/v1/library/folders?state=ignored").get_json()
    assert [f["name"] for f in ignored["folders"]] == ["Roter"]
    # A later scan leaves an ignored folder alone.
    scanned.put("Roter", "Roter - S01E02.mkv")
    scanned.scan()
    again = scanned.client.get("/api/v1/library/folders?state=ignored").get_json()
    assert [(f["name"], f["file_count"]) for f in again["folders"]] == [("Roter", 2)]


def test_ignore_an_unknown_folder_is_404(lib: Library) -> None:
    response = lib.client.post("/api/v1/library/folders/424242/ignore")
    assert response.status_code == 404
