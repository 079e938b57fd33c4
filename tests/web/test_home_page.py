"""The home page is a dashboard: queue, library and what needs attention, with links."""

from __future__ import annotations

from flask import Flask

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, FolderState, ItemStatus, LibraryFolder, Series
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
