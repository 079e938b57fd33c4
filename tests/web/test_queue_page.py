"""The queue page: sections, the polling contract (204/286/200), htmx actions and fallbacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.services import queue as queue_service
from tests.db_fixtures import claim_item, complete_item, fail_item
from tests.web.conftest import AuthActions, add_series, build_app

HX = {"HX-Request": "true"}


def queue_items(app: Flask, *episodes: int, priority: Priority = Priority.NORMAL) -> list[int]:
    """Queue episodes of S01 of the demo series; returns their ids in order."""
    with app.app_context():
        has_series = db.session.scalars(db.select(Series)).first() is not None
    if not has_series:
        add_series(app)
    with app.app_context():
        series = db.session.scalars(db.select(Series)).one()
        ids = [queue_service.add_item(db.session, series, 1, episode, Language.GERMAN_SUB,
                                      priority).id for episode in episodes]
        db.session.commit()
        return ids


def set_state(app: Flask, item_id: int, status: ItemStatus, **fields: object) -> None:
    """Bring a pending item into ``status`` the way a worker or a user does.

    ``fields`` then stand in for the figures a download would have written (progress, ...).
    """
    with app.app_context():
        session = db.session
        if status is ItemStatus.DOWNLOADING:
            claim_item(session, item_id)
        elif status is ItemStatus.COMPLETED:
            complete_item(session, item_id, str(fields.pop("file_path", "/library/x.mkv")))
        elif status is ItemStatus.FAILED:
            fail_item(session, item_id, str(fields.pop("last_error", None) or "boom"))
        elif status is ItemStatus.PAUSED:
            queue_service.pause_item(session, item_id)
        elif status is ItemStatus.CANCELLED:
            queue_service.cancel_item(session, item_id)
        item = session.get(DownloadItem, item_id)
        assert item is not None and item.status is status
        for name, value in fields.items():
            setattr(item, name, value)
        session.commit()


def status_of(app: Flask, item_id: int) -> ItemStatus | None:
    with app.app_context():
        item = db.session.get(DownloadItem, item_id)
        return item.status if item else None


def pending_order(app: Flask) -> list[int]:
    with app.app_context():
        return [item.id for item in queue_service.list_queue(db.session).pending]


def version_in(response: TestResponse) -> str:
    match = re.search(r'data-version="([0-9a-f]+)"', response.get_data(as_text=True))
    assert match, "the partial carries no version"
    return match.group(1)


def htmx_post(client: FlaskClient, auth: AuthActions, url: str, **data: str) -> TestResponse:
    return client.post(url, data=data, headers={**HX, "X-CSRFToken": auth.csrf_token()})


def form_post(client: FlaskClient, auth: AuthActions, url: str, **data: str) -> TestResponse:
    return client.post(url, data={**data, "csrf_token": auth.csrf_token()})


def test_full_page_renders_every_section(app: Flask, client: FlaskClient,
                                         logged_in: AuthActions) -> None:
    running, waiting, broken, done, dropped = queue_items(app, 1, 2, 3, 4, 5)
    set_state(app, running, ItemStatus.DOWNLOADING, progress=42.0, downloaded_bytes=42 * 2**20,
              total_bytes=100 * 2**20, speed=2.5 * 2**20, eta_seconds=125, hoster="VOE")
    set_state(app, broken, ItemStatus.FAILED, last_error="VOE: stream not found", attempts=3)
    set_state(app, done, ItemStatus.COMPLETED, file_path="/library/Demo/S01E04.mkv")
    set_state(app, dropped, ItemStatus.CANCELLED)
    response = client.get("/queue/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    for text in ("Active downloads", "Pending", "Normal priority", "Failed", "Completed",
                 "Cancelled", "Retry all failed", "Clear completed", "Pause queue",
                 "VOE: stream not found", "3 attempts", "42.0 %", "42.0 MiB of 100.0 MiB",
                 "2.5 MiB/s", "ETA 2 min 05 s", "via VOE", "Demo Series", "S01E02"):
        assert text in html, text
    assert 'role="progressbar"' in html and 'aria-valuenow="42"' in html
    assert 'hx-swap-oob' not in html  # the badge in the navigation is the real one
    assert f'id="queue-item-{waiting}"' in html


def test_empty_queue_says_what_to_do(client: FlaskClient, logged_in: AuthActions) -> None:
    html = client.get("/queue/").get_data(as_text=True)
    assert "Nothing queued. Find a series in" in html and "Search" in html
    assert "every 2s" not in html


def test_htmx_get_returns_the_partial(app: Flask, client: FlaskClient,
                                      logged_in: AuthActions) -> None:
    queue_items(app, 1)
    response = client.get("/queue/", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="queue"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_poll_answers_204_when_nothing_changed(app: Flask, client: FlaskClient,
                                               logged_in: AuthActions) -> None:
    queue_items(app, 1)
    version = version_in(client.get("/queue/", headers=HX))
    response = client.get(f"/queue/partial?v={version}", headers=HX)
    assert response.status_code == 204 and response.data == b""


def test_poll_answers_200_with_trigger_while_work_waits(app: Flask, client: FlaskClient,
                                                        logged_in: AuthActions) -> None:
    version = version_in(client.get("/queue/", headers=HX))
    queue_items(app, 1)
    response = client.get(f"/queue/partial?v={version}", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-trigger="every 2s, queueChanged from:body"' in html
    assert version_in(response) != version
    assert 'id="queue-badge"' in html and 'hx-swap-oob="true"' in html


def test_poll_answers_286_with_final_html_when_idle(app: Flask, client: FlaskClient,
                                                    logged_in: AuthActions) -> None:
    (item,) = queue_items(app, 1)
    version = version_in(client.get("/queue/", headers=HX))
    set_state(app, item, ItemStatus.COMPLETED, file_path="/library/x.mkv")
    response = client.get(f"/queue/partial?v={version}", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 286
    assert "S01E01" in html and "every 2s" not in html
    assert 'hx-trigger="queueChanged from:body"' in html


def test_poll_trigger_present_while_downloading(app: Flask, client: FlaskClient,
                                                logged_in: AuthActions) -> None:
    (item,) = queue_items(app, 1)
    set_state(app, item, ItemStatus.DOWNLOADING)
    assert "every 2s" in client.get("/queue/").get_data(as_text=True)
    set_state(app, item, ItemStatus.PAUSED)
    assert "every 2s" not in client.get("/queue/").get_data(as_text=True)


def test_poll_without_htmx_redirects_to_the_page(client: FlaskClient,
                                                 logged_in: AuthActions) -> None:
    response = client.get("/queue/partial?v=x")
    assert response.status_code == 302 and response.headers["Location"].endswith("/queue/")


ACTIONS = [
    ("retry", ItemStatus.FAILED, "post", "/queue/{id}/retry", ItemStatus.PENDING),
    ("pause", ItemStatus.PENDING, "post", "/queue/{id}/pause", ItemStatus.PAUSED),
    ("resume", ItemStatus.PAUSED, "post", "/queue/{id}/resume", ItemStatus.PENDING),
    ("cancel", ItemStatus.DOWNLOADING, "post", "/queue/{id}/cancel", ItemStatus.CANCELLED),
    ("remove", ItemStatus.PENDING, "delete", "/queue/{id}", None),
    ("remove-running", ItemStatus.DOWNLOADING, "delete", "/queue/{id}", ItemStatus.CANCELLED),
]


@pytest.mark.parametrize(("name", "start", "method", "url", "end"), ACTIONS,
                         ids=[a[0] for a in ACTIONS])
def test_item_action_via_htmx(app: Flask, client: FlaskClient, logged_in: AuthActions,
                              name: str, start: ItemStatus, method: str, url: str,
                              end: ItemStatus | None) -> None:
    (item,) = queue_items(app, 1)
    set_state(app, item, start, last_error="boom" if start is ItemStatus.FAILED else None)
    headers = {**HX, "X-CSRFToken": logged_in.csrf_token()}
    response = client.open(url.format(id=item), method=method.upper(), headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "queueChanged" in response.headers["HX-Trigger"]
    assert 'id="queue"' in html and "<html" not in html
    assert 'id="queue-badge"' in html and 'hx-swap-oob="true"' in html
    assert status_of(app, item) == end


@pytest.mark.parametrize("url", ["/queue/{id}/pause", "/queue/{id}"])
def test_item_action_via_plain_form_redirects(app: Flask, client: FlaskClient,
                                              logged_in: AuthActions, url: str) -> None:
    (item,) = queue_items(app, 1)
    response = form_post(client, logged_in, url.format(id=item))
    assert response.status_code == 302 and response.headers["Location"].endswith("/queue/")
    assert status_of(app, item) in (ItemStatus.PAUSED, None)


def test_move_up_and_down_change_the_order(app: Flask, client: FlaskClient,
                                           logged_in: AuthActions) -> None:
    first, second, third = queue_items(app, 1, 2, 3)
    response = htmx_post(client, logged_in, f"/queue/{third}/move", before=str(second))
    assert response.status_code == 200 and "queueChanged" in response.headers["HX-Trigger"]
    assert pending_order(app) == [first, third, second]
    response = form_post(client, logged_in, f"/queue/{first}/move", after=str(third))
    assert response.status_code == 302
    assert pending_order(app) == [third, first, second]


def test_move_buttons_point_at_the_neighbours(app: Flask, client: FlaskClient,
                                              logged_in: AuthActions) -> None:
    first, second = queue_items(app, 1, 2)
    html = client.get("/queue/").get_data(as_text=True)
    assert f'name="before" value="{first}"' in html  # second's Move up
    assert f'name="after" value="{second}"' in html  # first's Move down
    assert html.count("disabled>") == 2  # first cannot go up, last cannot go down


def test_priority_change_moves_the_item_to_another_group(app: Flask, client: FlaskClient,
                                                         logged_in: AuthActions) -> None:
    first, second = queue_items(app, 1, 2)
    response = htmx_post(client, logged_in, f"/queue/{second}/priority", priority="high")
    assert response.status_code == 200
    assert "High priority" in response.get_data(as_text=True)
    assert pending_order(app) == [second, first]


def test_invalid_priority_is_shown_inline(app: Flask, client: FlaskClient,
                                          logged_in: AuthActions) -> None:
    (item,) = queue_items(app, 1)
    response = htmx_post(client, logged_in, f"/queue/{item}/priority", priority="urgent")
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
    assert "unknown priority" in response.get_data(as_text=True)


def test_retry_all_failed(app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    first, second, other = queue_items(app, 1, 2, 3)
    for item in (first, second):
        set_state(app, item, ItemStatus.FAILED, last_error="gone", attempts=5)
    response = htmx_post(client, logged_in, "/queue/retry-failed")
    assert response.status_code == 200 and "queueChanged" in response.headers["HX-Trigger"]
    assert status_of(app, first) == status_of(app, second) == ItemStatus.PENDING
    assert pending_order(app) == [other, first, second]


def test_clear_completed(app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    done, waiting = queue_items(app, 1, 2)
    set_state(app, done, ItemStatus.COMPLETED)
    response = htmx_post(client, logged_in, "/queue/clear-completed")
    assert response.status_code == 200
    assert status_of(app, done) is None and status_of(app, waiting) == ItemStatus.PENDING
    assert form_post(client, logged_in, "/queue/clear-completed").status_code == 302


def test_pause_and_resume_queue(app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    response = htmx_post(client, logged_in, "/queue/pause")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Queue paused" in html and "Resume queue" in html
    with app.app_context():
        assert queue_service.is_paused(db.session)
    response = form_post(client, logged_in, "/queue/resume")
    assert response.status_code == 302
    assert "Queue running" in client.get("/queue/").get_data(as_text=True)


def test_conflict_is_shown_inline_not_as_an_error_page(app: Flask, client: FlaskClient,
                                                       logged_in: AuthActions) -> None:
    (item,) = queue_items(app, 1)
    response = htmx_post(client, logged_in, f"/queue/{item}/retry")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="alert"' in html and "it is pending" in html and 'id="queue"' in html
    assert "HX-Trigger" not in response.headers


def test_conflict_without_htmx_is_an_error_page(app: Flask, client: FlaskClient,
                                                logged_in: AuthActions) -> None:
    (item,) = queue_items(app, 1)
    response = form_post(client, logged_in, f"/queue/{item}/retry")
    assert response.status_code == 409 and "<html" in response.get_data(as_text=True)


def test_missing_item_is_shown_inline(client: FlaskClient, logged_in: AuthActions) -> None:
    response = htmx_post(client, logged_in, "/queue/999/pause")
    assert response.status_code == 200
    assert "does not exist" in response.get_data(as_text=True)


def test_htmx_post_without_csrf_token_is_refused(app: Flask, client: FlaskClient,
                                                 logged_in: AuthActions) -> None:
    (item,) = queue_items(app, 1)
    response = client.post(f"/queue/{item}/pause", headers=HX)
    assert response.status_code == 400
    assert status_of(app, item) == ItemStatus.PENDING


def test_anonymous_htmx_poll_gets_401_and_redirect(client: FlaskClient,
                                                   auth: AuthActions) -> None:
    auth.set_password()
    response = client.get("/queue/partial?v=abc", headers=HX)
    assert response.status_code == 401
    assert "/login" in response.headers["HX-Redirect"]


def test_eta_and_sizes_are_human_readable() -> None:
    from aniworld.web.queue import format_eta

    assert [format_eta(s) for s in (None, 42, 187, 3900)] == ["–", "42 s", "3 min 07 s",
                                                              "1 h 05 min"]


def test_banner_shows_when_redis_is_down(app_env: dict[str, str], tmp_path: Path) -> None:
    app = build_app({**app_env, "REDIS_URL": f"unix://{tmp_path}/nobody-listens.sock"})
    client = app.test_client()
    auth = AuthActions(app, client)
    auth.set_password()
    assert auth.login().status_code == 302
    html = client.get("/queue/").get_data(as_text=True)
    assert "Redis is not reachable" in html and 'id="queue"' in html
    with app.app_context():
        db.engine.dispose()


def test_poll_render_is_shared_by_tabs_but_follows_changes(app: Flask, client: FlaskClient,
                                                          logged_in: AuthActions) -> None:
    first, _ = queue_items(app, 1, 2)
    one = client.get("/queue/partial?v=old", headers=HX)
    two = client.get("/queue/partial?v=older", headers=HX)
    assert one.status_code == two.status_code == 200 and one.data == two.data
    set_state(app, first, ItemStatus.PAUSED)
    three = client.get("/queue/partial?v=old", headers=HX)
    assert version_in(three) != version_in(one) and "status-paused" in three.get_data(as_text=True)
