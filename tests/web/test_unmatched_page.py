"""The unmatched page: folders the scan could not tie to a series, resolved by the user."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from aniworld.extensions import db
from aniworld.models import FolderState, LibraryFolder
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, site_auth
from tests.web.test_library_page import HX, library_dir, make_folder, post, scan


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """An app on the fake site after a real scan left two folders unmatched.

    "Blauer" (two files) has nine "Blauer …" candidates (eight of aniworld.to, s.to's
    "Blauer Mond"); "Zzyzx Unbekannt" found nothing on either site.
    """
    for auth in site_auth(app_env, fakesite):
        make_folder(auth.app, "Blauer", [1, 2])
        make_folder(auth.app, "Zzyzx Unbekannt", [1])
        assert "0 matched, 2 need your choice" in scan(auth.app)
        yield auth


def folder(app: Flask, name: str) -> LibraryFolder:
    """The stored folder ``name`` (detached; read its columns only)."""
    with app.app_context():
        row = db.session.scalars(select(LibraryFolder).where(LibraryFolder.name == name)).one()
        db.session.expunge(row)
        return row


def test_list_shows_folders_and_candidates(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    response = site.client.get("/library/unmatched")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert "Blauer" in page and "2 episode files" in page and "no exact title match" in page
    assert f'id="candidates-{blauer.id}"' in page
    assert page.count('type="radio" name="key"') == 9
    assert 'value="blauer-mond"' in page and "Blauer Mond" in page and "(2020)" in page
    assert "Use this series" in page and "Ignore this folder" in page
    assert "Zzyzx Unbekannt" in page and "1 episode file " in page and "offered nothing" in page
    assert 'name="q" maxlength="100" required\n             value="Blauer"' in page


def test_nothing_to_choose(app: Flask, logged_in: AuthActions) -> None:
    page = logged_in.client.get("/library/unmatched").get_data(as_text=True)
    assert "No folder needs your choice" in page


def test_resolve_links_the_folder_and_writes_its_marker(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    response = post(site, f"/library/unmatched/{blauer.id}/resolve", key="blauer-mond")
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/library/unmatched"
    marker = json.loads((library_dir(site.app) / "Blauer" / ".aniworld.json").read_text())
    assert marker["key"] == "blauer-mond"
    assert folder(site.app, "Blauer").state == FolderState.MATCHED
    page = site.client.get("/library/unmatched").get_data(as_text=True)
    assert "Matched Blauer to Blauer Mond." in page and f'id="folder-{blauer.id}"' not in page
    library = site.client.get("/library/").get_data(as_text=True)
    card = library[library.index("Blauer Mond"):]
    assert "3 episodes" in card and "2 on disk" in card and "1 missing" in card
    assert "1 folder needs your choice" in library


def test_resolve_without_javascript(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    response = post(site, f"/library/unmatched/{blauer.id}/resolve", htmx=False,
                    key="blauer-drache")
    assert response.status_code == 303 and response.headers["Location"] == "/library/unmatched"
    page = site.client.get("/library/unmatched").get_data(as_text=True)
    assert "Matched Blauer to Blauer Drache." in page


@pytest.mark.parametrize(("form", "message"), [
    ({}, "choose a series first"),
    ({"key": "../etc"}, "key must be the series slug"),
    ({"key": "gibt-es-nicht"}, "does not exist"),
])
def test_resolve_errors_are_shown_next_to_the_folder(site: AuthActions, form: dict[str, str],
                                                     message: str) -> None:
    blauer = folder(site.app, "Blauer")
    response = post(site, f"/library/unmatched/{blauer.id}/resolve", **form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert body.startswith(f'<form id="candidates-{blauer.id}"') and 'role="alert"' in body
    assert message in body and body.count('type="radio"') == 9
    assert folder(site.app, "Blauer").state == FolderState.UNMATCHED
    assert not (library_dir(site.app) / "Blauer" / ".aniworld.json").exists()


def test_resolve_when_the_site_refuses(site: AuthActions, fakesite: FakeSite) -> None:
    blauer = folder(site.app, "Blauer")
    fakesite.set_fault("ddos_guard")
    body = post(site, f"/library/unmatched/{blauer.id}/resolve",
                key="blauer-mond").get_data(as_text=True)
    assert 'class="error" role="alert"' in body
    assert folder(site.app, "Blauer").state == FolderState.UNMATCHED
    plain = post(site, f"/library/unmatched/{blauer.id}/resolve", htmx=False, key="blauer-mond")
    assert plain.status_code == 303
    assert "Could not match the folder" in site.client.get(
        "/library/unmatched").get_data(as_text=True)


def test_resolve_refuses_a_folder_that_is_not_unmatched(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    post(site, f"/library/unmatched/{blauer.id}/ignore")
    body = post(site, f"/library/unmatched/{blauer.id}/resolve",
                key="blauer-mond").get_data(as_text=True)
    assert "Blauer is ignored already" in body
    assert folder(site.app, "Blauer").state == FolderState.IGNORED


def test_search_offers_other_series(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    url = f"/library/unmatched/{blauer.id}/search"
    response = site.client.get(url, query_string={"q": "Roter"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith(f'<form id="candidates-{blauer.id}"')
    assert "Results for “Roter”" in body and 'value="roter-mond"' in body
    assert "blauer-mond" not in body
    resolved = post(site, f"/library/unmatched/{blauer.id}/resolve", key="roter-mond")
    assert resolved.headers["HX-Redirect"] == "/library/unmatched"
    assert folder(site.app, "Blauer").state == FolderState.MATCHED


def test_search_without_javascript_shows_the_whole_page(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    other = folder(site.app, "Zzyzx Unbekannt")
    page = site.client.get(f"/library/unmatched/{other.id}/search",
                           query_string={"q": "Stiller"}).get_data(as_text=True)
    assert "<html" in page and 'value="stiller-fluss"' in page and 'value="Stiller"' in page
    assert 'value="blauer-mond"' in page  # the other folder keeps its stored candidates
    assert page.index(f'id="candidates-{blauer.id}"') < page.index("blauer-mond")


@pytest.mark.parametrize(("query", "message"), [
    ("", "type a title to search for"),
    ("x" * 101, "at most 100 characters"),
    ("qqqqqq", "Nothing found for “qqqqqq”"),
])
def test_search_problems_are_shown_inline(site: AuthActions, query: str, message: str) -> None:
    blauer = folder(site.app, "Blauer")
    response = site.client.get(f"/library/unmatched/{blauer.id}/search",
                               query_string={"q": query}, headers=HX)
    assert response.status_code == 200 and message in response.get_data(as_text=True)


def test_search_when_the_site_refuses(site: AuthActions, fakesite: FakeSite) -> None:
    blauer = folder(site.app, "Blauer")
    fakesite.set_fault("ddos_guard")
    response = site.client.get(f"/library/unmatched/{blauer.id}/search",
                               query_string={"q": "Roter"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error" role="alert"' in body
    assert 'type="radio"' not in body


def test_ignore_removes_the_folder_from_the_list(site: AuthActions) -> None:
    blauer = folder(site.app, "Blauer")
    response = post(site, f"/library/unmatched/{blauer.id}/ignore")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.startswith('<li class="unmatched-folder ignored" role="status">Ignored Blauer')
    assert folder(site.app, "Blauer").state == FolderState.IGNORED
    page = site.client.get("/library/unmatched").get_data(as_text=True)
    assert f'id="folder-{blauer.id}"' not in page and "Zzyzx Unbekannt" in page
    assert "1 folder needs your choice" in site.client.get("/library/").get_data(as_text=True)
    scan(site.app, match=False)  # a new scan leaves an ignored folder alone
    assert folder(site.app, "Blauer").state == FolderState.IGNORED
    other = folder(site.app, "Zzyzx Unbekannt")
    plain = post(site, f"/library/unmatched/{other.id}/ignore", htmx=False)
    assert plain.status_code == 303 and plain.headers["Location"] == "/library/unmatched"
    page = site.client.get("/library/unmatched").get_data(as_text=True)
    assert "Ignored Zzyzx Unbekannt" in page and "No folder needs your choice" in page


@pytest.mark.parametrize(("method", "path"), [("get", "search?q=x"), ("post", "resolve"),
                                              ("post", "ignore")])
def test_unknown_folder_is_404(app: Flask, logged_in: AuthActions, method: str,
                               path: str) -> None:
    url = f"/library/unmatched/9999/{path}"
    if method == "get":
        response = logged_in.client.get(url, headers=HX)
    else:
        response = post(logged_in, url, key="blauer-mond")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["resolve", "ignore"])
def test_posts_need_the_csrf_token(site: AuthActions, path: str) -> None:
    blauer = folder(site.app, "Blauer")
    response = site.client.post(f"/library/unmatched/{blauer.id}/{path}",
                                data={"key": "blauer-mond"}, headers=HX)
    assert response.status_code == 400
    assert folder(site.app, "Blauer").state == FolderState.UNMATCHED


def test_reasons_in_the_readers_language_and_english_in_the_api(site: AuthActions) -> None:
    german = {"Accept-Language": "de"}
    page = site.client.get("/library/unmatched", headers=german).get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "kein genau passender Titel; am ähnlichsten: " in page
    assert "keine Suchergebnisse" in page and "no search results" not in page
    answer = site.client.get("/api/v1/library/folders?state=unmatched", headers=german)
    reasons = {f["name"]: f["reason"] for f in answer.get_json()["folders"]}
    assert reasons["Zzyzx Unbekannt"] == "no search results"
    assert "no exact title match; closest: " in reasons["Blauer"]
    assert reasons["Blauer"] == folder(site.app, "Blauer").reason
