"""The qBittorrent Web API subset through Flask's test client: sessions, refusals, shapes.

The real ``qbittorrent-api`` client drives the same endpoints over HTTP in
``tests/system/test_bridge.py``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from aniworld.extensions import db
from aniworld.models import DownloadItem, ItemStatus, Priority
from aniworld.services import credentials
from aniworld.web.security import API_KEY_FAILURE_LIMIT
from tests.web.bridge_helpers import KEY, bridge_app


@pytest.fixture
def bridge(app_env: dict[str, str]) -> tuple[Flask, FlaskClient]:
    return bridge_app(app_env)


@pytest.fixture
def client(bridge: tuple[Flask, FlaskClient]) -> FlaskClient:
    client = bridge[1]
    assert client.post("/api/v2/auth/login",
                       data={"username": "aniworld", "password": KEY}).text == "Ok."
    return client


def release_link(client: FlaskClient, q: str = "Warriors of Light", season: str = "1",
                 ep: str = "2") -> str:
    query = urlencode({"t": "tvsearch", "apikey": KEY, "q": q, "season": season, "ep": ep})
    rss = etree.fromstring(client.get(f"/torznab/api?{query}").data)
    return rss.find("channel/item/enclosure").get("url")


def test_every_endpoint_but_login_refuses_without_a_session(
        bridge: tuple[Flask, FlaskClient]) -> None:
    app, client = bridge
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("qbittorrent.")]
    assert len(rules) >= 25
    for rule in rules:
        if rule.endpoint == "qbittorrent.login":
            continue
        for method in ("GET", "POST"):
            response = client.open(rule.rule, method=method)
            assert (response.status_code, response.text) == (403, "Forbidden"), rule.rule


@pytest.mark.parametrize(("username", "password"), [("aniworld", "aw_wrong-key-long-enough"),
                                                    ("admin", KEY), ("aniworld", "")])
def test_wrong_login_fails(bridge: tuple[Flask, FlaskClient], username: str,
                           password: str) -> None:
    client = bridge[1]
    response = client.post("/api/v2/auth/login", data={"username": username,
                                                       "password": password})
    assert (response.status_code, response.text) == (200, "Fails.")
    assert "SID" not in response.headers.get("Set-Cookie", "")
    assert client.get("/api/v2/app/version").status_code == 403


def test_login_session_cookie_and_logout(bridge: tuple[Flask, FlaskClient]) -> None:
    client = bridge[1]
    response = client.post("/api/v2/auth/login", data={"username": "aniworld", "password": KEY})
    cookie = response.headers["Set-Cookie"]
    assert response.text == "Ok." and cookie.startswith("SID=") and "HttpOnly" in cookie
    assert client.get("/api/v2/app/version").text == "v4.6.7"
    assert client.get("/api/v2/app/webapiVersion").text == "2.9.3"
    client.post("/api/v2/auth/logout")
    assert client.get("/api/v2/app/version").status_code == 403


def test_revoking_the_key_ends_its_sessions(bridge: tuple[Flask, FlaskClient],
                                            client: FlaskClient) -> None:
    app = bridge[0]
    with app.app_context():
        for key in credentials.list_api_keys(db.session):
            credentials.revoke_api_key(db.session, key.id)
        db.session.commit()
    assert client.get("/api/v2/app/version").status_code == 403


def test_a_revoked_keys_session_stays_dead_when_a_new_key_takes_its_id(
        bridge: tuple[Flask, FlaskClient], client: FlaskClient) -> None:
    app = bridge[0]
    with app.app_context():
        (old,) = credentials.list_api_keys(db.session)
        credentials.revoke_api_key(db.session, old.id)
        db.session.commit()
        new, _plain = credentials.create_api_key(db.session, "sonarr")
        db.session.commit()
        assert new.id == old.id  # SQLite hands the freed id out again
    for _ in range(2):  # a refused request does not renew the session either
        assert client.get("/api/v2/app/version").status_code == 403


def test_bearer_api_key_needs_no_login(bridge: tuple[Flask, FlaskClient]) -> None:
    client = bridge[1]
    headers = {"Authorization": f"Bearer {KEY}"}
    assert client.get("/api/v2/app/webapiVersion", headers=headers).text == "2.9.3"
    headers = {"Authorization": "Bearer aw_not-a-key-at-all-but-long"}
    assert client.get("/api/v2/app/webapiVersion", headers=headers).status_code == 403


def test_wrong_bearer_keys_use_up_the_address_budget_then_even_the_right_key_is_refused(
        bridge: tuple[Flask, FlaskClient], caplog: pytest.LogCaptureFixture) -> None:
    client = bridge[1]
    for number in range(API_KEY_FAILURE_LIMIT):
        wrong = {"Authorization": f"Bearer aw_wrong-key-number-{number:02d}"}
        assert client.get("/api/v2/app/version", headers=wrong).status_code == 403
    assert "bridge bearer key rejected address=127.0.0.1" in caplog.text
    right = {"Authorization": f"Bearer {KEY}"}
    assert client.get("/api/v2/app/version", headers=right).status_code == 403
    assert "bridge bearer refused address=127.0.0.1: too many wrong keys" in caplog.text
    other = client.get("/api/v2/app/version", headers=right,
                       environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.text == "v4.6.7"  # another address keeps its own count


def test_preferences_are_what_sonarr_checks(client: FlaskClient) -> None:
    prefs = client.get("/api/v2/app/preferences").get_json()
    assert prefs["save_path"].endswith("/library/.aniworld/bridge")
    assert prefs["dht"] is True and prefs["queueing_enabled"] is True
    assert (prefs["max_ratio_enabled"], prefs["max_ratio"], prefs["max_ratio_act"]) == \
        (True, 0, 0)


def test_categories_create_edit_remove(client: FlaskClient) -> None:
    assert client.get("/api/v2/torrents/categories").get_json() == {}
    client.post("/api/v2/torrents/createCategory", data={"category": "tv-sonarr"})
    client.post("/api/v2/torrents/createCategory",
                data={"category": "anime", "savePath": "/downloads/anime"})
    found = client.get("/api/v2/torrents/categories").get_json()
    assert found["anime"] == {"name": "anime", "savePath": "/downloads/anime"}
    assert found["tv-sonarr"]["savePath"].endswith("/.aniworld/bridge/tv-sonarr")
    again = client.post("/api/v2/torrents/createCategory", data={"category": "anime"})
    assert again.status_code == 409
    bad = client.post("/api/v2/torrents/createCategory",
                      data={"category": "x", "savePath": "relative"})
    assert bad.status_code == 400
    client.post("/api/v2/torrents/editCategory", data={"category": "anime", "savePath": "/dl"})
    assert client.get("/api/v2/torrents/categories").get_json()["anime"]["savePath"] == "/dl"
    missing = client.post("/api/v2/torrents/editCategory", data={"category": "nope"})
    assert missing.status_code == 409
    client.post("/api/v2/torrents/removeCategories", data={"categories": "anime\ntv-sonarr"})
    assert client.get("/api/v2/torrents/categories").get_json() == {}


def test_add_info_properties_files_and_delete(bridge: tuple[Flask, FlaskClient],
                                              client: FlaskClient) -> None:
    link = release_link(client)
    assert client.post("/api/v2/torrents/add", data={"urls": "magnet:?xt=nothing"}).text == \
        "Fails."
    added = client.post("/api/v2/torrents/add", data={"urls": link, "category": "tv-sonarr",
                                                      "paused": "true"})
    assert added.text == "Ok."
    torrents = client.get("/api/v2/torrents/info?category=tv-sonarr").get_json()
    assert len(torrents) == 1
    torrent = torrents[0]
    assert torrent["name"] == \
        f"Warriors of Light: The Return S01E02 GERMAN 1080p WEB-DL [{torrent['hash'][:8]}]"
    assert (torrent["state"], torrent["progress"], torrent["eta"]) == ("pausedDL", 0, 8640000)
    assert torrent["category"] == "tv-sonarr" and torrent["save_path"].endswith("/tv-sonarr")
    digest = torrent["hash"]
    assert client.get("/api/v2/torrents/info?category=other").get_json() == []
    assert client.get(f"/api/v2/torrents/info?hashes={digest.upper()}").get_json()[0][
        "hash"] == digest
    assert client.get("/api/v2/torrents/info?filter=completed").get_json() == []
    assert len(client.get("/api/v2/torrents/info?filter=paused").get_json()) == 1
    properties = client.get(f"/api/v2/torrents/properties?hash={digest}").get_json()
    assert properties["save_path"] == torrent["save_path"] and properties["seeding_time"] == 0
    files = client.get(f"/api/v2/torrents/files?hash={digest}").get_json()
    assert files[0]["name"] == torrent["name"]
    assert client.get("/api/v2/torrents/properties?hash=" + "0" * 40).status_code == 404
    client.post("/api/v2/torrents/resume", data={"hashes": digest})
    client.post("/api/v2/torrents/topPrio", data={"hashes": digest})
    with bridge[0].app_context():
        item = db.session.query(DownloadItem).one()
        assert (item.status, item.priority) == (ItemStatus.PENDING, Priority.HIGH)
    assert client.post("/api/v2/torrents/setCategory",
                       data={"hashes": digest, "category": "nope"}).status_code == 409
    assert client.post("/api/v2/torrents/setShareLimits",
                       data={"hashes": digest, "ratioLimit": "-2"}).status_code == 200
    client.post("/api/v2/torrents/delete", data={"hashes": digest, "deleteFiles": "false"})
    assert client.get("/api/v2/torrents/info").get_json() == []


def test_torrent_files_cannot_be_added(client: FlaskClient) -> None:
    from io import BytesIO

    response = client.post("/api/v2/torrents/add",
                           data={"torrents": (BytesIO(b"d4:infoe"), "x.torrent")})
    assert response.text == "Fails."


def test_without_redis_login_says_why(app_env: dict[str, str], tmp_path) -> None:
    _app, client = bridge_app({**app_env, "REDIS_URL": f"unix://{tmp_path}/nobody.sock"})
    response = client.post("/api/v2/auth/login", data={"username": "aniworld", "password": KEY})
    assert response.status_code == 503 and "Redis is unreachable" in response.text
    client.set_cookie("SID", "a-session-from-before-the-outage")
    assert client.get("/api/v2/app/version").status_code == 503
