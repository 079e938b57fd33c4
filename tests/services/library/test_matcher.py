"""Matching folders through the stand-in site's search over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.library import Marker, read_marker, write_marker
from aniworld.library.marker import MARKER_NAME
from aniworld.models import Episode, FolderState, LibraryFile, LibraryFolder, Series
from aniworld.services import catalog
from aniworld.services.library.folders import candidates_of, ignore, unmatched_folders
from aniworld.services.library.resolution import resolve
from aniworld.services.series import find_series
from aniworld.site import SiteClient
from aniworld.site.types import SearchResult
from aniworld.tasks.folder_matching import (
    MatchResult,
    match_one,
    match_pending,
    pending_folder_ids,
)
from aniworld.tasks.scan import run_library_scan
from aniworld.tasks.site_clients import SiteClients
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import (
    ClientFactory,
    add_series,
    age,
    folder_named,
    put,
    read_only,
    stand_in,
    store,
    store_new,
)

BLAU = "Blauer Drache"


def searches(fakesite: FakeSite) -> list[str]:
    """Paths of the search requests the site answered."""
    return [r.path for r in fakesite.requests if r.path.startswith("/ajax/")]


def series_pages(fakesite: FakeSite) -> list[str]:
    """Paths of the series and season pages the site answered."""
    return [r.path for r in fakesite.requests if r.path.startswith("/anime/stream/")]


def folder_ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return dict(session.execute(select(LibraryFolder.name, LibraryFolder.id)).all())


def test_exact_title_is_matched_and_stored_with_its_episodes(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, clients: ClientFactory) -> None:
    store_new(sessions, library, f"{BLAU}/Blauer Drache - S01E01.mkv")
    progress: list[tuple[int, int]] = []
    result = match_pending(sessions, clients, library, lambda *p: progress.append(p))
    assert result == MatchResult(1, 0)
    assert progress == [(0, 1)]
    with sessions() as session:
        folder = folder_named(session, BLAU)
        series = find_series(session, "blauer-drache")
        assert series is not None
        assert (folder.folder_state, folder.series_id) == (FolderState.MATCHED, series.id)
        assert (series.title, series.year, series.folder) == ("Blauer Drache", 2020, BLAU)
        assert [(e.season, e.number, e.language_set) for e in series.episodes] == [
            (1, n, frozenset({Language.GERMAN_SUB})) for n in (1, 2, 3)]
        assert pending_folder_ids(session) == []
    assert read_marker(library / BLAU) == Marker("aniworld", "blauer-drache", "Blauer Drache")
    assert searches(fakesite) == ["/ajax/search", "/ajax/seriesSearch"]


def test_series_already_in_the_database_is_reused(
        sessions: sessionmaker[Session], library: Path, clients: ClientFactory) -> None:
    """A folder "Roter Mond (2020)" and a stored "roter-mond" under another title."""
    known = add_series(sessions, key="roter-mond", title="Alter Name", year=2020)
    store_new(sessions, library, "Roter Mond (2020)/S01E01.mkv")
    assert match_pending(sessions, clients, library) == MatchResult(1, 0)
    with sessions() as session:
        assert folder_named(session, "Roter Mond (2020)").series_id == known
        assert session.scalar(select(func.count(Series.id))) == 1


def test_vague_folder_stays_unmatched_with_candidates(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, clients: ClientFactory) -> None:
    put(library / "Drache" / "Drache - S01E01.mkv")
    store_new(sessions, library, "Gibt Es Nicht/S01E01.mkv")
    assert match_pending(sessions, clients, library) == MatchResult(0, 2)
    with sessions() as session:
        vague = folder_named(session, "Drache")
        assert (vague.folder_state, vague.series_id, vague.match_tried) == (
            FolderState.UNMATCHED, None, True)
        # aniworld.to was not sure, so s.to was asked too; each site gives its reason.
        assert vague.reason.startswith("AniWorld: no exact title match; closest: ")
        assert vague.reason.endswith("; S.to: no search results")
        assert [(c["site"], c["key"]) for c in candidates_of(vague)] == [
            ("aniworld", "blauer-drache"), ("aniworld", "roter-drache"),
            ("aniworld", "stiller-drache"), ("aniworld", "wilder-drache")]
        assert all(set(c) == {"site", "key", "title", "year"} for c in candidates_of(vague))
        unknown = folder_named(session, "Gibt Es Nicht")
        assert (unknown.reason, candidates_of(unknown)) == ("no search results", [])
        assert [f.name for f in unmatched_folders(session)] == ["Drache", "Gibt Es Nicht"]
        assert pending_folder_ids(session) == []
        assert session.scalar(select(func.count(Series.id))) == 0
    assert read_marker(library / "Drache") is None
    # Tried folders are not searched again by the next scan.
    fakesite.clear_requests()
    assert match_pending(sessions, clients, library) == MatchResult(0, 0)
    assert fakesite.requests == []


def test_touched_unmatched_folder_is_not_searched_again(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, clients: ClientFactory) -> None:
    """New files in a folder the user has yet to decide on keep its candidates."""
    store_new(sessions, library, "Drache/Drache - S01E01.mkv")
    match_pending(sessions, clients, library)
    assert store_new(sessions, library, "Drache/Drache - S01E02.mkv").written == 1
    with sessions() as session:
        folder = folder_named(session, "Drache")
        assert folder.match_tried and len(candidates_of(folder)) == 4
        assert pending_folder_ids(session) == []


def test_resolve_links_the_chosen_series_and_writes_the_marker(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, clients: ClientFactory) -> None:
    store_new(sessions, library, "Drache/Drache - S01E01.mkv")
    match_pending(sessions, clients, library)
    snapshot = catalog.fetch_series(client, "roter-drache")  # network before the transaction
    with sessions() as session:
        folder = folder_named(session, "Drache")
        assert resolve(session, folder, snapshot, library) is None
        session.commit()
    with sessions() as session:
        folder = folder_named(session, "Drache")
        series = find_series(session, "roter-drache")
        assert series is not None and len(series.episodes) == 3
        assert (folder.folder_state, folder.series_id) == (FolderState.MATCHED, series.id)
        assert (folder.reason, candidates_of(folder)) == ("", [])
        assert series.folder == "Drache"
        assert unmatched_folders(session) == []
    assert read_marker(library / "Drache") == Marker("aniworld", "roter-drache", "Roter Drache")
    # The next scan finds the marker and keeps the link without asking the site.
    fakesite.clear_requests()
    age(library)
    summary = run_library_scan(sessions, library, clients)
    assert (summary.matched, summary.unmatched) == (1, 0)
    assert fakesite.requests == []
    with sessions() as session:
        assert folder_named(session, "Drache").marker_key == "roter-drache"


def test_resolve_on_a_read_only_marker_place_returns_a_warning(
        sessions: sessionmaker[Session], library: Path, client: SiteClient) -> None:
    """Works as root too: a directory where the marker should go cannot be replaced."""
    put(library / "Drache" / "Drache - S01E01.mkv")
    store_new(sessions, library, f"Drache/{MARKER_NAME}/in the way")
    snapshot = catalog.fetch_series(client, "roter-drache")
    with sessions() as session:
        warning = resolve(session, folder_named(session, "Drache"), snapshot, library)
        session.commit()
    assert warning is not None and "could not write" in str(warning) and MARKER_NAME in str(warning)
    with sessions() as session:
        assert folder_named(session, "Drache").folder_state is FolderState.MATCHED


def test_read_only_folder_is_matched_with_a_warning(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        caplog: pytest.LogCaptureFixture, clients: ClientFactory) -> None:
    put(library / BLAU / "Blauer Drache - S01E01.mkv")
    store_new(sessions, library, "Drache/Drache - S01E01.mkv")
    snapshot = catalog.fetch_series(client, "roter-drache")
    with read_only(library / BLAU), read_only(library / "Drache"):
        # Matching logs the failed marker write and goes on; the link holds in the database.
        assert match_pending(sessions, clients, library) == MatchResult(1, 1)
        with sessions() as session:
            warning = resolve(session, folder_named(session, "Drache"), snapshot, library)
            session.commit()
    assert warning is not None
    assert str(warning).startswith(f"could not write {library / 'Drache'}/{MARKER_NAME} (")
    assert any("marker not written" in r.getMessage() and BLAU in r.getMessage()
               for r in caplog.records)
    assert read_marker(library / BLAU) is None and read_marker(library / "Drache") is None
    assert sorted(p.name for p in (library / BLAU).iterdir()) == ["Blauer Drache - S01E01.mkv"]
    with sessions() as session:
        assert folder_named(session, BLAU).folder_state is FolderState.MATCHED
        assert folder_named(session, "Drache").folder_state is FolderState.MATCHED


def test_database_lost_markers_relink_everything(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    put(library / BLAU / "Season 01" / "Blauer Drache - S01E01 [German Sub].mkv")
    put(library / "Stiller Fluss (2020)" / "Stiller Fluss - S01E02.mkv")
    put(library / "Drache" / "Drache - S01E01.mkv")
    age(library)
    first = run_library_scan(sessions, library, clients)
    assert (first.folders, first.matched, first.unmatched) == (3, 2, 1)
    assert read_marker(library / "Stiller Fluss (2020)") is not None
    with sessions() as session:
        session.execute(delete(LibraryFolder))
        session.execute(delete(Series))
        session.commit()
        assert session.scalar(select(func.count(Episode.id))) == 0
    fakesite.clear_requests()
    age(library)
    again = run_library_scan(sessions, library, clients)
    assert (again.folders, again.reread, again.matched, again.unmatched) == (3, 3, 2, 1)
    with sessions() as session:
        linked = dict(session.execute(select(LibraryFolder.name, Series.key).join(
            Series, LibraryFolder.series_id == Series.id)).all())
        assert linked == {BLAU: "blauer-drache", "Stiller Fluss (2020)": "stiller-fluss"}
        assert session.scalar(select(func.count(Episode.id))) == 6
        assert session.scalar(select(func.count(LibraryFile.id))) == 3
        assert find_series(session, "stiller-fluss").folder == "Stiller Fluss (2020)"  # type: ignore[union-attr]
    # The markers named the series: no search for them, only their pages (and "Drache",
    # an unmatched folder without a marker, is searched again in the empty database).
    assert sorted(series_pages(fakesite)) == [
        "/anime/stream/blauer-drache", "/anime/stream/blauer-drache/staffel-1",
        "/anime/stream/stiller-fluss", "/anime/stream/stiller-fluss/staffel-1"]
    assert searches(fakesite) == ["/ajax/search", "/ajax/seriesSearch"]


def test_marker_of_a_series_the_site_lost(
        sessions: sessionmaker[Session], library: Path, clients: ClientFactory) -> None:
    put(library / "Weg" / "S01E01.mkv")
    write_marker(library / "Weg", Marker("aniworld", "gibt-es-nicht-mehr", "Weg"))
    age(library)
    store(sessions, library)
    assert match_pending(sessions, clients, library) == MatchResult(0, 1)
    with sessions() as session:
        folder = folder_named(session, "Weg")
        assert (folder.folder_state, folder.match_tried) == (FolderState.UNMATCHED, True)
        assert "gibt-es-nicht-mehr" in folder.reason and "site does not know" in folder.reason
        assert pending_folder_ids(session) == []


@pytest.mark.parametrize(("kind", "message"), [
    ("cloudflare", "browser check"),
    ("status", "HTTP 503"),
    ("spam", "spam"),
])
def test_site_fault_stops_matching_and_keeps_folders_pending(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite, kind: str,
        message: str, clients: ClientFactory) -> None:
    for name in (BLAU, "Roter Mond", "Stiller Fluss"):
        put(library / name / "S01E01.mkv")
    age(library)
    store(sessions, library)
    pending = sorted(folder_ids(sessions).values())
    fakesite.set_fault(kind, prefix="/ajax/")
    result = match_pending(sessions, clients, library)
    assert (result.matched, result.unmatched) == (0, 0)
    assert message in str(result.stopped)
    # It stopped at the first folder: its search failed (with the client's retries), and
    # the other two folders were not searched.
    assert {r.path for r in fakesite.requests} <= {"/ajax/search", "/ajax/seriesSearch"}
    assert {r.body or r.query for r in fakesite.requests} == {"keyword=Blauer+Drache"}
    with sessions() as session:
        assert sorted(pending_folder_ids(session)) == pending
        assert all(f.reason == "" and not f.match_tried
                   for f in session.scalars(select(LibraryFolder)))
    # The next scan, with the site back, matches them all.
    fakesite.clear_faults()
    from aniworld.site.limiter import LocalBackend
    LocalBackend.forget_all()  # forget the cool-down the fault caused
    summary = run_library_scan(sessions, library, clients)
    assert (summary.matched, summary.unmatched, summary.stopped) == (3, 0, "")


def test_fault_during_a_scan_is_reported_in_the_summary(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    from aniworld.services.library import scan_state

    put(library / BLAU / "S01E01.mkv")
    age(library)
    fakesite.set_fault("cloudflare")
    summary = run_library_scan(sessions, library, clients)
    assert (summary.folders, summary.matched, summary.unmatched) == (1, 0, 1)
    assert "browser check" in str(summary.stopped)
    assert summary.message.endswith(f"Matching stopped: {summary.stopped}")
    with sessions() as session:
        status = scan_state.load_status(session)
        assert (status.state, status.message) == (scan_state.FINISHED, summary.message)
        assert pending_folder_ids(session) == [folder_named(session, BLAU).id]


def test_fault_while_fetching_the_matched_series(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    """The search worked but the series page is blocked: nothing half-stored, still pending."""
    store_new(sessions, library, f"{BLAU}/S01E01.mkv")
    fakesite.set_fault("status", status=500, prefix="/anime/stream/")
    result = match_pending(sessions, clients, library)
    assert "HTTP 500" in str(result.stopped)
    with sessions() as session:
        assert session.scalar(select(func.count(Series.id))) == 0
        assert pending_folder_ids(session) == [folder_named(session, BLAU).id]
    assert read_marker(library / BLAU) is None


def test_match_one_leaves_decided_folders_alone(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite) -> None:
    put(library / BLAU / "S01E01.mkv")
    store_new(sessions, library, "Roter Mond/S01E01.mkv")
    ids = folder_ids(sessions)
    with sessions() as session:
        ignore(session, session.get(LibraryFolder, ids["Roter Mond"]))  # type: ignore[arg-type]
        session.commit()
    with SiteClients(stand_in(fakesite, client)) as sites:
        assert match_one(sessions, sites, library, ids["Roter Mond"]) is False
        assert match_one(sessions, sites, library, 999_999) is False
        assert fakesite.requests == []
        assert match_one(sessions, sites, library, ids[BLAU]) is True
        fakesite.clear_requests()
        assert match_one(sessions, sites, library, ids[BLAU]) is True  # matched: no request
    assert fakesite.requests == []


class UserActsDuringSearch:
    """A site client whose search lets the user decide on the folder meanwhile."""

    def __init__(self, client: SiteClient, act: Callable[[], None]) -> None:
        self.client, self.act = client, act

    def search(self, keyword: str) -> list[SearchResult]:
        results = self.client.search(keyword)
        self.act()
        return results

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@pytest.mark.parametrize("name", [BLAU, "Drache"])
def test_user_decision_during_the_search_wins(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, name: str) -> None:
    store_new(sessions, library, f"{name}/S01E01.mkv")

    def ignore_it() -> None:
        with sessions() as session:
            ignore(session, folder_named(session, name))
            session.commit()

    busy = UserActsDuringSearch(client, ignore_it)
    sites = stand_in(fakesite, busy)  # type: ignore[arg-type]
    assert match_pending(sessions, sites, library) == MatchResult(0, 1)
    with sessions() as session:
        folder = folder_named(session, name)
        assert (folder.folder_state, folder.series_id, folder.reason) == (
            FolderState.IGNORED, None, "")
    assert read_marker(library / name) is None


def test_resolved_during_the_search_keeps_the_users_series(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite) -> None:
    store_new(sessions, library, f"{BLAU}/S01E01.mkv")
    chosen = catalog.fetch_series(client, "wilder-drache")

    def resolve_it() -> None:
        with sessions() as session:
            resolve(session, folder_named(session, BLAU), chosen, library)
            session.commit()

    busy = UserActsDuringSearch(client, resolve_it)
    sites = stand_in(fakesite, busy)  # type: ignore[arg-type]
    assert match_pending(sessions, sites, library) == MatchResult(1, 0)
    with sessions() as session:
        assert folder_named(session, BLAU).series_id == find_series(session, "wilder-drache").id  # type: ignore[union-attr]
        assert find_series(session, "blauer-drache") is None
    assert read_marker(library / BLAU).key == "wilder-drache"  # type: ignore[union-attr]


def test_search_result_without_a_page_is_explained(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, clients: ClientFactory) -> None:
    store_new(sessions, library, f"{BLAU}/S01E01.mkv")
    fakesite.set_fault("status", status=404, prefix="/anime/stream/blauer-drache")
    assert match_pending(sessions, clients, library) == MatchResult(0, 1)
    with sessions() as session:
        folder = folder_named(session, BLAU)
        assert folder.reason == "the site lists 'Blauer Drache' but has no page for it any more"
        assert [c["key"] for c in candidates_of(folder)] == ["blauer-drache"]


def test_colon_written_as_dash_is_found_through_the_head_of_the_title(
        sessions: sessionmaker[Session], library: Path, client: SiteClient,
        fakesite: FakeSite, clients: ClientFactory) -> None:
    """Aniworld's own folder name for "Kämpfer des Lichts: Die Rückkehr" (no marker)."""
    folder = "Kämpfer des Lichts - Die Rückkehr (2019)"
    put(library / folder / "Season 01" / "Kämpfer des Lichts - Die Rückkehr - S01E01.mp4")
    store_new(sessions, library, "Blauer Drache - Extras/S01E01.mkv")
    assert match_pending(sessions, clients, library) == MatchResult(1, 1)
    with sessions() as session:
        series = find_series(session, "kaempfer-des-lichts-die-rueckkehr")
        assert series is not None and folder_named(session, folder).series_id == series.id
        # The head finds "Blauer Drache", but a different title is never taken.
        extras = folder_named(session, "Blauer Drache - Extras")
        assert extras.folder_state is FolderState.UNMATCHED
        assert [(c["site"], c["key"]) for c in candidates_of(extras)] == [
            ("aniworld", "blauer-drache")]
    keywords = [r.body or r.query for r in fakesite.requests if r.path == "/ajax/search"]
    assert keywords == ["keyword=Blauer+Drache+-+Extras", "keyword=Blauer+Drache",
                        "keyword=K%C3%A4mpfer+des+Lichts+-+Die+R%C3%BCckkehr",
                        "keyword=K%C3%A4mpfer+des+Lichts"]
