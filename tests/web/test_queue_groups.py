"""The queue page at scale: groups opened and paged on demand, group actions, shared renders."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.services import execution
from aniworld.services import queue as queue_service
from aniworld.web.queue import GROUP_PAGE, ITEM_PAGE
from tests.db_fixtures import claim_item
from tests.web.conftest import AuthActions, api_client
from tests.web.test_queue_page import HX, form_post, htmx_post, version_in

API_KEY = "groups-" + "k" * 32


def queue_series(app: Flask, title: str, episodes: int, *,
                 priority: Priority = Priority.NORMAL) -> list[int]:
    """Add a series and queue its first ``episodes`` episodes; returns their ids in order."""
    with app.app_context():
        series = Series(key=title.lower().replace(" ", "-"), title=title)
        db.session.add(series)
        created = queue_service.add_many(db.session, series,
                                         [(1, n) for n in range(1, episodes + 1)],
                                         Language.GERMAN_SUB, priority).created
        db.session.commit()
        return [item.id for item in created]


def waiting(app: Flask) -> list[int]:
    with app.app_context():
        return [item.id for item in queue_service.queued_items(db.session, 5000)]


def group_urls(html: str) -> list[str]:
    return re.findall(r'<details hx-get="(/queue/groups/\d+)"', html)


@pytest.fixture
def long_queue(app: Flask) -> dict[str, list[int]]:
    """More waiting items than the page shows in full: three groups of two series."""
    saga = queue_series(app, "Tidebreaker Saga", 120)
    other = queue_series(app, "Mushishi", 3)
    return {"saga": saga, "other": other}


def test_a_long_queue_shows_one_line_per_group(app: Flask, client: FlaskClient,
                                               logged_in: AuthActions,
                                               long_queue: dict[str, list[int]]) -> None:
    html = client.get("/queue/").get_data(as_text=True)
    assert "Pending <span class=\"muted\">(123)" in html
    assert "<strong>Tidebreaker Saga</strong> · S01E01–E120 · 120 episodes · German Sub" in html
    assert group_urls(html) == [f"/queue/groups/{long_queue['saga'][-1]}",
                                f"/queue/groups/{long_queue['other'][-1]}"]
    assert 'class="queue-item status-pending"' not in html  # no episode rows until opened


def test_an_opened_group_pages_its_episodes(app: Flask, client: FlaskClient,
                                            logged_in: AuthActions,
                                            long_queue: dict[str, list[int]]) -> None:
    saga = long_queue["saga"]
    panel = client.get(f"/queue/groups/{saga[-1]}", headers=HX).get_data(as_text=True)
    assert panel.count('class="queue-item status-pending"') == ITEM_PAGE
    assert "Move group to top" in panel and "Remove all 120 episodes of Tidebreaker Saga" in panel
    assert f'name="after" value="{saga[ITEM_PAGE]}"' in panel  # the last row's Move down
    more = re.search(r'hx-get="(/queue/groups/\d+\?offset=50)"', panel)
    assert more and "Show 50 more of 70" in panel
    rest = client.get(more[1], headers=HX).get_data(as_text=True)
    assert f'id="queue-item-{saga[ITEM_PAGE]}"' in rest and "Move group" not in rest
    assert f'name="before" value="{saga[ITEM_PAGE - 1]}"' in rest
    assert client.get(f"/queue/groups/{saga[-1]}").status_code == 302  # not htmx: the page


def test_many_groups_are_paged(app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    for number in range(GROUP_PAGE + 5):
        queue_series(app, f"Series {number:02d}", 1)
    html = client.get("/queue/", headers=HX).get_data(as_text=True)
    assert len(group_urls(html)) == GROUP_PAGE
    more = re.search(r'hx-get="(/queue/groups/\?offset=50&amp;after=normal)"', html)
    assert more and "Show 5 more of 5 groups (5 episodes)" in html
    rest = client.get(more[1].replace("&amp;", "&"), headers=HX).get_data(as_text=True)
    assert len(group_urls(rest)) == 5 and "Normal priority" not in rest
    assert "Series 54" in rest


GROUP_ACTIONS = [
    ("move", {"to": "top"}, lambda saga, other: [*saga, *other]),
    ("priority", {"priority": "low"}, lambda saga, other: [*other, *saga]),
    ("pause", {}, lambda saga, other: [*other, *saga]),
]


@pytest.mark.parametrize(("action", "data", "expected"), GROUP_ACTIONS,
                         ids=[a[0] for a in GROUP_ACTIONS])
def test_group_actions_via_htmx(app: Flask, client: FlaskClient, logged_in: AuthActions,
                                action: str, data: dict[str, str], expected: object) -> None:
    other = queue_series(app, "Mushishi", 2)
    saga = queue_series(app, "Tidebreaker Saga", 60)
    response = htmx_post(client, logged_in, f"/queue/groups/{saga[-1]}/{action}", **data)
    assert response.status_code == 200 and "queueChanged" in response.headers["HX-Trigger"]
    assert 'id="queue"' in response.get_data(as_text=True)
    assert waiting(app) == expected(saga, other)  # type: ignore[operator]
    if action == "pause":
        assert "60 paused" in response.get_data(as_text=True)
        assert htmx_post(client, logged_in, f"/queue/groups/{saga[-1]}/resume").status_code == 200
        with app.app_context():
            assert db.session.get(DownloadItem, saga[0]).status is ItemStatus.PENDING


def test_remove_group_with_and_without_js(app: Flask, client: FlaskClient,
                                          logged_in: AuthActions) -> None:
    saga = queue_series(app, "Tidebreaker Saga", 5)
    other = queue_series(app, "Mushishi", 2)
    response = form_post(client, logged_in, f"/queue/groups/{saga[-1]}")
    assert response.status_code == 302 and waiting(app) == other
    headers = {**HX, "X-CSRFToken": logged_in.csrf_token()}
    assert client.delete(f"/queue/groups/{other[-1]}", headers=headers).status_code == 200
    assert waiting(app) == []
    gone = htmx_post(client, logged_in, f"/queue/groups/{other[-1]}/pause")
    assert gone.status_code == 200 and "reload the queue" in gone.get_data(as_text=True)


def test_bad_group_move_is_shown_inline(app: Flask, client: FlaskClient,
                                        logged_in: AuthActions) -> None:
    saga = queue_series(app, "Tidebreaker Saga", 2)
    response = htmx_post(client, logged_in, f"/queue/groups/{saga[-1]}/move", to="sideways")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'role="alert"' in html and "to must be" in html


def test_polled_partials_are_one_render_for_every_session(app: Flask, client: FlaskClient,
                                                          logged_in: AuthActions) -> None:
    running, *_ = queue_series(app, "Tidebreaker Saga", 3)
    with app.app_context():
        claim_item(db.session, running)
        db.session.commit()
    second = app.test_client()
    assert AuthActions(app, second).login().status_code == 302
    assert logged_in.csrf_token() != AuthActions(app, second).csrf_token()
    for url in ("/queue/partial?v=old", "/queue/"):
        one, two = client.get(url, headers=HX), second.get(url, headers=HX)
        assert one.status_code == two.status_code == 200 and one.data == two.data
        assert b"csrf_token" not in one.data and logged_in.csrf_token().encode() not in one.data
    progress = re.search(r'id="queue-progress" hidden hx-get="([^"]+)"', one.get_data(as_text=True))
    assert progress
    url = progress[1].replace("&amp;", "&").replace("p=", "p=old")
    one, two = client.get(url, headers=HX), second.get(url, headers=HX)
    assert one.status_code == 200 and one.data == two.data and b"csrf" not in one.data
    page = client.get("/queue/").get_data(as_text=True)
    assert 'name="csrf_token"' in page  # the page's forms still work without JS


def test_progress_updates_only_the_bars(app: Flask, client: FlaskClient,
                                        logged_in: AuthActions) -> None:
    running, _waiting = queue_series(app, "Tidebreaker Saga", 2)
    with app.app_context():
        lease = claim_item(db.session, running).lease
        db.session.commit()
    page = client.get("/queue/", headers=HX)
    version = version_in(page)
    poller = re.search(r'hx-get="(/queue/progress\?[^"]+)"', page.get_data(as_text=True))
    assert poller
    progress_url = poller[1].replace("&amp;", "&")
    assert client.get(progress_url, headers=HX).status_code == 204
    with app.app_context():
        assert execution.record_progress(db.session, running, lease, 50, 100, 10.0, 5)
        db.session.commit()
    assert client.get(f"/queue/partial?v={version}", headers=HX).status_code == 204
    answer = client.get(progress_url, headers=HX)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "50.0 %" in html
    assert f'id="queue-progress-{running}" class="queue-progress" hx-swap-oob="true"' in html
    assert 'id="queue-progress" hidden' in html and "queue-item" not in html
    with app.app_context():
        assert execution.complete(db.session, running, lease, "/library/x.mkv")
        db.session.commit()
    assert client.get(progress_url, headers=HX).status_code == 286
    assert client.get(f"/queue/partial?v={version}", headers=HX).status_code == 200


def test_history_is_paged(app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    ids = queue_series(app, "Tidebreaker Saga", 14)
    for item_id in ids:
        with app.app_context():
            queue_service.cancel_item(db.session, item_id)
            db.session.commit()
    html = client.get("/queue/").get_data(as_text=True)
    assert "Cancelled <span class=\"muted\">(14)" in html and "Show 4 more of 4" in html
    rest = client.get("/queue/history/cancelled?offset=10", headers=HX).get_data(as_text=True)
    assert rest.count('class="queue-item status-cancelled"') == 4 and "Show" not in rest


def test_group_api(app_env: dict[str, str]) -> None:
    app, api = api_client(app_env, API_KEY)
    saga = queue_series(app, "Tidebreaker Saga", 30)
    other = queue_series(app, "Mushishi", 2)
    listed = api.get("/api/v1/queue/groups?limit=1").get_json()
    assert (listed["total_groups"], listed["total_items"]) == (2, 32)
    assert listed["groups"] == [{
        "id": saga[-1], "first_id": saga[0], "series_key": "tidebreaker-saga",
        "site": "aniworld", "series_title": "Tidebreaker Saga", "priority": "normal",
        "count": 30, "paused": 0, "episodes": "S01E01–E30", "language": "german-sub"}]
    items = api.get(f"/api/v1/queue/groups/{saga[-1]}/items?offset=28").get_json()
    assert [item["id"] for item in items["items"]] == saga[28:] and items["total"] == 30
    assert api.post(f"/api/v1/queue/groups/{other[-1]}/move", json={"to": "top"}).get_json() \
        == {"group": other[-1], "items": 2}
    assert waiting(app) == [*other, *saga]
    answer = api.post(f"/api/v1/queue/groups/{saga[-1]}/priority", json={"priority": "high"})
    assert answer.status_code == 200 and waiting(app) == [*saga, *other]
    assert api.post(f"/api/v1/queue/groups/{saga[-1]}/pause").get_json()["items"] == 30
    assert api.post(f"/api/v1/queue/groups/{saga[-1]}/resume").get_json()["items"] == 30
    assert api.delete(f"/api/v1/queue/groups/{saga[-1]}").get_json()["items"] == 30
    assert api.delete(f"/api/v1/queue/groups/{saga[-1]}").status_code == 404
    assert api.post(f"/api/v1/queue/groups/{other[-1]}/priority", json={}).status_code == 422
    assert api.get("/api/v1/queue/groups?limit=0").status_code == 422
    with app.app_context():
        db.engine.dispose()
