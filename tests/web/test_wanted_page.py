"""The Wanted page: groups by series, filters as a GET form, downloads per row, series and all."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFile,
    LibraryFolder,
    Series,
    utcnow,
)
from tests.web.conftest import AuthActions

HX = {"HX-Request": "true"}
SUB, DUB = Language.GERMAN_SUB, Language.GERMAN_DUB


def fill(app: Flask, *, missing: int = 2, extra_series: int = 0) -> int:
    """"Drache": E01 on disk in Sub while Dub is out (an upgrade), E02 on disk in Dub,
    E03.. missing (Sub only), E99 failed; plus ``extra_series`` with one missing episode.
    Returns the id of "Drache"."""
    with app.app_context():
        series = Series(key="drache", title="Drache")
        series.episodes.append(Episode(season=1, number=1, languages="german-dub,german-sub"))
        series.episodes.append(Episode(season=1, number=2, languages="german-dub"))
        series.episodes.extend(Episode(season=1, number=n, languages="german-sub")
                               for n in range(3, 3 + missing))
        series.episodes.append(Episode(season=1, number=99, languages="german-sub"))
        db.session.add(series)
        for number in range(extra_series):
            other = Series(key=f"andere-{number:02d}", title=f"Andere {number:02d}")
            other.episodes.append(Episode(season=1, number=1, languages="german-sub"))
            db.session.add(other)
        db.session.flush()
        folder = LibraryFolder(name="Drache", series_id=series.id,
                               state=FolderState.MATCHED.value)
        db.session.add(folder)
        db.session.flush()
        for number, language in ((1, SUB), (2, DUB)):
            db.session.add(LibraryFile(folder_id=folder.id, season=1, episode=number,
                                       language=language.value, size=1,
                                       path=f"Drache/S01E0{number}.mkv"))
        db.session.add(DownloadItem(series_id=series.id, season=1, episode=99, language=SUB,
                                    status=ItemStatus.FAILED, position=1024,
                                    last_error="no hoster"))
        db.session.commit()
        return series.id


def post(auth: AuthActions, url: str, htmx: bool = True, **form: str) -> TestResponse:
    if htmx:
        return auth.client.post(url, data=form, headers={**HX, "X-CSRFToken": auth.csrf_token()})
    return auth.client.post(url, data={**form, "csrf_token": auth.csrf_token()})


def items(app: Flask) -> list[tuple[int, int, Language, ItemStatus, bool]]:
    with app.app_context():
        rows = db.session.execute(select(DownloadItem.season, DownloadItem.episode,
                                         DownloadItem.language, DownloadItem.status,
                                         DownloadItem.force).order_by(DownloadItem.episode))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def codes(html: str) -> list[str]:
    return re.findall(r'class="wanted-code">([^<]+)<', html)


def test_page_lists_missing_and_upgrades_by_series(app: Flask, logged_in: AuthActions) -> None:
    fill(app)
    response = logged_in.client.get("/wanted/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/wanted/" aria-current="page">Wanted' in html
    assert "<strong>4</strong> episodes in <strong>1</strong> series" in html
    assert "3 missing · 1 upgrade" in html and "Download all (4)" in html
    assert codes(html) == ["S01E01", "S01E03", "S01E04", "S01E99"]
    assert 'German Sub</span> → <span class="lang">German Dub' in html
    assert "failed before" in html
    assert 'href="/series/drache"' in html
    assert 'aria-label="Download S01E03 of Drache"' in html and ">Download 4</button>" in html


def test_filters_work_as_a_plain_get_form_and_for_htmx(app: Flask,
                                                       logged_in: AuthActions) -> None:
    series_id = fill(app)
    client = logged_in.client
    assert codes(client.get("/wanted/?kind=upgrade").get_data(as_text=True)) == ["S01E01"]
    assert codes(client.get("/wanted/?kind=missing&language=german-dub")
                 .get_data(as_text=True)) == []
    html = client.get("/wanted/?language=german-sub").get_data(as_text=True)
    assert codes(html) == ["S01E03", "S01E04", "S01E99"]
    assert '<option value="german-sub" selected>' in html
    assert "Nothing wanted with these filters" in client.get(
        "/wanted/?monitored=1").get_data(as_text=True)
    with app.app_context():
        db.session.get_one(Series, series_id).monitored = True
        episode = db.session.scalars(select(Episode).filter_by(number=4)).one()
        episode.first_seen_at = utcnow() - timedelta(days=1)
        db.session.commit()
    html = client.get("/wanted/?monitored=1&sort=newest").get_data(as_text=True)
    assert codes(html) == ["S01E04", "S01E01", "S01E03", "S01E99"]
    # htmx gets only the list, and the answer varies on the header.
    partial = client.get("/wanted/?kind=upgrade", headers=HX)
    assert "<html" not in partial.get_data(as_text=True)
    assert codes(partial.get_data(as_text=True)) == ["S01E01"]
    assert "HX-Request" in partial.headers["Vary"]


def test_bad_filters_are_refused_naming_the_field(app: Flask, logged_in: AuthActions) -> None:
    for query, field in (("kind=everything", "kind"), ("language=klingon", "language"),
                         ("monitored=maybe", "monitored"), ("sort=random", "sort"),
                         ("page=0", "page")):
        response = logged_in.client.get(f"/wanted/?{query}")
        assert response.status_code == 422, query
        assert field in response.get_data(as_text=True)


def test_download_one_row_marks_it_queued(app: Flask, logged_in: AuthActions) -> None:
    fill(app)
    response = post(logged_in, "/wanted/download?language=german-sub", series="drache",
                    episode="1-3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "queueChanged" in response.headers["HX-Trigger"]
    assert html.lstrip().startswith('<li class="wanted-group" id="wanted-')
    assert 'S01E03</span>' in html and 'wanted-state">queued</span>' in html
    assert html.count("queued</span>") == 1 and "Queued 1 episode(s)." in html
    assert 'id="queue-badge"' in html and 'hx-swap-oob="true"' in html
    assert 'action="/wanted/download?language=german-sub"' in html  # the filters stay
    assert items(app) == [(1, 3, SUB, ItemStatus.PENDING, False),
                          (1, 99, SUB, ItemStatus.FAILED, False)]


def test_download_a_series_queues_upgrades_with_force_and_retries_failures(
        app: Flask, logged_in: AuthActions) -> None:
    fill(app)
    html = post(logged_in, "/wanted/download", series="drache").get_data(as_text=True)
    assert html.count('wanted-state">queued</span>') == 4 and "all queued" in html
    assert items(app) == [(1, 1, DUB, ItemStatus.PENDING, True),
                          (1, 3, SUB, ItemStatus.PENDING, False),
                          (1, 4, SUB, ItemStatus.PENDING, False),
                          (1, 99, SUB, ItemStatus.PENDING, False)]
    assert "Nothing wanted" in logged_in.client.get("/wanted/").get_data(as_text=True)


def test_download_all_without_javascript(app: Flask, logged_in: AuthActions) -> None:
    fill(app, extra_series=2)
    response = post(logged_in, "/wanted/download?kind=missing", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"] == "/wanted/?kind=missing"
    page = logged_in.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Queued 5 episode(s) across 3 series." in page
    assert [(season, episode) for season, episode, *_ in items(app)] == [
        (1, 1), (1, 1), (1, 3), (1, 4), (1, 99)]  # Andere 00/01 E01, Drache E03, E04, E99
    assert codes(logged_in.client.get("/wanted/").get_data(as_text=True)) == ["S01E01"]


def test_download_all_for_htmx_answers_the_list(app: Flask, logged_in: AuthActions) -> None:
    fill(app)
    response = post(logged_in, "/wanted/download")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="wanted"')
    assert "Queued 4 episode(s)." in html and "Nothing wanted" in html


def test_pages_and_long_series(app: Flask, logged_in: AuthActions) -> None:
    fill(app, missing=25, extra_series=25)
    client = logged_in.client
    first = client.get("/wanted/").get_data(as_text=True)
    assert "page 1 of 2" in first and 'href="/wanted/?page=2"' in first
    assert len(re.findall(r'class="wanted-group"', first)) == 25
    second = client.get("/wanted/?page=2").get_data(as_text=True)
    assert re.findall(r"<h2><a [^>]+>([^<]+)</a>", second) == ["Drache"]
    # 27 rows: 20 shown, the rest one click away.
    assert len(codes(second)) == 20 and "Show all 27" in second
    alone = client.get("/wanted/?series=drache").get_data(as_text=True)
    assert len(codes(alone)) == 27 and "← Every series" in alone
    assert client.get("/wanted/?series=nothing-here").status_code == 404


def test_download_needs_login_and_csrf(app: Flask, auth: AuthActions) -> None:
    fill(app)
    assert auth.client.get("/wanted/").status_code == 302
    auth.set_password()
    auth.login()
    refused = auth.client.post("/wanted/download", data={"series": "drache"})
    assert refused.status_code in (400, 403)
    assert items(app) == [(1, 99, SUB, ItemStatus.FAILED, False)]
    bad = post(auth, "/wanted/download", series="drache", episode="three")
    assert bad.status_code == 422 and "episode" in bad.get_data(as_text=True)
