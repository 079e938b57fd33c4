"""The series page: header, season tabs, episode statuses, download actions, refresh, remove."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.services import execution
from aniworld.services import queue as queue_service
from aniworld.services.settings import save_settings
from aniworld.site import SiteClient
from aniworld.tasks.scan import run_library_scan
from tests.db_fixtures import claim_item, complete_item, fail_item
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, build_app

HX = {"HX-Request": "true"}
KEY = "kaempfer-des-lichts-die-rueckkehr"
URL = f"/series/{KEY}"


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client of an app on the fake site, with one series in the library."""
    app = build_app({**app_env, "ANIWORLD_SITE_URL": fakesite.url})
    auth = AuthActions(app, app.test_client())
    auth.set_password()
    auth.login()
    assert auth.client.post("/series/", data={"key": KEY, "csrf_token": auth.csrf_token()}
                            ).status_code == 303
    yield auth
    with app.app_context():
        db.engine.dispose()


def items(app: Flask) -> list[tuple[int, int, str, Priority, ItemStatus]]:
    with app.app_context():
        rows = db.session.scalars(select(DownloadItem).order_by(DownloadItem.id))
        return [(i.season, i.episode, i.language.value, i.priority, i.status) for i in rows]


def queue(app: Flask, season: int, episode: int, language: Language) -> int:
    with app.app_context():
        series = db.session.scalars(select(Series)).one()
        item_id = queue_service.add_item(db.session, series, season, episode, language).id
        db.session.commit()
        return item_id


def post(site: AuthActions, htmx: bool = True, **form: str) -> TestResponse:
    headers = {**HX, "X-CSRFToken": site.csrf_token()} if htmx else {}
    data = {**form} if htmx else {**form, "csrf_token": site.csrf_token()}
    return site.client.post(f"{URL}/downloads", data=data, headers=headers)


