"""s.to beside aniworld.to in the API: ``sto:<slug>`` keys everywhere, and search over both.

End to end over HTTP: aniworld.to is the stand-in's site host, s.to its s.to host.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.models import LibraryFolder
from aniworld.web.api.series import FAILED_SITES_HEADER
from tests.fakesite.server import FakeSite
from tests.web.conftest import add_series, api_client, site_urls

API_KEY = "sto-api-key-0123456789abc"
DEMO = "sto:demo-serie"
# "ache" is in four aniworld titles (… Drache) and one s.to title (… Reboot & Rache).
BOTH = "ache"
DRACHEN = ["blauer-drache", "roter-drache", "stiller-drache", "wilder-drache"]


@pytest.fixture
def api(app_env: dict[str, str], fakesite: FakeSite) -> tuple[Flask, FlaskClient]:
    return api_client({**app_env, **site_urls(fakesite)}, API_KEY)


def sto_pages(fakesite: FakeSite) -> list[str]:
    return [r.path for r in fakesite.requests_to("/serie/demo-serie", server="sto")]


def test_add_show_list_and_delete_an_sto_series(api: tuple[Flask, FlaskClient],
                                                fakesite: FakeSite) -> None:
    _, client = api
    response = client.post("/api/v1/series", json={"key": DEMO})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["key"] == DEMO and body["site"] == "sto" and body["title"] == "Demo Serie"
    assert sorted(s["season"] for s in body["seasons"]) == [0, 1, 2]
    assert sto_pages(fakesite) and fakesite.requests_to("/anime/") == []
    assert client.get(f"/api/v1/series/{DEMO}").get_json() == body
    assert [(s["key"], s["site"]) for s in client.get("/api/v1/series").get_json()] == [
        (DEMO, "sto")]
    assert client.post("/api/v1/series", json={"key": DEMO}).status_code == 409
    assert client.get("/api/v1/series/demo-serie").status_code == 404  # that is aniworld's
    assert client.delete(f"/api/v1/series/{DEMO}").status_code == 204
    assert client.get(f"/api/v1/series/{DEMO}").status_code == 404


def test_an_announced_sto_season_is_listed_without_episodes(
        api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    body = client.post("/api/v1/series", json={"key": "sto:demo-serie-reboot-rache"}).get_json()
    assert [(s["season"], len(s["episodes"]), s["announced"]) for s in body["seasons"]] == [
        (1, 1, False), (2, 0, True)]


def test_the_same_slug_on_both_sites_is_two_series(api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    add_series(app, "demo-serie", "Demo Serie (AniWorld)")
    assert client.post("/api/v1/series", json={"key": DEMO}).status_code == 201
    assert client.get("/api/v1/series/demo-serie").get_json()["title"] == "Demo Serie (AniWorld)"
    assert client.get(f"/api/v1/series/{DEMO}").get_json()["title"] == "Demo Serie"
    assert client.get("/api/v1/series/aniworld:demo-serie").get_json()["site"] == "aniworld"


def test_patch_and_refresh_read_the_sto_host(api: tuple[Flask, FlaskClient],
                                             fakesite: FakeSite) -> None:
    _, client = api
    client.post("/api/v1/series", json={"key": DEMO})
    patched = client.patch(f"/api/v1/series/{DEMO}", json={"monitored": True})
    assert patched.status_code == 200 and patched.get_json()["monitored"] is True
    before = len(sto_pages(fakesite))
    refreshed = client.post(f"/api/v1/series/{DEMO}/refresh")
    assert refreshed.status_code == 200 and refreshed.get_json()["key"] == DEMO
    assert len(sto_pages(fakesite)) == 2 * before  # fresh: every page asked again


def test_queue_items_carry_the_public_key_and_site(api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    add_series(app)  # an aniworld series: clients see its bare slug as before
    client.post("/api/v1/series", json={"key": DEMO})
    one = client.post("/api/v1/queue", json={"series_key": DEMO, "season": 1, "episode": 1})
    assert one.status_code == 201, one.get_json()
    assert (one.get_json()["series_key"], one.get_json()["site"]) == (DEMO, "sto")
    bulk = client.post("/api/v1/queue/bulk", json={
        "series_key": DEMO, "language": "english-dub",
        "episodes": [{"season": 2, "episode": 2}, {"season": 0, "episode": 2}]})
    assert bulk.status_code == 201 and len(bulk.get_json()["created"]) == 2
    aniworld = client.post("/api/v1/queue", json={"series_key": "demo-series", "season": 1,
                                                  "episode": 1})
    assert (aniworld.get_json()["series_key"], aniworld.get_json()["site"]) == (
        "demo-series", "aniworld")
    pending = client.get("/api/v1/queue").get_json()["pending"]
    assert [i["series_key"] for i in pending] == [DEMO, DEMO, DEMO, "demo-series"]
    unknown = client.post("/api/v1/queue", json={"series_key": "sto:nope", "season": 1,
                                                 "episode": 1})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["field"] == "series_key"


@pytest.mark.parametrize("key", ["xx:demo-serie", "sto:", "sto:../etc", "sto:sto:demo"])
def test_malformed_keys_are_422_naming_the_field(api: tuple[Flask, FlaskClient],
                                                 key: str) -> None:
    _, client = api
    response = client.post("/api/v1/series", json={"key": key})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "key"
    queued = client.post("/api/v1/queue", json={"series_key": key, "season": 1, "episode": 1})
    assert queued.get_json()["error"]["field"] == "series_key"
    assert client.get(f"/api/v1/series/{key}").status_code == 404


def test_missing_and_resolve_take_sto_keys(api: tuple[Flask, FlaskClient],
                                           app_env: dict[str, str]) -> None:
    app, client = api
    Path(app_env["ANIWORLD_LIBRARY_DIR"], "Demo Serie").mkdir(parents=True)
    with app.app_context():
        db.session.add(LibraryFolder(name="Demo Serie", state="unmatched"))
        db.session.commit()
        folder_id = db.session.scalar(db.select(LibraryFolder.id))
    resolved = client.post(f"/api/v1/library/folders/{folder_id}/resolve", json={"key": DEMO})
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["series_key"] == DEMO and resolved.get_json()["warning"] is None
    assert client.get(f"/api/v1/series/{DEMO}").get_json()["folder"] == "Demo Serie"
    missing = client.get(f"/api/v1/library/missing?series={DEMO}").get_json()["series"]
    assert [(m["key"], m["site"]) for m in missing] == [(DEMO, "sto")]
    queued = client.post("/api/v1/library/missing/download", json={"series": [DEMO]})
    assert queued.status_code == 201 and queued.get_json()["series"] == 1


# --- search -------------------------------------------------------------------------------

def results(client: FlaskClient, query: str = BOTH, **params: str) -> list[tuple[str, str]]:
    response = client.get("/api/v1/search", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_json()
    assert FAILED_SITES_HEADER not in response.headers
    return [(r["site"], r["key"]) for r in response.get_json()]


def test_search_covers_both_sites_by_default(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    expected = [("aniworld", key) for key in DRACHEN] + [("sto", "sto:demo-serie-reboot-rache")]
    assert results(client) == expected == results(client, site="all")
    entry = client.get("/api/v1/search?q=Demo&site=sto").get_json()[0]
    assert set(entry) == {"key", "site", "title", "year", "cover", "url"}
    assert entry["key"] == DEMO and entry["url"].endswith("/serie/demo-serie")


@pytest.mark.parametrize("site", ["aniworld", "sto", "STO "])
def test_search_one_site_asks_only_that_site(api: tuple[Flask, FlaskClient],
                                             fakesite: FakeSite, site: str) -> None:
    _, client = api
    chosen = site.strip().lower()
    assert {found for found, _key in results(client, site=site)} == {chosen}
    asked = {"aniworld": bool(fakesite.requests_to("/ajax/")),
             "sto": bool(fakesite.requests_to("/", server="sto"))}
    assert asked == {"aniworld": chosen == "aniworld", "sto": chosen == "sto"}


@pytest.mark.parametrize("site", ["both", "", "s.to"])
def test_search_of_an_unknown_site_is_400_naming_it(api: tuple[Flask, FlaskClient],
                                                    site: str) -> None:
    _, client = api
    response = client.get("/api/v1/search", query_string={"q": BOTH, "site": site})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "site" and "aniworld, sto, all" in error["message"]


@pytest.mark.parametrize(("failing", "server", "answering"), [
    ("sto", "sto", "aniworld"), ("aniworld", "site", "sto")])
def test_one_site_failing_still_answers_with_the_other(
        api: tuple[Flask, FlaskClient], fakesite: FakeSite, failing: str, server: str,
        answering: str) -> None:
    _, client = api
    fakesite.set_fault("ddos_guard", server=server)
    response = client.get(f"/api/v1/search?q={BOTH}")
    assert response.status_code == 200
    assert response.headers[FAILED_SITES_HEADER] == failing
    assert {r["site"] for r in response.get_json()} == {answering}


def test_every_site_failing_is_the_sites_error(api: tuple[Flask, FlaskClient],
                                               fakesite: FakeSite) -> None:
    _, client = api
    fakesite.set_fault("ddos_guard")
    fakesite.set_fault("ddos_guard", server="sto")
    response = client.get(f"/api/v1/search?q={BOTH}")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "site_challenge"
