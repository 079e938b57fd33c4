"""What every page carries: a site icon that loads, an alert region, errors htmx can show."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, add_series

ANONYMOUS_PAGES = ["/setup", "/login"]
PAGES = ["/", "/library/", "/library/unmatched", "/search/", "/queue/", "/settings/",
         "/series/demo-series", "/no-such-page"]


def _icon_href(html: str) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert match, "the page links no icon"
    return match.group(1)


def _assert_icon_loads(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    with client.get(_icon_href(html)) as response:  # a file response: close it
        assert response.status_code == 200, path
        assert response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_pages_before_login_link_an_icon_that_loads(client: FlaskClient,
                                                    auth: AuthActions) -> None:
    _assert_icon_loads(client, "/setup")
    auth.set_password()
    _assert_icon_loads(client, "/login")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_an_icon_that_loads(app: object, client: FlaskClient,
                                             logged_in: AuthActions, path: str) -> None:
    add_series(app)  # type: ignore[arg-type]
    _assert_icon_loads(client, path)


@pytest.mark.parametrize("claimed", [False, True])
def test_favicon_ico_answers_anonymous_callers(client: FlaskClient, auth: AuthActions,
                                               claimed: bool) -> None:
    if claimed:
        auth.set_password()
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml" and b"<svg" in response.data


def test_every_page_has_the_request_error_region(client: FlaskClient,
                                                 logged_in: AuthActions) -> None:
    html = client.get("/queue/").get_data(as_text=True)
    # Empty (the CSS hides it), and a live region so the message static/app.js puts in it is read.
    assert '<div id="request-error" class="request-error" role="alert" aria-live="assertive">' \
           '</div>' in html


def test_htmx_error_is_the_message_alone(client: FlaskClient, logged_in: AuthActions) -> None:
    response = client.get("/series/gone", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" not in body
    assert re.fullmatch(r'\s*<p role="alert" data-error-message>[^<]*gone[^<]*</p>\s*', body), body
    assert "HX-Request" in response.headers["Vary"]


def test_error_page_without_htmx_carries_the_same_message(client: FlaskClient,
                                                          logged_in: AuthActions) -> None:
    response = client.get("/series/gone")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" in body and "Error 404" in body
    assert re.search(r'<p role="alert" data-error-message>[^<]*gone[^<]*</p>', body)
