"""What the page benchmarks share: a throw-away app with a logged-in test client."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from aniworld import create_app
from aniworld.config import Config
from aniworld.extensions import db
from aniworld.models import Base
from aniworld.services import credentials


@contextmanager
def benchmark_app(prefix: str, password: str) -> Iterator[tuple[Flask, FlaskClient, Path]]:
    """An app under a new temporary folder (schema and ``password`` set), a client logged
    in with it, and the folder; all of it is removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    env = {"ANIWORLD_DATA_DIR": str(root / "data"),
           "ANIWORLD_LIBRARY_DIR": str(root / "library"),
           "ANIWORLD_SECRET_KEY": "bench-secret-key-0123456789abcdef",
           # No Redis here: the banner's probe and the login throttle would log it.
           "ANIWORLD_LOG_LEVEL": "ERROR"}
    try:
        app = create_app(Config.from_env(env))
        with app.app_context():
            Base.metadata.create_all(db.engine)
            credentials.set_password(db.session, password)
            db.session.commit()
        client = app.test_client()
        _log_in(client, password)
        yield app, client, root
        with app.app_context():
            db.engine.dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _log_in(client: FlaskClient, password: str) -> None:
    """Log the test client in through the login form."""
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"password": password, "csrf_token": token})
    assert response.status_code == 302, "login failed"
