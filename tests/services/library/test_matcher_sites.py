"""Matching folders across aniworld.to and s.to over real HTTP: markers, search order, faults."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library import Marker, read_marker, write_marker
from aniworld.models import FolderState, LibraryFolder, Series
from aniworld.services import catalog
from aniworld.services.library.folders import candidates_of
from aniworld.services.library.resolution import resolve
from aniworld.sites import ANIWORLD, STO
from aniworld.tasks.folder_matching import MatchResult, match_pending, pending_folder_ids
from aniworld.tasks.scan import run_library_scan
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import (
    ClientFactory,
    age,
    folder_named,
    make_client,
    put,
    store,
    store_new,
)

BLAU = "blauer-mond"  # aniworld: "Blauer Mond" (2020); s.to: "Blauer Mond" (2011)


def linked(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str]]:
    """Folder name -> (site, key) of its series, for matched folders."""
    with sessions() as session:
        rows = session.execute(select(LibraryFolder.name, Series.site, Series.key)
                               .join(Series, LibraryFolder.series_id == Series.id))
        return {name: (site, key) for name, site, key in rows}


def sto_requests(fakesite: FakeSite) -> list[str]:
    """Paths s.to answered."""
    return [r.path for r in fakesite.logs["sto"].snapshot()]


def test_sto_marker_links_the_sto_series_without_a_search(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    put(library / "Blaue Serie" / "S01E01.mkv")
    write_marker(library / "Blaue Serie", Marker(STO, BLAU, "Blauer Mond"))
    age(library)
    store(sessions, library)

    assert match_pending(sessions, clients, library) == MatchResult(1, 0)

    assert linked(sessions) == {"Blaue Serie": (STO, BLAU)}
    assert fakesite.requests == []  # aniworld.to was not asked at all
    assert sto_requests(fakesite) == [f"/serie/{BLAU}", f"/serie/{BLAU}/staffel-1"]
    with sessions() as session:
        [series] = session.scalars(select(Series)).all()
        assert (series.title, series.year, len(series.episodes)) == ("Blauer Mond", 2011, 2)


def test_unsure_aniworld_match_is_searched_on_sto_too(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    """One slug, two series: each folder ends with its own site's series and marker."""
    store_new(sessions, library, "Blauer Mond (2020)/S01E01.mkv",
              "Blauer Mond (2011)/S01E01.mkv")

    assert match_pending(sessions, clients, library) == MatchResult(2, 0)

    assert linked(sessions) == {"Blauer Mond (2011)": (STO, BLAU),
                                "Blauer Mond (2020)": (ANIWORLD, BLAU)}
    assert read_marker(library / "Blauer Mond (2011)") == Marker(STO, BLAU, "Blauer Mond")
    assert read_marker(library / "Blauer Mond (2020)") == Marker(ANIWORLD, BLAU,
                                                                   "Blauer Mond")
    # The 2020 folder was sure on aniworld.to: only the 2011 one asked s.to.
    assert [p for p in sto_requests(fakesite) if p.startswith("/api/")] == [
        "/api/search/suggest"]


def test_sto_fault_leaves_its_folders_pending_and_aniworld_ones_matched(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    for name in ("Blauer Mond (2020)", "Blauer Mond (2011)", "Gibt Es Nicht",
                 "Roter Mond", "Von S.to"):
        put(library / name / "S01E01.mkv")
    write_marker(library / "Von S.to", Marker(STO, "demo-serie", "Demo Serie"))
    age(library)
    store(sessions, library)
    fakesite.set_fault("cloudflare", server="sto")

    result = match_pending(sessions, clients, library)

    assert (result.matched, result.unmatched) == (2, 0)
    stopped = str(result.stopped)
    assert stopped.startswith("S.to: ") and "browser check" in stopped
    assert set(linked(sessions)) == {"Blauer Mond (2020)", "Roter Mond"}
    with sessions() as session:
        waiting = {folder_named(session, name).id
                   for name in ("Blauer Mond (2011)", "Gibt Es Nicht", "Von S.to")}
        assert set(pending_folder_ids(session)) == waiting  # not "unmatched": tried again
        assert all(session.get(LibraryFolder, i).reason == "" for i in waiting)  # type: ignore[union-attr]
    assert len(fakesite.logs["sto"].snapshot()) <= 2  # one refused request (and one retry)

    fakesite.clear_faults()
    from aniworld.site.limiter import LocalBackend
    LocalBackend.forget_all()  # forget the hold the challenge caused
    summary = run_library_scan(sessions, library, clients)

    assert (summary.matched, summary.unmatched, summary.stopped) == (4, 1, "")
    assert linked(sessions)["Von S.to"] == (STO, "demo-serie")
    assert linked(sessions)["Blauer Mond (2011)"] == (STO, BLAU)
    with sessions() as session:
        assert folder_named(session, "Gibt Es Nicht").reason == "no search results"


def test_aniworld_fault_still_links_sto_markers(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    put(library / "Von S.to" / "S01E01.mkv")
    write_marker(library / "Von S.to", Marker(STO, "demo-serie", "Demo Serie"))
    put(library / "Blauer Mond" / "S01E01.mkv")
    age(library)
    store(sessions, library)
    fakesite.set_fault("cloudflare")

    result = match_pending(sessions, clients, library)

    assert (result.matched, result.unmatched) == (1, 0)
    assert str(result.stopped).startswith("AniWorld: ")
    assert linked(sessions) == {"Von S.to": (STO, "demo-serie")}
    with sessions() as session:
        assert pending_folder_ids(session) == [folder_named(session, "Blauer Mond").id]
    assert not [p for p in sto_requests(fakesite) if p.startswith("/api/")]  # no s.to search


def test_user_picks_the_sto_candidate(
        sessions: sessionmaker[Session], library: Path, fakesite: FakeSite,
        clients: ClientFactory) -> None:
    store_new(sessions, library, "Blauer/S01E01.mkv")
    assert match_pending(sessions, clients, library) == MatchResult(0, 1)
    with sessions() as session:
        offered = candidates_of(folder_named(session, "Blauer"))
    assert {"site": STO, "key": BLAU, "title": "Blauer Mond", "year": None} in offered
    with make_client(fakesite, STO) as client:
        snapshot = catalog.fetch_series(client, BLAU)

    with sessions() as session:
        assert resolve(session, folder_named(session, "Blauer"), snapshot, library,
                       site=STO) is None
        session.commit()

    assert linked(sessions) == {"Blauer": (STO, BLAU)}
    assert read_marker(library / "Blauer") == Marker(STO, BLAU, "Blauer Mond")
    with sessions() as session:
        assert folder_named(session, "Blauer").folder_state is FolderState.MATCHED
