"""What the artwork and metadata integration reads from the database (Session in, no commit).

The NFO values of a series and of an episode, which files of the library belong to which
series, where a series' cover comes from, and the status of the last "write metadata now"
run that the Settings page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.library.nfo import EpisodeNfo, ShowNfo
from aniworld.models import DownloadItem, Episode, ItemStatus, LibraryFile, LibraryFolder, Series
from aniworld.models.base import utcnow
from aniworld.models.library import FolderState
from aniworld.phrases import Phrase, Worded, as_phrase, worded
from aniworld.services.series import find_series
from aniworld.services.settings_store import get_record, set_record

WRITE_STATUS_KEY = "artwork.write"
IDLE, QUEUED, RUNNING, FINISHED, FAILED = "idle", "queued", "running", "finished", "failed"
_ENGLISH = (Language.ENGLISH_DUB, Language.ENGLISH_SUB)


@dataclass(frozen=True)
class SeriesArt:
    """A series as the metadata writer needs it: its cover's address and NFO values."""

    series_id: int
    site: str
    key: str
    cover: str | None
    show: ShowNfo


@dataclass(frozen=True)
class ItemArt:
    """A finished queue item: its series, its episode's NFO, the copies it replaced."""

    series: SeriesArt
    episode: EpisodeNfo
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesFiles:
    """A series' folder in the library and its episode files with their NFO values."""

    series: SeriesArt
    folders: tuple[str, ...]
    files: tuple[tuple[str, EpisodeNfo], ...] = field(default=())


@dataclass(frozen=True)
class WriteStatus(Worded):
    """The latest "write metadata now" run: state and a sentence about its result."""

    state: str = IDLE
    message: str = ""
    series_key: str | None = None
    requested_at: str | None = None
    finished_at: str | None = None
    # ``message`` as phrase JSON, so the page shows it in the reader's language.
    message_phrase: str | None = None

    @property
    def active(self) -> bool:
        """True while the run waits for a worker or runs."""
        return self.state in (QUEUED, RUNNING)


def show_nfo(series: Series) -> ShowNfo:
    """The ``tvshow.nfo`` values of ``series``."""
    alternatives = [title.strip() for title in series.alternative_titles.split(",")]
    original = next((title for title in alternatives if title and title != series.title), None)
    return ShowNfo(title=series.title, plot=series.description, year=series.year,
                   genres=tuple(series.genre_list), original_title=original,
                   site=series.site, key=series.key)


def series_art(series: Series) -> SeriesArt:
    """What the writer needs of ``series``."""
    return SeriesArt(series.id, series.site, series.key, series.cover, show_nfo(series))


def episode_title(episode: Episode | None, season: int, number: int,
                  language: Language | None) -> str:
    """The title in the file's language (German unless it is an English one), else the other
    one, else "Episode N" ("Film N" for season 0)."""
    german, english = (episode.title_de, episode.title_en) if episode else ("", "")
    first, second = (english, german) if language in _ENGLISH else (german, english)
    return first.strip() or second.strip() or f"{'Film' if season == 0 else 'Episode'} {number}"


def episode_nfo(session: Session, series: Series, season: int, number: int,
                language: Language | None) -> EpisodeNfo:
    """The NFO values of one episode of ``series``."""
    episode = session.scalar(select(Episode).where(
        Episode.series_id == series.id, Episode.season == season, Episode.number == number))
    return _nfo(series, episode, season, number, language)


def _nfo(series: Series, episode: Episode | None, season: int, number: int,
         language: Language | None) -> EpisodeNfo:
    return EpisodeNfo(series.title, season, number,
                      episode_title(episode, season, number, language))


def item_art(session: Session, item_id: int) -> ItemArt | None:
    """The metadata of a queue item's episode; None when the item is gone or is a Sonarr
    grab (``save_path`` set: Sonarr names and describes the file it imports)."""
    item = session.get(DownloadItem, item_id)
    if item is None or item.save_path is not None:
        return None
    series = item.series
    return ItemArt(series_art(series),
                   episode_nfo(session, series, item.season, item.episode, item.language),
                   tuple(item.replaced_paths))


