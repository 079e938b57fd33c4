"""The home page is a dashboard: queue, library and what needs attention, with links."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFolder,
    Series,
    utcnow,
)
from tests.web.conftest import AuthActions

CAPTCHA = "the site shows a captcha instead of the video link; open it in your browser"


def _fill(app: Flask) -> None:
    """One series of four episodes: downloading, pending, failed (captcha), not queued."""
    with app.app_context():
        series = Series(key="blauer-drache", title="Blauer Drache")
        series.episodes.extend(Episode(season=1, number=n, languages="german-dub")
                               for n in range(1, 5))
        db.session.add(series)
        db.session.flush()
        states = {1: ItemStatus.DOWNLOADING, 2: ItemStatus.PENDING, 3: ItemStatus.FAILED}
        for number, status in states.items():
            db.session.add(DownloadItem(
                series_id=series.id, season=1, episode=number, language=Language.GERMAN_DUB,
                position=number * 1024, status=status, progress=0.42 if number == 1 else 0.0,
                last_error=CAPTCHA if status is ItemStatus.FAILED else None))
        db.session.add(LibraryFolder(name="Roter Drache", state=FolderState.UNMATCHED.value))
        db.session.commit()


def test_home_page_summarises_queue_library_and_attention(app: Flask,
                                                          logged_in: AuthActions) -> None:
    _fill(app)
    html = logged_in.client.get("/").get_data(as_text=True)
    assert "JSON API" not in html
    assert "<strong>1</strong> downloading" in html
    assert "<strong>1</strong> pending" in html
    assert "<strong>1</strong> failed" in html
    assert 'value="42.0"' in html and "Blauer Drache</strong> S01E01" in html
    assert "<strong>1</strong> series" in html
    assert "<strong>0</strong> episodes on disk" in html
    assert "<strong>2</strong> missing" in html
    assert "Action needed for <strong>Blauer Drache</strong> S01E03" in html
    assert 'href="/library/unmatched">1 unmatched folder(s)' in html
    assert 'href="/queue/">1 failed download(s)' in html
    # No worker runs in this test: the banner's sentence is among the attention items.
    assert "No download worker is running" in html
    for url in ("/queue/", "/library/", "/settings/"):
        assert f'href="{url}"' in html


def test_empty_home_page_points_to_search(logged_in: AuthActions) -> None:
    html = logged_in.client.get("/").get_data(as_text=True)
    assert "<strong>0</strong> downloading" in html
    assert 'href="/search/"' in html
    assert "Action needed" not in html and "unmatched folder" not in html


def test_whats_new_shows_this_weeks_episodes_with_their_state(app: Flask,
                                                              logged_in: AuthActions) -> None:
    _fill(app)
    with app.app_context():
        now = utcnow()
        for number, days in ((1, 1), (2, 2), (4, 3)):
            episode = db.session.scalars(select(Episode).filter_by(number=number)).one()
            episode.first_seen_at = now - timedelta(days=days)
        db.session.scalars(select(Episode).filter_by(number=3)).one().first_seen_at = (
            now - timedelta(days=9))
        db.session.commit()
    html = logged_in.client.get("/").get_data(as_text=True)
    section = html.split('id="whats-new"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="/series/blauer-drache">Blauer Drache</a> (S01E0\d)', section) == [
        "S01E01", "S01E02", "S01E04"]  # E03 came out nine days ago
    assert 'class="status-downloading">downloading' in section
    assert 'class="status-queued">queued' in section
    assert 'class="status-missing">missing' in section
    assert 'href="/wanted/?sort=newest"' in section


def test_whats_new_when_nothing_came_out(app: Flask, logged_in: AuthActions) -> None:
    _fill(app)
    html = logged_in.client.get("/").get_data(as_text=True)
    assert "No episodes of your series came out in the last 7 days." in html
