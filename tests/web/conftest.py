"""Fixtures for the web layer: app, client, an ``auth`` helper and row factories."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from aniworld import create_app
from aniworld.config import Config
from aniworld.extensions import db
from aniworld.models import Base, Series
from aniworld.services import credentials
from tests.fakesite.server import FakeSite

PASSWORD = "correct horse battery"


def build_app(env: dict[str, str]) -> Flask:
    """Create an app for ``env`` with its schema in place."""
    app = create_app(Config.from_env(env))
    app.config["TESTING"] = True
    with app.app_context():
        Base.metadata.create_all(db.engine)
    return app


def api_client(env: dict[str, str], api_key: str) -> tuple[Flask, FlaskClient]:
    """An initialised app whose ``ANIWORLD_API_KEY`` is ``api_key``, and a client sending it."""
    app = build_app({**env, "ANIWORLD_API_KEY": api_key})
    app.test_cli_runner().invoke(args=["init"])
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = api_key
    return app, client


@pytest.fixture
def app(app_env: dict[str, str]) -> Iterator[Flask]:
    """A fresh, unclaimed instance on its own SQLite file."""
    app = build_app(app_env)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


def csrf_token_from(response: TestResponse) -> str:
    """Extract the CSRF token from a rendered page's <meta> tag."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "page carries no csrf-token meta tag"
    return match.group(1)


class AuthActions:
    """Drive set-up, login and logout like a browser would (flaskr's ``auth`` helper)."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def set_password(self, password: str = PASSWORD) -> None:
        """Claim the instance directly in the database."""
        with self.app.app_context():
            credentials.set_password(db.session, password)
            db.session.commit()

    def csrf_token(self) -> str:
        """Return a valid CSRF token for this client's session."""
        return csrf_token_from(self.client.get("/login"))

    def login(self, password: str = PASSWORD, remember: bool = False) -> TestResponse:
        """Post the login form with a valid CSRF token."""
        data = {"password": password, "csrf_token": self.csrf_token()}
        if remember:
            data["remember"] = "on"
        return self.client.post("/login", data=data)

    def logout(self) -> TestResponse:
        """Post the logout form."""
        token = csrf_token_from(self.client.get("/"))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """The ``auth`` helper bound to the test client."""
    return AuthActions(app, client)


@pytest.fixture
def logged_in(auth: AuthActions) -> AuthActions:
    """A claimed instance with the client logged in."""
    auth.set_password()
    response = auth.login()
    assert response.status_code == 302, response.get_data(as_text=True)
    return auth


def add_series(app: Flask, key: str = "demo-series", title: str = "Demo Series") -> int:
    """Insert a series row and return its id."""
    with app.app_context():
        series = Series(key=key, title=title)
        db.session.add(series)
        db.session.commit()
        return series.id


def site_urls(fakesite: FakeSite) -> dict[str, str]:
    """The environment that points both sites at the stand-in (aniworld.to and s.to)."""
    return {"ANIWORLD_SITE_URL": fakesite.url, "ANIWORLD_STO_URL": fakesite.sto_url}


def site_auth(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """Build, log in and finally dispose an app that talks to ``fakesite``."""
    app = build_app({**app_env, **site_urls(fakesite)})
    auth = AuthActions(app, app.test_client())
    auth.set_password()
    auth.login()
    yield auth
    with app.app_context():
        db.engine.dispose()
