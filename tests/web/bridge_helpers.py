"""Shared set-up of the Sonarr bridge's web tests: an app with an API key and a series."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Episode, Series
from tests.web.conftest import api_client

KEY = "aw_bridge-test-key-0123456789abcdef"
SERIES_KEY = "kaempfer"
TITLE = "Kämpfer des Lichts: Die Rückkehr"
ALTERNATIVE = "Warriors of Light: The Return"


def bridge_app(env: dict[str, str]) -> tuple[Flask, FlaskClient]:
    """An initialised app whose API key is ``KEY``, with one series of two seasons and a film.

    The client sends no API key header: Sonarr's clients do not either.
    """
    app, client = api_client(env, KEY)
    client.environ_base.pop("HTTP_X_API_KEY")
    with app.app_context():
        series = Series(key=SERIES_KEY, title=TITLE, alternative_titles=ALTERNATIVE)
        db.session.add(series)
        db.session.flush()
        for season, count in ((1, 12), (2, 3), (0, 1)):
            for number in range(1, count + 1):
                episode = Episode(series_id=series.id, season=season, number=number)
                episode.language_set = (Language.GERMAN_DUB, Language.GERMAN_SUB)
                db.session.add(episode)
        db.session.commit()
    return app, client


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` served over HTTP on a loopback port (werkzeug, threaded); yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()