def test_page_shows_header_tabs_and_the_first_season(site: AuthActions,
                                                     fakesite: FakeSite) -> None:
    source = fakesite.catalog.series(KEY)
    assert source is not None
    response = site.client.get(URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert "Die Rückkehr" in page and str(source.start_year) in page
    assert source.genres[0] in page and source.alt_titles[0] in page
    for tab in ("Season 1", "Season 2", "Season 3", "Films"):
        assert tab in page
    assert f'hx-get="{URL}?season=0"' in page and 'hx-push-url="true"' in page
    assert page.count("<tr>") == len(source.season(1).episodes) + 1  # header row
    assert page.count(">missing<") == len(source.season(1).episodes)
    assert "HX-Request" in response.headers["Vary"]


def test_season_partial_for_htmx(site: AuthActions, fakesite: FakeSite) -> None:
    response = site.client.get(f"{URL}?season=0", headers=HX)
    body = response.get_data(as_text=True)
    films = fakesite.catalog.series(KEY).season(0).episodes  # type: ignore[union-attr]
    assert response.status_code == 200 and "<html" not in body
    assert body.startswith('<section id="season"') and films[0].title_de in body
    assert '<a role="tab" href="/series/' in body
    assert f'href="{URL}?season=0" hx-get="{URL}?season=0"' in body


@pytest.mark.parametrize(("query", "status"), [("?season=9", 404), ("?season=x", 422),
                                               ("?season=-1", 422)])
def test_bad_season(site: AuthActions, query: str, status: int) -> None:
    assert site.client.get(URL + query).status_code == status


def test_unknown_series_is_404(site: AuthActions) -> None:
    assert site.client.get("/series/not-here").status_code == 404


def test_statuses_follow_the_queue_and_the_disk(site: AuthActions) -> None:
    app = site.app
    ids = [queue(app, 1, n, Language.GERMAN_DUB) for n in (1, 2, 3, 4)]
    with app.app_context():
        claim = claim_item(db.session, ids[1])
        execution.record_progress(db.session, ids[1], claim.lease, 42, 100, None, None)
        fail_item(db.session, ids[2], "no hoster left")
        done = Path(app.extensions["aniworld.config"].library_dir) / "done.mp4"
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_bytes(b"video")
        complete_item(db.session, ids[3], str(done))
        db.session.commit()
    page = site.client.get(URL).get_data(as_text=True)
    assert 'class="status-queued">queued<' in page
    assert "downloading 42 %" in page
    assert 'class="status-failed">failed: no hoster left<' in page
    assert 'class="status-on-disk">on disk<' in page


def _poll_url(page: str) -> str | None:
    """The live poller's URL on a page or in a poll answer (None: it does not poll)."""
    match = re.search(r'id="series-live"[^>]*hx-get="([^"]+)"', page)
    return match.group(1).replace("&amp;", "&") if match else None


def test_status_cells_live_while_an_episode_is_queued_then_stop(site: AuthActions) -> None:
    app = site.app
    assert _poll_url(site.client.get(URL).get_data(as_text=True)) is None  # nothing queued
    item_id = queue(app, 1, 2, Language.GERMAN_DUB)
    poll = _poll_url(site.client.get(URL).get_data(as_text=True))
    assert poll is not None and "season=1" in poll
    assert site.client.get(poll, headers=HX).status_code == 204  # nothing changed
    with app.app_context():
        claim = claim_item(db.session, item_id)
        execution.record_progress(db.session, item_id, claim.lease, 42, 100, None, None)
        db.session.commit()
    answer = site.client.get(poll, headers=HX)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body
    assert re.search(r'<template><td id="status-1-2" class="status-downloading" '
                     r'hx-swap-oob="true">downloading 42 %</td></template>', body)
    poll = _poll_url(body)
    assert poll is not None and site.client.get(poll, headers=HX).status_code == 204
    done = Path(app.extensions["aniworld.config"].library_dir) / "live.mp4"
    done.parent.mkdir(parents=True, exist_ok=True)
    done.write_bytes(b"video")
    with app.app_context():
        assert execution.complete(db.session, item_id, claim.lease, str(done))
        db.session.commit()
    answer = site.client.get(poll, headers=HX)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 286  # htmx stops polling: nothing left to watch
    assert 'id="status-1-2" class="status-on-disk" hx-swap-oob="true">on disk<' in body
    assert _poll_url(body) is None


def test_a_file_the_library_scan_found_is_on_disk(site: AuthActions) -> None:
    with site.app.app_context():
        library = Path(site.app.extensions["aniworld.config"].library_dir)
        series = db.session.scalars(select(Series)).one()
        episode = series.episodes[0] if series.episodes[0].season else series.episodes[-1]
    title = episode.title_de or episode.title_en
    target = library / f"{series.title} ({series.year})" / f"Season {episode.season:02}" / (
        f"{series.title} - S{episode.season:02}E{episode.number:02} - {title} [German Sub].mp4")
    target = Path(str(target).replace(":", " -"))
    target.parent.mkdir(parents=True)
    target.write_bytes(b"video")
    page = site.client.get(f"{URL}?season={episode.season}").get_data(as_text=True)
    assert page.count(">on disk<") == 0  # not scanned yet
    with site.app.app_context():
        run_library_scan(sessionmaker(db.engine), library, _no_site, match=False)
    page = site.client.get(f"{URL}?season={episode.season}").get_data(as_text=True)
    assert page.count(">on disk<") == 1


def _no_site() -> SiteClient:
    raise AssertionError("a scan without matching must not reach the site")


def test_download_one_episode(site: AuthActions) -> None:
    response = post(site, scope="episode", season="1", episode="2", language="german-dub",
                    priority="high")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "queueChanged"
    assert "Queued 1 episode(s) in German Dub" in body
    assert 'id="queue-badge"' in body and 'hx-swap-oob="true"' in body
    assert 'class="status-queued">queued<' in body
    assert items(site.app) == [(1, 2, "german-dub", Priority.HIGH, ItemStatus.PENDING)]
    again = post(site, scope="episode", season="1", episode="2", language="german-dub")
    assert "1 already in the queue" in again.get_data(as_text=True)
    assert len(items(site.app)) == 1


def test_download_season_and_all_missing_skip_duplicates(site: AuthActions,
                                                         fakesite: FakeSite) -> None:
    season_1 = len(fakesite.catalog.series(KEY).season(1).episodes)  # type: ignore[union-attr]
    queue(site.app, 1, 1, Language.GERMAN_SUB)
    body = post(site, scope="season", season="1", language="german-sub").get_data(as_text=True)
    assert f"Queued {season_1 - 1} episode(s)" in body and "1 already on disk or queued" in body
    response = post(site, scope="missing", season="1", language="german-sub")
    assert response.headers["HX-Trigger"] == "queueChanged"
    assert "Queued" in response.get_data(as_text=True)
    rows = items(site.app)
    assert len(rows) == len({(s, e) for s, e, *_ in rows})  # nothing queued twice
    assert {s for s, *_ in rows} == {0, 1, 2, 3}
    again = post(site, scope="missing", season="1", language="german-sub")
    assert "Queued 0 episode(s)" in again.get_data(as_text=True) and items(site.app) == rows


def test_download_without_htmx_redirects_with_a_notice(site: AuthActions) -> None:
    response = post(site, htmx=False, scope="season", season="2", language="german-sub")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?season=2"
    page = site.client.get(f"{URL}?season=2").get_data(as_text=True)
    assert "Queued" in page


def test_language_select_defaults_to_automatic(site: AuthActions) -> None:
    page = site.client.get(f"{URL}?season=2").get_data(as_text=True)
    automatic = '<option value="" selected>Automatic (best available)</option>'
    assert page.count(automatic) == 1 + 12  # the season form and every episode row


def test_automatic_season_says_which_languages_it_chose(site: AuthActions) -> None:
    body = post(site, scope="season", season="2").get_data(as_text=True)
    # S02E03 is offered in German Sub only; the rest in German Dub, the first of the order.
    assert "Queued 12 episode(s): 11 in German Dub, 1 in German Sub (the best each episode " \
        "is offered in)." in body
    chosen = {(e, language) for _, e, language, *_ in items(site.app)}
    assert (3, "german-sub") in chosen and (4, "german-dub") in chosen


def test_automatic_episode_takes_the_best_it_offers(site: AuthActions) -> None:
    first = post(site, scope="episode", season="1", episode="1").get_data(as_text=True)
    assert "Queued 1 episode(s) in German Dub." in first
    subbed = post(site, scope="episode", season="2", episode="3").get_data(as_text=True)
    assert "Queued 1 episode(s): 1 in German Sub" in subbed
    assert [(s, e, language) for s, e, language, *_ in items(site.app)] == [
        (1, 1, "german-dub"), (2, 3, "german-sub")]


def test_automatic_refuses_what_the_language_order_excludes(site: AuthActions) -> None:
    with site.app.app_context():
        save_settings(db.session, language_order=["german-dub"])
        db.session.commit()
    body = post(site, scope="season", season="2").get_data(as_text=True)
    assert "Queued 11 episode(s) in German Dub; 1 not offered in any language of your " \
        "language order." in body
    one = post(site, scope="episode", season="2", episode="3").get_data(as_text=True)
    assert "offered only in German Sub, none of them in your language order" in one


@pytest.mark.parametrize(("form", "message"), [
    ({"scope": "everything", "season": "1", "language": "german-dub"}, "scope must be one of"),
    ({"scope": "season", "season": "1", "language": "klingon"}, "unknown language"),
    ({"scope": "season", "season": "1", "language": "german-dub", "priority": "asap"},
     "unknown priority"),
    ({"scope": "episode", "season": "1", "episode": "x", "language": "german-dub"},
     "episode must be a whole number"),
    ({"scope": "episode", "season": "1", "episode": "999", "language": "german-dub"},
     "has no episode 999"),
    ({"scope": "episode", "season": "2", "episode": "3", "language": "german-dub"},
     "not offered in German Dub"),
])
def test_download_form_is_validated_inline(site: AuthActions, form: dict[str, str],
                                           message: str) -> None:
    response = post(site, **form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body
    assert "HX-Trigger" not in response.headers
    assert items(site.app) == []


def test_download_needs_the_csrf_token(site: AuthActions) -> None:
    response = site.client.post(f"{URL}/downloads", headers=HX, data={
        "scope": "season", "season": "1", "language": "german-dub"})
    assert response.status_code == 400 and items(site.app) == []


def test_refresh_reads_the_site_again(site: AuthActions, fakesite: FakeSite) -> None:
    response = site.client.post(f"{URL}/refresh", data={"csrf_token": site.csrf_token()},
                                follow_redirects=True)
    assert response.request.path == URL and "Refreshed from the site" in response.get_data(
        as_text=True)
    fakesite.set_fault("ddos_guard")
    failed = site.client.post(f"{URL}/refresh", data={"csrf_token": site.csrf_token()},
                              follow_redirects=True)
    assert failed.status_code == 200 and "Could not refresh" in failed.get_data(as_text=True)


def test_remove_asks_first_then_removes(site: AuthActions) -> None:
    queue(site.app, 1, 1, Language.GERMAN_DUB)
    confirm = site.client.get(f"{URL}/delete")
    assert confirm.status_code == 200 and "Remove" in confirm.get_data(as_text=True)
    assert site.client.post(f"{URL}/delete").status_code == 400  # no CSRF token
    response = site.client.post(f"{URL}/delete", data={"csrf_token": site.csrf_token()})
    assert response.status_code == 302 and response.headers["Location"] == "/library/"
    assert site.client.get(URL).status_code == 404 and items(site.app) == []
