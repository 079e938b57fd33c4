"""The library page: cards with on-disk and missing counts, the missing-only filter."""

from __future__ import annotations

from flask import Flask

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Episode, Series
from aniworld.services import queue as queue_service
from tests.web.conftest import AuthActions, add_series

HX = {"HX-Request": "true"}


def add_episodes(app: Flask, key: str, count: int) -> None:
    """Give the series ``key`` ``count`` episodes of season 1, offered in German Dub."""
    with app.app_context():
        series = db.session.scalars(db.select(Series).where(Series.key == key)).one()
        series.episodes.extend(Episode(season=1, number=n, languages="german-dub")
                               for n in range(1, count + 1))
        db.session.commit()


def complete(app: Flask, key: str, episode: int) -> None:
    """Download ``episode`` of ``key`` (as a worker would), with a real file on disk."""
    with app.app_context():
        series = db.session.scalars(db.select(Series).where(Series.key == key)).one()
        item = queue_service.add_item(db.session, series, 1, episode, Language.GERMAN_DUB)
        queue_service.mark_downloading(db.session, item.id)
        path = app.extensions["aniworld.config"].library_dir / f"{key}-{episode}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"video")
        queue_service.mark_completed(db.session, item.id, str(path))
        db.session.commit()


def test_empty_library_points_to_search(app: Flask, logged_in: AuthActions) -> None:
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "library is empty" in page and 'href="/search/"' in page


def test_cards_show_counts_and_the_filter(app: Flask, logged_in: AuthActions) -> None:
    add_series(app, "done-series", "Done Series")
    add_series(app, "open-series", "Open Series")
    add_episodes(app, "done-series", 2)
    add_episodes(app, "open-series", 3)
    for episode in (1, 2):
        complete(app, "done-series", episode)
    complete(app, "open-series", 1)
    response = logged_in.client.get("/library/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert page.index("Done Series") < page.index("Open Series")
    assert "2 episodes" in page and "2 on disk" in page and "0 missing" in page
    assert "3 episodes" in page and "1 on disk" in page and "2 missing" in page
    assert 'href="/series/open-series"' in page
    missing = logged_in.client.get("/library/?missing=1", headers=HX)
    body = missing.get_data(as_text=True)
    assert "<html" not in body and "Open Series" in body and "Done Series" not in body
    assert 'aria-selected="true">Missing episodes' in body


def test_missing_filter_with_nothing_missing(app: Flask, logged_in: AuthActions) -> None:
    add_series(app)
    page = logged_in.client.get("/library/?missing=1").get_data(as_text=True)
    assert "on disk or on its way" in page


def test_bad_filter_value(app: Flask, logged_in: AuthActions) -> None:
    assert logged_in.client.get("/library/?missing=yes").status_code == 422
