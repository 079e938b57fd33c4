"""s.to in the pages: search badges and site choice, ``/series/sto:<slug>``, queue, library,
settings and status (each site with its own hold)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.services import queue as queue_service
from aniworld.services.settings import load_settings
from aniworld.site.limiter import SiteLimiter
from tests.db_fixtures import fail_item
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, csrf_token_from, site_auth

HX = {"HX-Request": "true"}
DEMO = "sto:demo-serie"
BOTH = "ache"  # four aniworld titles (… Drache) and one s.to title (… Reboot & Rache)


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client of an app that talks to both stand-in sites."""
    yield from site_auth(app_env, fakesite)


def post(auth: AuthActions, url: str, htmx: bool = True, **form: str) -> TestResponse:
    headers = {**HX, "X-CSRFToken": auth.csrf_token()} if htmx else {}
    data = form if htmx else {**form, "csrf_token": auth.csrf_token()}
    return auth.client.post(url, data=data, headers=headers)


def page(client: FlaskClient, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


# --- search -------------------------------------------------------------------------------

def test_search_shows_both_sites_with_badges_and_public_keys(site: AuthActions) -> None:
    body = page(site.client, f"/search/?q={BOTH}")
    assert body.count('class="site-badge site-aniworld">AniWorld<') == 4
    assert body.count('class="site-badge site-sto">S.to<') == 1
    assert 'value="sto:demo-serie-reboot-rache"' in body and 'value="blauer-drache"' in body
    assert '<option value="all">All sites</option>' in body


def test_search_of_one_site_keeps_the_choice(site: AuthActions) -> None:
    body = page(site.client, f"/search/?q={BOTH}&site=sto")
    assert '<option value="sto" selected>S.to</option>' in body
    assert "site-aniworld" not in body.split('id="results"')[1]
    partial = page(site.client, f"/search/?q={BOTH}&site=aniworld", **HX)
    assert "<html" not in partial and "site-sto" not in partial and "Drache" in partial


def test_search_of_an_unknown_site_is_said_inline(site: AuthActions) -> None:
    body = page(site.client, f"/search/?q={BOTH}&site=nowhere", **HX)
    assert 'class="error"' in body and "site must be one of aniworld, sto, all" in body


def test_a_failing_site_is_named_above_the_others_results(site: AuthActions,
                                                          fakesite: FakeSite) -> None:
    fakesite.set_fault("ddos_guard", server="sto")
    body = page(site.client, f"/search/?q={BOTH}", **HX)
    assert "S.to could not be searched: the site asks for a browser check" in body
    assert body.count("site-aniworld") == 4


def test_in_library_is_per_site(site: AuthActions) -> None:
    response = post(site, "/series/", key=DEMO)
    assert response.headers["HX-Redirect"] == f"/series/{DEMO}"
    body = page(site.client, "/search/?q=Demo")
    assert f'href="/series/{DEMO}"' in body
    assert 'value="sto:demo-serie-reboot-rache"' in body  # the other s.to result: still "Add"


# --- series page and its actions ----------------------------------------------------------

@pytest.fixture
def added(site: AuthActions) -> AuthActions:
    """The s.to series Demo Serie in the library (added through the page's form)."""
    response = post(site, "/series/", htmx=False, key=DEMO)
    assert response.status_code == 303 and response.headers["Location"] == f"/series/{DEMO}"
    return site


def test_series_page_shows_its_site_and_links_there(added: AuthActions,
                                                    fakesite: FakeSite) -> None:
    body = page(added.client, f"/series/{DEMO}")
    assert "<h1>Demo Serie</h1>" in body and 'class="site-badge site-sto">S.to<' in body
    assert f'href="{fakesite.sto_url}/serie/demo-serie"' in body and "Open on S.to" in body
    for action in ("refresh", "monitored", "downloads"):
        assert f'action="/series/{DEMO}/{action}"' in body
    assert f'href="/series/{DEMO}?season=2"' in body and f'href="/series/{DEMO}/delete"' in body
    assert added.client.get("/series/demo-serie").status_code == 404  # aniworld's slug


def test_series_actions_work_under_the_sto_key(added: AuthActions,
                                               fakesite: FakeSite) -> None:
    queued = post(added, f"/series/{DEMO}/downloads", scope="episode", season="1", episode="1",
                  language="german-dub")
    assert queued.status_code == 200 and "Queued 1 episode(s)" in queued.get_data(as_text=True)
    library = page(added.client, "/library/")
    assert f'href="/series/{DEMO}"' in library and f'value="{DEMO}"' in library
    assert "site-sto" in library
    # Monitored with "everything missing": the refresh below queues the rest.
    monitored = post(added, f"/series/{DEMO}/monitored", monitored="1")
    assert monitored.headers["HX-Redirect"] == f"/series/{DEMO}"
    before = len(fakesite.requests_to("/serie/demo-serie", server="sto"))
    refreshed = post(added, f"/series/{DEMO}/refresh", htmx=False)
    assert refreshed.headers["Location"] == f"/series/{DEMO}"
    assert len(fakesite.requests_to("/serie/demo-serie", server="sto")) > before
    queue = page(added.client, "/queue/")
    assert "Demo Serie</strong> S01E01" in queue and 'class="site-badge site-sto">S.to<' in queue
    assert "Demo Serie</strong> S02E02" in queue
    assert f'action="/series/{DEMO}/delete"' in page(added.client, f"/series/{DEMO}/delete")
    removed = post(added, f"/series/{DEMO}/delete", htmx=False)
    assert removed.status_code == 302
    assert added.client.get(f"/series/{DEMO}").status_code == 404


def test_library_download_missing_takes_the_sto_key(added: AuthActions) -> None:
    response = post(added, "/library/download-missing", series=DEMO)
    assert response.status_code == 200
    assert "Queued 7 episode(s) across 1 series" in response.get_data(as_text=True)


# --- settings -----------------------------------------------------------------------------

def settings_post(client: FlaskClient, url: str, **data: str) -> TestResponse:
    token = csrf_token_from(client.get("/settings/"))
    return client.post(url, data={**data, "csrf_token": token},
                       headers={**HX, "X-CSRFToken": token})


def stored(app: Flask) -> Any:
    with app.app_context():
        return load_settings(db.session)


def test_settings_page_has_an_sto_section(logged_in: AuthActions, client: FlaskClient) -> None:
    body = page(client, "/settings/")
    assert 'id="settings-sto"' in body and 'href="#settings-sto"' in body
    assert 'hx-post="/settings/sto"' in body and 'name="sto_url"' in body
    assert 'placeholder="http://localhost:9"' in body  # the environment's ANIWORLD_STO_URL
    assert 'name="sto_cookies"' in body and 'name="sto_transport"' in body


def test_saving_sto_settings_stores_them_apart(app: Flask, logged_in: AuthActions,
                                               client: FlaskClient) -> None:
    response = settings_post(client, "/settings/sto",
                             sto_url="https://s.to, https://serienstream.to",
                             sto_transport="requests", sto_proxy="", sto_cache_ttl="60",
                             sto_cookies="cf_clearance=abc")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "S.to settings saved." in body
    assert 'id="settings-sto"' in body and 'id="settings-site"' not in body
    saved = stored(app)
    assert saved.sto_url == "https://s.to, https://serienstream.to"
    assert (saved.sto_transport, saved.sto_cache_ttl, saved.sto_cookies) == (
        "requests", 60, "cf_clearance=abc")
    assert saved.site_url is None and saved.site_cookies is None
    assert "<strong>imported</strong>" in body and "abc" not in body


@pytest.mark.parametrize(("field", "value", "message"), [
    ("sto_url", "ftp://s.to", "http(s) URL"),
    ("sto_proxy", "not a proxy", "Must be a URL like http://host:3128"),
    ("sto_cache_ttl", "soon", "Enter a whole number"),
])
def test_sto_errors_are_shown_beside_their_field(app: Flask, logged_in: AuthActions,
                                                 client: FlaskClient, field: str, value: str,
                                                 message: str) -> None:
    response = settings_post(client, "/settings/sto", **{field: value})
    body = html.unescape(response.get_data(as_text=True))
    assert f'id="{field}-error"' in body and message in body
    assert f'name="{field}"' in body and 'aria-invalid="true"' in body
    assert stored(app).sto_url is None


def test_sto_cookies_must_be_for_the_sto_host(logged_in: AuthActions,
                                              client: FlaskClient) -> None:
    cookies = "aniworld.to\tFALSE\t/\tTRUE\t0\tcf_clearance\tabc"
    response = settings_post(client, "/settings/sto", sto_url="https://s.to", sto_cookies=cookies)
    assert "No cookies for s.to found in this text" in response.get_data(as_text=True)


# --- holds --------------------------------------------------------------------------------

def hold_both(app_env: dict[str, str], redis_url: str) -> None:
    config, connection = Config.from_env(app_env), redis.Redis.from_url(redis_url)
    for site in ("aniworld", "sto"):
        SiteLimiter(config.site_settings(site).base_url, connection).hold(600, "site_challenge")


def test_each_sites_hold_is_shown_and_ended_by_its_own_settings(
        app_env: dict[str, str], redis_url: str, client: FlaskClient,
        logged_in: AuthActions) -> None:
    hold_both(app_env, redis_url)
    queue = page(client, "/queue/")
    assert "AniWorld paused: the site asked" in queue and "S.to paused: the site asked" in queue
    status = page(client, "/status/")
    assert status.count("Paused: the site asked for a browser check") == 2
    settings_post(client, "/settings/sto", sto_cache_ttl="60")
    holds = client.get("/api/v1/status/hosters").get_json()
    assert holds["site_holds"]["sto"] is None and holds["site_holds"]["aniworld"] is not None
    assert holds["site_hold"] == holds["site_holds"]["aniworld"]
    body = page(client, "/status/")
    assert body.count("Paused:") == 1 and "Requests to the site run normally" in body


def test_retrying_an_sto_item_ends_only_the_sto_hold(
        app_env: dict[str, str], redis_url: str, client: FlaskClient, app: Flask,
        logged_in: AuthActions) -> None:
    with app.app_context():
        series = Series(site="sto", key="demo-serie", title="Demo Serie")
        db.session.add(series)
        db.session.flush()
        item_id = queue_service.add_item(db.session, series, 1, 1, Language.GERMAN_DUB).id
        fail_item(db.session, item_id)
        db.session.commit()
    hold_both(app_env, redis_url)
    response = client.post(f"/queue/{item_id}/retry",
                           headers={**HX, "X-CSRFToken": logged_in.csrf_token()})
    assert response.status_code == 200 and "site-sto" in response.get_data(as_text=True)
    holds = client.get("/api/v1/status/hosters").get_json()["site_holds"]
    assert holds["sto"] is None and holds["aniworld"] is not None
