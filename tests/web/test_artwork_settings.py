"""The Artwork settings section: the write_metadata switch and "Write now" with its status."""

from __future__ import annotations

import redis
from flask import Flask

from aniworld.extensions import db
from aniworld.services.artwork import FINISHED, load_write_status, record_write
from aniworld.services.settings import load_settings
from aniworld.tasks import dispatch
from tests.web.conftest import AuthActions, add_series

HX = {"HX-Request": "true"}


def post(auth: AuthActions, url: str, **form: str) -> str:
    response = auth.client.post(url, data={"csrf_token": auth.csrf_token(), **form}, headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def metadata_jobs(connection: redis.Redis) -> list[list[object]]:
    queue = dispatch.make_queue(connection, dispatch.LIBRARY_QUEUE)
    return [list(job.args) for job in queue.jobs if job.id == dispatch.METADATA_JOB_ID]


def write_metadata(app: Flask) -> bool:
    with app.app_context():
        return load_settings(db.session).write_metadata


def test_section_is_on_the_settings_page_and_on_by_default(logged_in: AuthActions) -> None:
    page = logged_in.client.get("/settings/").get_data(as_text=True)
    section = page.split('id="settings-artwork"')[1].split("</section>")[0]
    assert 'name="write_metadata" checked' in section
    assert "Write now" in section and "tvshow.nfo" in section
    assert "has not been written by hand yet" in section


def test_save_switches_metadata_off_and_on(app: Flask, logged_in: AuthActions) -> None:
    html = post(logged_in, "/settings/artwork")  # an unticked box is not sent
    assert "Artwork settings saved." in html and write_metadata(app) is False
    assert 'name="write_metadata" checked' not in html
    post(logged_in, "/settings/artwork", write_metadata="on")
    assert write_metadata(app) is True
    page = logged_in.client.post("/settings/artwork", data={
        "csrf_token": logged_in.csrf_token(), "write_metadata": "on"})
    assert page.status_code == 302 and page.location.endswith("#settings-artwork")


def test_write_now_is_refused_while_switched_off_or_for_an_unknown_series(
        logged_in: AuthActions, redis_conn: redis.Redis) -> None:
    html = post(logged_in, "/settings/artwork/write", series="nope")
    assert "No series &#39;nope&#39; in the library" in html and 'aria-invalid="true"' in html
    post(logged_in, "/settings/artwork")
    assert "tick the box and save first" in post(logged_in, "/settings/artwork/write")
    assert metadata_jobs(redis_conn) == []


def test_write_now_queues_one_run_and_its_status_polls_until_done(
        app: Flask, logged_in: AuthActions, redis_conn: redis.Redis) -> None:
    series_id = add_series(app, "demo-series")
    html = post(logged_in, "/settings/artwork/write", series="demo-series")
    assert "Writing metadata in the background" in html
    assert 'hx-get="/settings/artwork/status"' in html and "every 2s" in html
    assert metadata_jobs(redis_conn) == [[series_id]]
    again = post(logged_in, "/settings/artwork/write")
    assert "already on its way" in again and metadata_jobs(redis_conn) == [[series_id]]

    polled = logged_in.client.get("/settings/artwork/status", headers=HX)
    assert polled.status_code == 200 and "Waiting for a worker" in polled.get_data(as_text=True)
    with app.app_context():
        record_write(db.session, FINISHED, "Metadata of 1 series: 2 files written.")
        db.session.commit()
        assert load_write_status(db.session).series_key == "demo-series"
    done = logged_in.client.get("/settings/artwork/status", headers=HX)
    text = done.get_data(as_text=True)
    assert done.status_code == 286 and "2 files written" in text and "hx-get" not in text
    assert "demo-series:" in text
