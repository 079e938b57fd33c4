"""Covers from Aniworld's own origin: cache headers, 304, the background fetch, no hot-links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path

import pytest
import redis
from flask import Flask

from aniworld.covers import CoverStore, StoredCover, source_digest
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.services.settings import save_settings
from aniworld.tasks import dispatch
from tests.fakesite.covers import JPEG
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, site_auth

SOURCE = "http://127.0.0.1:9/public/img/cover/demo-series-stream-cover-abc_220x330.jpg"
COVER = "/covers/aniworld/demo-series"
HX = {"HX-Request": "true"}


@pytest.fixture
def series(app: Flask) -> Series:
    with app.app_context():
        row = Series(key="demo-series", title="Demo Series", cover=SOURCE)
        db.session.add(row)
        db.session.commit()
        db.session.expunge(row)
        return row


def store(app: Flask) -> CoverStore:
    return CoverStore.in_library(Path(app.extensions["aniworld.config"].library_dir))


def cached(app: Flask, source: str = SOURCE) -> StoredCover:
    return store(app).save("aniworld", "demo-series", source, JPEG)


def cover_jobs(connection: redis.Redis) -> list[tuple[str, list[object]]]:
    """The cover fetches waiting on the notify queue (served first by every worker)."""
    queue = dispatch.make_queue(connection, dispatch.NOTIFY_QUEUE)
    return [(job.id, list(job.args)) for job in queue.jobs]


def test_cached_cover_has_validators_a_private_lifetime_and_answers_304(
        app: Flask, logged_in: AuthActions, series: Series) -> None:
    stored = cached(app)
    response = logged_in.client.get(f"{COVER}?v=abc")
    assert response.status_code == 200 and response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert response.headers["ETag"] == f'"{stored.etag}"'
    assert response.headers["Last-Modified"] == format_datetime(
        stored.modified.replace(microsecond=0), usegmt=True)
    assert response.headers["Cache-Control"] == "private, max-age=604800"
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]

    again = logged_in.client.get(COVER, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == response.headers["ETag"]
    since = logged_in.client.get(COVER, headers={
        "If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    other = logged_in.client.get(COVER, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == JPEG


def test_a_cover_a_worker_on_another_host_fetched_is_served_from_the_shared_library(
        app: Flask, logged_in: AuthActions, series: Series, tmp_path: Path) -> None:
    shared = tmp_path / "nas" / "anime"  # the library as the settings name it
    shared.mkdir(parents=True)
    with app.app_context():
        save_settings(db.session, library_dir=str(shared))
        db.session.commit()
    # What a worker elsewhere writes: nothing in this host's data folder, all in the library.
    folder = shared / ".aniworld" / "covers" / "aniworld"
    folder.mkdir(parents=True)
    (folder / f"demo-series-{source_digest(SOURCE)}.jpg").write_bytes(JPEG)
    response = logged_in.client.get(COVER)
    assert response.status_code == 200 and response.data == JPEG


def test_cover_not_cached_is_a_404_and_one_fetch_is_queued(
        logged_in: AuthActions, series: Series, redis_conn: redis.Redis) -> None:
    for _ in range(3):  # the page's image and its retries
        response = logged_in.client.get(COVER)
        assert response.status_code == 404
        assert response.headers["Cache-Control"] == "no-store"
    assert cover_jobs(redis_conn) == [
        ("cover-aniworld-demo-series", ["aniworld", "demo-series", SOURCE])]


def test_an_older_cover_shows_while_the_new_one_is_fetched(
        app: Flask, logged_in: AuthActions, series: Series, redis_conn: redis.Redis) -> None:
    cached(app, SOURCE.replace("abc", "old"))
    response = logged_in.client.get(COVER)
    assert response.status_code == 200 and response.data == JPEG
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert [job_id for job_id, _ in cover_jobs(redis_conn)] == ["cover-aniworld-demo-series"]


@pytest.mark.parametrize("address", [f"{COVER}x/../y", "/covers/example/demo",
                                     "/covers/aniworld/-bad"])
def test_addresses_that_name_no_cover_are_404(logged_in: AuthActions, address: str,
                                              redis_conn: redis.Redis) -> None:
    assert logged_in.client.get(address).status_code == 404
    assert cover_jobs(redis_conn) == []


def test_covers_need_a_login(app: Flask, client: object, series: Series) -> None:
    cached(app)
    response = app.test_client().get(COVER)
    assert response.status_code == 302 and response.data != JPEG


def test_pages_show_the_local_cover_never_the_sites(app: Flask, logged_in: AuthActions,
                                                    series: Series) -> None:
    for page in ("/series/demo-series", "/library/"):
        html = logged_in.client.get(page).get_data(as_text=True)
        sources = re.findall(r'<img[^>]*src="([^"]+)"', html)
        assert any(s.startswith(f"{COVER}?v=") for s in sources), (page, sources)
        assert "/public/img/cover/" not in html and "referrerpolicy" not in html


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    yield from site_auth(app_env, fakesite)


def test_search_results_use_local_covers_that_find_their_source(
        site: AuthActions, fakesite: FakeSite, redis_conn: redis.Redis) -> None:
    html = site.client.get("/search/?q=drache", headers=HX).get_data(as_text=True)
    sources = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert sources and all(s.startswith("/covers/aniworld/") for s in sources)
    assert fakesite.url not in html
    fakesite.clear_requests()
    cover = sources[0].split("?")[0]
    assert site.client.get(cover).status_code == 404  # not cached: queued, not fetched here
    [(job_id, args)] = cover_jobs(redis_conn)
    key = cover.rsplit("/", 1)[1]
    assert job_id == f"cover-aniworld-{key}"
    assert str(args[2]).startswith(f"{fakesite.url}/public/img/cover/{key}-stream-cover-")
    assert fakesite.requests == []  # the request never waits on the site
