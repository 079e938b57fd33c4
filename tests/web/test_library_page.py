"""The library page: counts from the scan, the missing filter, the scan panel, bulk queueing."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, Series
from aniworld.services import queue as queue_service
from aniworld.services.library import scan_state
from aniworld.tasks import dispatch
from aniworld.tasks.scan import run_library_scan
from aniworld.web.resources import make_site_client
from tests.db_fixtures import complete_item, fail_item
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, add_series, site_auth

HX = {"HX-Request": "true"}


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client of an app on the fake site, with an empty library."""
    yield from site_auth(app_env, fakesite)


def library_dir(app: Flask) -> Path:
    """The app's library folder (``ANIWORLD_LIBRARY_DIR``; no folder is stored in settings)."""
    return Path(app.extensions["aniworld.config"].library_dir)


def make_folder(app: Flask, name: str, episodes: Iterable[int]) -> Path:
    """A series folder ``name`` in the library with real episode files of season 1."""
    folder = library_dir(app) / name
    (folder / "Season 01").mkdir(parents=True)
    for number in episodes:
        (folder / "Season 01" / f"{name} - S01E{number:02} [German Sub].mp4").write_bytes(b"v")
    return folder


def scan(app: Flask, match: bool = True) -> str:
    """Run the real library scan in this process (matching through the app's site client)."""
    with app.app_context():
        return run_library_scan(sessionmaker(db.engine), library_dir(app), make_site_client,
                        match=match).message


def post(auth: AuthActions, url: str, htmx: bool = True, **form: str) -> TestResponse:
    """POST ``form`` with the CSRF token, as htmx (header) or as a plain browser form."""
    if htmx:
        return auth.client.post(url, data=form, headers={**HX, "X-CSRFToken": auth.csrf_token()})
    return auth.client.post(url, data={**form, "csrf_token": auth.csrf_token()})


def item_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(DownloadItem.id))) or 0


def add_episodes(app: Flask, key: str, count: int) -> None:
    """Give the series ``key`` ``count`` episodes of season 1, offered in German Dub."""
    with app.app_context():
        series = db.session.scalars(db.select(Series).where(Series.key == key)).one()
        series.episodes.extend(Episode(season=1, number=n, languages="german-dub")
                               for n in range(1, count + 1))
        db.session.commit()


def complete(app: Flask, key: str, episode: int) -> None:
    """Download ``episode`` of ``key`` (as a worker would), with a real file on disk."""
    with app.app_context():
        series = db.session.scalars(db.select(Series).where(Series.key == key)).one()
        item = queue_service.add_item(db.session, series, 1, episode, Language.GERMAN_DUB)
        path = app.extensions["aniworld.config"].library_dir / f"{key}-{episode}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"video")
        complete_item(db.session, item.id, str(path))
        db.session.commit()


def test_empty_library_points_to_search(app: Flask, logged_in: AuthActions) -> None:
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "library is empty" in page and 'href="/search/"' in page