def series_by_key(session: Session, site: str,
                  key: str) -> tuple[SeriesArt, tuple[str, ...]] | None:
    """The library's series (site, key) and its folders in the library, or None."""
    series = find_series(session, key, site)
    if series is None:
        return None
    return series_art(series), tuple(_folders(session, series))


def library_files(session: Session, series_id: int | None = None) -> list[SeriesFiles]:
    """Every series with a folder in the library (or only ``series_id``), with its files.

    Files are those of the last scan plus finished downloads (a download is on disk before
    the next scan sees it); paths are relative to the library, finished downloads' absolute.
    """
    query = select(Series).order_by(Series.id)
    if series_id is not None:
        query = query.where(Series.id == series_id)
    found = []
    for series in session.scalars(query):
        folders = _folders(session, series)
        # One query for a series' episodes, not one per file.
        episodes = {(e.season, e.number): e for e in series.episodes}
        files = _scanned(session, series, episodes) + _downloaded(session, series, episodes)
        if folders or files:
            found.append(SeriesFiles(series_art(series), tuple(folders), tuple(files)))
    return found


Episodes = dict[tuple[int, int], Episode]


def _folders(session: Session, series: Series) -> list[str]:
    names = session.scalars(select(LibraryFolder.name).where(
        LibraryFolder.series_id == series.id,
        LibraryFolder.state == FolderState.MATCHED.value)).all()
    return list(dict.fromkeys([*names, *([series.folder] if series.folder else [])]))


def _scanned(session: Session, series: Series,
             episodes: Episodes) -> list[tuple[str, EpisodeNfo]]:
    rows = session.execute(select(LibraryFile.path, LibraryFile.season, LibraryFile.episode,
                                  LibraryFile.language, LibraryFolder.name)
                           .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
                           .where(LibraryFolder.series_id == series.id,
                                  LibraryFolder.state == FolderState.MATCHED.value)).all()
    return [(str(Path(row.name) / row.path),
             _nfo(series, episodes.get((row.season, row.episode)), row.season, row.episode,
                  Language.parse(row.language) if row.language else None))
            for row in rows]


def _downloaded(session: Session, series: Series,
                episodes: Episodes) -> list[tuple[str, EpisodeNfo]]:
    rows = session.execute(select(DownloadItem.file_path, DownloadItem.season,
                                  DownloadItem.episode, DownloadItem.language).where(
        DownloadItem.series_id == series.id, DownloadItem.status == ItemStatus.COMPLETED,
        DownloadItem.file_path.is_not(None), DownloadItem.save_path.is_(None))).all()
    return [(row.file_path, _nfo(series, episodes.get((row.season, row.episode)), row.season,
                                 row.episode, row.language))
            for row in rows]


def load_write_status(session: Session) -> WriteStatus:
    """The stored status of the last run (idle if none ran)."""
    return get_record(session, WRITE_STATUS_KEY, WriteStatus)


def request_write(session: Session, series_key: str | None) -> WriteStatus:
    """Mark a run of the whole library (``series_key`` None) or one series as wanted."""
    return set_record(session, WRITE_STATUS_KEY, WriteStatus(
        QUEUED, series_key=series_key, requested_at=utcnow().isoformat(),
        **worded(Phrase("Waiting for a worker."))))


def record_write(session: Session, state: str, message: str | Phrase) -> WriteStatus:
    """Store the run's new state and message (no commit)."""
    status = load_write_status(session)
    finished = utcnow().isoformat() if state in (FINISHED, FAILED) else None
    phrase = as_phrase(message)
    return set_record(session, WRITE_STATUS_KEY, WriteStatus(
        state, str(phrase), status.series_key, status.requested_at, finished,
        phrase.to_json()))
