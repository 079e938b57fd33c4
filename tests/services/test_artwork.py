"""What the metadata writer reads from the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, FolderState, LibraryFile, LibraryFolder, Series
from aniworld.services import queue as queue_service
from aniworld.services.artwork import item_art, library_files, series_by_key, show_nfo
from tests.db_fixtures import complete_item


def _series(session: Session) -> Series:
    series = Series(key="drache", title="Drache", alternative_titles="Drache, Doragon, Dragon",
                    year=2020, description="Feuer.", genres="Action, Fantasy",
                    cover="https://aniworld.to/public/img/cover/drache.jpg", folder="Drache (2020)")
    session.add(series)
    session.flush()
    session.add_all([
        Episode(series_id=series.id, season=1, number=1, title_de="Feuer", title_en="Fire",
                languages="german-sub,english-sub"),
        Episode(series_id=series.id, season=1, number=2, title_de="", title_en="Ice",
                languages="german-sub"),
    ])
    session.flush()
    return series


def test_show_values_take_the_first_other_title_as_the_original(session: Session) -> None:
    show = show_nfo(_series(session))
    assert (show.title, show.original_title, show.year, show.plot, show.genres) == (
        "Drache", "Doragon", 2020, "Feuer.", ("Action", "Fantasy"))
    assert (show.site, show.key) == ("aniworld", "drache")


def test_library_files_join_scanned_and_downloaded_files_with_titles(session: Session) -> None:
    series = _series(session)
    folder = LibraryFolder(name="Drache", series_id=series.id, state=FolderState.MATCHED.value)
    stranger = LibraryFolder(name="Unknown", state=FolderState.UNMATCHED.value)
    session.add_all([folder, stranger])
    session.flush()
    session.add_all([
        LibraryFile(folder_id=folder.id, season=1, episode=1, language="english-sub", size=5,
                    path="Season 01/Drache - S01E01.mkv"),
        LibraryFile(folder_id=folder.id, season=1, episode=2, language=None, size=5,
                    path="Drache - S01E02.mkv"),
        LibraryFile(folder_id=stranger.id, season=1, episode=1, size=5, path="x - S01E01.mkv"),
    ])
    item = queue_service.add_item(session, series, 1, 1, Language.GERMAN_SUB)
    complete_item(session, item.id, "/lib/Drache (2020)/Drache - S01E01 [German Sub].mp4")
    session.commit()

    [found] = library_files(session)
    assert found.series.key == "drache" and found.folders == ("Drache", "Drache (2020)")
    titles = {path: (nfo.season, nfo.episode, nfo.title) for path, nfo in found.files}
    assert titles == {
        "Drache/Season 01/Drache - S01E01.mkv": (1, 1, "Fire"),  # an English sub
        "Drache/Drache - S01E02.mkv": (1, 2, "Ice"),  # no German title: the English one
        "/lib/Drache (2020)/Drache - S01E01 [German Sub].mp4": (1, 1, "Feuer"),
    }
    assert library_files(session, series.id + 1) == []
    found_by_key = series_by_key(session, "aniworld", "drache")
    assert found_by_key is not None and found_by_key[1] == ("Drache", "Drache (2020)")


def test_item_values_name_the_episode_and_the_copies_it_replaces(session: Session) -> None:
    series = _series(session)
    item = queue_service.add_item(session, series, 1, 1, Language.ENGLISH_SUB, force=True)
    session.get(DownloadItem, item.id).replaces = '["Drache/old.mkv"]'  # type: ignore[union-attr]
    unread = Series(key="leer", title="Leer")  # no episodes read from the site yet
    session.add(unread)
    session.flush()
    film = queue_service.add_item(session, unread, 0, 3, Language.GERMAN_DUB)
    session.commit()
    art = item_art(session, item.id)
    assert art is not None and art.replaces == ("Drache/old.mkv",)
    assert (art.episode.show_title, art.episode.title) == ("Drache", "Fire")
    other = item_art(session, film.id)
    assert other is not None and (other.episode.title, other.replaces) == ("Film 3", ())
    assert item_art(session, film.id + 1) is None