def test_cards_show_counts_and_the_filter(app: Flask, logged_in: AuthActions) -> None:
    add_series(app, "done-series", "Done Series")
    add_series(app, "open-series", "Open Series")
    add_episodes(app, "done-series", 2)
    add_episodes(app, "open-series", 3)
    for episode in (1, 2):
        complete(app, "done-series", episode)
    complete(app, "open-series", 1)
    response = logged_in.client.get("/library/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert page.index("Done Series") < page.index("Open Series")
    assert "2 episodes" in page and "2 on disk" in page and "0 missing" in page
    assert "3 episodes" in page and "1 on disk" in page and "2 missing" in page
    assert 'href="/series/open-series"' in page
    missing = logged_in.client.get("/library/?missing=1", headers=HX)
    body = missing.get_data(as_text=True)
    assert "<html" not in body and "Open Series" in body and "Done Series" not in body
    assert 'aria-selected="true">Missing episodes' in body


def test_missing_filter_with_nothing_missing(app: Flask, logged_in: AuthActions) -> None:
    add_series(app)
    page = logged_in.client.get("/library/?missing=1").get_data(as_text=True)
    assert "on disk or on its way" in page


def test_bad_filter_value(app: Flask, logged_in: AuthActions) -> None:
    assert logged_in.client.get("/library/?missing=yes").status_code == 422


def test_a_scan_counts_the_files_on_disk(site: AuthActions) -> None:
    make_folder(site.app, "Blauer Drache", [1, 2])
    make_folder(site.app, "Roter Mond", [1, 2, 3])
    assert "2 matched, 0 need your choice" in scan(site.app)
    page = site.client.get("/library/").get_data(as_text=True)
    drache, mond = page.index("Blauer Drache"), page.index("Roter Mond")
    assert drache < mond
    assert "2 on disk" in page[drache:mond] and "1 missing" in page[drache:mond]
    assert "3 on disk" in page[mond:] and "0 missing" in page[mond:]
    assert "Last scan" in page and "Scanned 2 folder(s)" in page
    assert 'href="/library/unmatched"' not in page
    missing = site.client.get("/library/?missing=1", headers=HX).get_data(as_text=True)
    assert "Blauer Drache" in missing and "Roter Mond" not in missing
    assert "Download all missing (1)" in missing


def test_cards_reload_when_a_scan_finishes(app: Flask, logged_in: AuthActions) -> None:
    page = logged_in.client.get("/library/?missing=1").get_data(as_text=True)
    assert 'hx-get="/library/?missing=1" hx-trigger="libraryChanged from:body"' in page


def test_download_all_missing_in_one_go(app: Flask, logged_in: AuthActions) -> None:
    add_series(app, "alpha", "Alpha")
    add_series(app, "beta", "Beta")
    add_episodes(app, "alpha", 3)
    add_episodes(app, "beta", 2)
    complete(app, "alpha", 1)
    response = post(logged_in, "/library/download-missing", missing="1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "queueChanged"
    assert "<html" not in body and body.startswith('<section id="library"')
    assert "Queued 4 episode(s) across 2 series." in body
    assert 'id="queue-badge"' in body and 'hx-swap-oob="true"' in body and ">4<" in body
    assert "on disk or on its way" in body  # the missing filter is kept, now empty
    assert item_count(app) == 5  # 4 new + the completed one
    again = post(logged_in, "/library/download-missing").get_data(as_text=True)
    assert "Nothing to queue" in again and item_count(app) == 5


def test_download_missing_of_one_series(app: Flask, logged_in: AuthActions) -> None:
    add_series(app, "alpha", "Alpha")
    add_series(app, "beta", "Beta")
    add_episodes(app, "alpha", 3)
    add_episodes(app, "beta", 2)
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert page.count('name="series" value=') == 2 and "Download all missing (5)" in page
    response = post(logged_in, "/library/download-missing", htmx=False, series="beta")
    assert response.status_code == 303 and response.headers["Location"] == "/library/"
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "Queued 2 episode(s) across 1 series." in page
    assert "2 queued" in page and item_count(app) == 2


def test_download_missing_retries_failed_downloads(
        app: Flask, logged_in: AuthActions) -> None:
    add_series(app)
    add_episodes(app, "demo-series", 2)
    with app.app_context():
        series = db.session.scalars(select(Series)).one()
        item = queue_service.add_item(db.session, series, 1, 1, Language.GERMAN_DUB)
        fail_item(db.session, item.id, "no hoster left")
        db.session.commit()
        item_id = item.id
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "2 missing" in page and "(1 failed)" in page
    body = post(logged_in, "/library/download-missing").get_data(as_text=True)
    assert "Queued 2 episode(s) across 1 series" in body
    with app.app_context():
        assert db.session.get(DownloadItem, item_id).status is ItemStatus.PENDING


@pytest.mark.parametrize(("form", "status"), [({"series": "not-here"}, 404),
                                              ({"missing": "yes"}, 422)])
def test_download_missing_is_validated(app: Flask, logged_in: AuthActions,
                                       form: dict[str, str], status: int) -> None:
    assert post(logged_in, "/library/download-missing", htmx=False, **form).status_code == status


@pytest.mark.parametrize("url", ["/library/scan", "/library/download-missing"])
def test_posts_need_the_csrf_token(app: Flask, logged_in: AuthActions, url: str) -> None:
    assert logged_in.client.post(url, headers=HX).status_code == 400


def test_scan_button_enqueues_one_scan(app: Flask, logged_in: AuthActions,
                                       redis_conn: redis.Redis) -> None:
    response = post(logged_in, "/library/scan")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith('<section id="scan-status"')
    assert 'hx-get="/library/scan-status" hx-trigger="every 2s"' in body
    assert "Scan waiting for a worker" in body and "Scan library</button>" not in body
    with app.app_context():
        assert scan_state.load_status(db.session).state == scan_state.QUEUED
    jobs = Queue(dispatch.LIBRARY_QUEUE, connection=redis_conn).job_ids
    assert jobs == [dispatch.SCAN_JOB_ID]
    plain = post(logged_in, "/library/scan", htmx=False)
    assert plain.status_code == 303 and plain.headers["Location"] == "/library/"
    assert Queue(dispatch.LIBRARY_QUEUE, connection=redis_conn).job_ids == jobs
    polling = logged_in.client.get("/library/scan-status", headers=HX)
    assert polling.status_code == 200 and "every 2s" in polling.get_data(as_text=True)
    assert "HX-Trigger" not in polling.headers


def test_scan_status_stops_polling_when_idle(app: Flask, logged_in: AuthActions) -> None:
    response = logged_in.client.get("/library/scan-status", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 286 and response.headers["HX-Trigger"] == "libraryChanged"
    assert "every 2s" not in body and "No scan yet" in body
    assert logged_in.client.get("/library/scan-status").status_code == 302


def test_scan_status_after_a_finished_scan(site: AuthActions) -> None:
    make_folder(site.app, "Blauer Drache", [1])
    scan(site.app)
    response = site.client.get("/library/scan-status", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 286 and "Scanned 1 folder(s)" in body
    assert "No scan yet" not in body and "Scan library</button>" in body


def test_a_running_scan_shows_phase_and_percent(app: Flask, logged_in: AuthActions) -> None:
    with app.app_context():
        scan_state.begin(db.session)
        scan_state.report(db.session, "matching folders", 3, 12)
        db.session.commit()
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "Scanning" in page and "matching folders: 3 of 12 (25 %)" in page
    assert '<progress max="100" value="25"' in page and "every 2s" in page


def test_empty_states_explain_the_scan(app: Flask, logged_in: AuthActions) -> None:
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "No scan yet" in page and str(library_dir(app)) in page
    assert "scan the library folder" in page and "does not exist" not in page
    shutil.rmtree(library_dir(app))
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "does not exist" in page and 'href="/settings/#settings-library"' in page


def test_failed_scan_is_shown(site: AuthActions) -> None:
    shutil.rmtree(library_dir(site.app))
    with pytest.raises(FileNotFoundError):
        scan(site.app)
    page = site.client.get("/library/").get_data(as_text=True)
    assert "Last scan failed" in page and "does not exist" in page


def test_unmatched_folders_are_linked(site: AuthActions) -> None:
    make_folder(site.app, "Blauer", [1])
    scan(site.app)
    page = site.client.get("/library/").get_data(as_text=True)
    assert '<a href="/library/unmatched">1 folder needs your choice</a>' in page


def test_monitored_toggle_persists(app: Flask, logged_in: AuthActions) -> None:
    add_series(app)
    url = "/series/demo-series/monitored"
    page = logged_in.client.get("/series/demo-series").get_data(as_text=True)
    assert 'aria-pressed="false"' in page and "queued automatically" in page
    response = post(logged_in, url, htmx=False, monitored="1")
    assert response.status_code == 303 and response.headers["Location"] == "/series/demo-series"
    page = logged_in.client.get("/series/demo-series").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and "Monitoring Demo Series" in page
    assert "· monitored" in logged_in.client.get("/library/").get_data(as_text=True)
    assert post(logged_in, url, monitored="yes").status_code == 422
    off = post(logged_in, url, monitored="0")
    assert off.headers["HX-Redirect"] == "/series/demo-series"
    with app.app_context():
        assert db.session.scalars(select(Series)).one().monitored is False
    assert logged_in.client.post(url, data={"monitored": "1"}).status_code == 400
