"""Counts and missing episodes from the scan and the queue; queueing everything missing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.library.missing import MissingEpisode
from aniworld.models import DownloadItem, Episode, ItemStatus, Priority, Series
from aniworld.services import execution
from aniworld.services.episode_status import EpisodeState
from aniworld.services.library.folders import ignore
from aniworld.services.library.overview import (
    LibraryCounts,
    QueuedMissing,
    disk_episodes,
    library_report,
    queue_missing,
    series_statuses,
)
from aniworld.services.settings import AppSettings
from tests.db_fixtures import claim_item, count_statements
from tests.services.library.conftest import age, folder_named, put, store, store_new

SUB, DUB = Language.GERMAN_SUB, Language.GERMAN_DUB
ENG_SUB, ENG_DUB = Language.ENGLISH_SUB, Language.ENGLISH_DUB
# The user accepts German Sub first, then German Dub; English is not wanted.
SETTINGS = replace(AppSettings(), language_order=(SUB, DUB))
TITLE = "Testserie"

# (season, number, offered languages)
EPISODES = [
    (1, 1, "german-sub"),               # on disk, tagged German Sub
    (1, 2, "german-dub,german-sub"),    # on disk without a language tag
    (1, 3, "german-dub"),               # on disk only in English Dub: missing (German Dub)
    (1, 4, "german-sub"),               # pending item: queued
    (1, 5, "german-sub"),               # failed item: missing and failed
    (1, 6, "english-dub"),              # offered only in a language the user does not want
    (1, 7, "german-dub,german-sub"),    # nothing: missing in German Sub (first acceptable)
    (1, 8, "german-sub"),               # completed item, file exists: on disk
    (1, 9, "german-dub"),               # completed item, file deleted: missing
    (1, 10, "german-sub"),              # downloading item: queued
    (0, 1, "german-dub"),               # a film, nothing on disk: missing, listed last
]


def add_series_with_episodes(session: Session, key: str, title: str,
                             episodes: list[tuple[int, int, str]]) -> Series:
    series = Series(key=key, title=title)
    session.add(series)
    session.flush()
    for season, number, languages in episodes:
        session.add(Episode(series_id=series.id, season=season, number=number,
                            languages=languages, title_de=f"Folge {number}", title_en=""))
    session.flush()
    return series


def add_item(session: Session, series: Series, season: int, episode: int, status: ItemStatus,
             language: Language = SUB, **fields: object) -> DownloadItem:
    item = DownloadItem(series_id=series.id, season=season, episode=episode, language=language,
                        status=status, position=1024, **fields)
    session.add(item)
    session.flush()
    return item


@pytest.fixture
def world(sessions: sessionmaker[Session], library: Path) -> int:
    """The series of EPISODES with its folder on disk, its queue items and a scan; its id."""
    folder = library / TITLE
    put(folder / "Testserie - S01E01 [German Sub].mkv")
    put(folder / "Testserie - S01E02.mkv")
    put(folder / "Testserie - S01E03 [English Dub].mkv")
    kept = put(folder / "Season 01" / "Testserie - S01E08 - Folge 8 [German Sub].mp4")
    gone = folder / "Season 01" / "Testserie - S01E09 - Folge 9 [German Dub].mp4"
    # Another folder with episode files, never matched: its files count for nothing.
    put(library / "Fremde Serie" / "Fremde Serie - S01E07 [German Sub].mkv")
    age(library)
    with sessions() as session:
        series = add_series_with_episodes(session, "testserie", TITLE, EPISODES)
        add_item(session, series, 1, 4, ItemStatus.PENDING)
        add_item(session, series, 1, 5, ItemStatus.FAILED, last_error="no hoster offers it")
        add_item(session, series, 1, 8, ItemStatus.COMPLETED, file_path=str(kept))
        add_item(session, series, 1, 9, ItemStatus.COMPLETED, language=DUB, file_path=str(gone))
        running = add_item(session, series, 1, 10, ItemStatus.PENDING)
        claim = claim_item(session, running.id)
        execution.record_progress(session, running.id, claim.lease, 50, 100, None, None)
        # A cancelled item is as if it had never been queued.
        add_item(session, series, 1, 7, ItemStatus.CANCELLED)
        session.commit()
        series_id = series.id
    store(sessions, library)  # links "Testserie" to the series by its title
    with sessions() as session:
        assert folder_named(session, TITLE).series_id == series_id
    return series_id


def test_counts_and_missing_episodes(sessions: sessionmaker[Session], world: int) -> None:
    with sessions() as session:
        [report] = library_report(session, SETTINGS)
        assert report.series.id == world
        assert report.counts == LibraryCounts(total=10, on_disk=3, queued=2, missing=5,
                                              failed=1)
        assert report.missing == [
            MissingEpisode(1, 3, DUB),   # the English Dub file does not count
            MissingEpisode(1, 5, SUB),   # failed
            MissingEpisode(1, 7, SUB),   # first acceptable language that is offered
            MissingEpisode(1, 9, DUB),   # completed, but the file is gone
            MissingEpisode(0, 1, DUB),   # films after the seasons
        ]


def test_english_accepting_user_counts_the_english_file(sessions: sessionmaker[Session],
                                                        world: int) -> None:
    settings = replace(AppSettings(), language_order=(SUB, DUB, ENG_DUB))
    with sessions() as session:
        [report] = library_report(session, settings)
        # E03's English Dub file now counts; E06 (English Dub only) is now missing.
        assert report.counts == LibraryCounts(total=11, on_disk=4, queued=2, missing=5,
                                              failed=1)
        assert MissingEpisode(1, 6, ENG_DUB) in report.missing


def test_disk_episodes_only_from_matched_folders(sessions: sessionmaker[Session],
                                                 world: int) -> None:
    with sessions() as session:
        assert disk_episodes(session, [SUB, DUB]) == {world: {(1, 1), (1, 2), (1, 8)}}
        assert disk_episodes(session, [ENG_DUB]) == {world: {(1, 2), (1, 3)}}
        assert disk_episodes(session, [SUB], series_ids=[world + 1]) == {}
        ignore(session, folder_named(session, TITLE))
        session.flush()
        assert disk_episodes(session, [SUB, DUB]) == {}
        session.rollback()


def test_series_statuses_agree_with_the_report(sessions: sessionmaker[Session],
                                               world: int) -> None:
    with sessions() as session:
        series = session.get(Series, world)
        assert series is not None
        statuses = series_statuses(session, series, series.episodes, SETTINGS)
        states = {key: status.state for key, status in statuses.items()}
        assert states == {
            (1, 1): EpisodeState.ON_DISK, (1, 2): EpisodeState.ON_DISK,
            (1, 3): EpisodeState.MISSING, (1, 4): EpisodeState.QUEUED,
            (1, 5): EpisodeState.FAILED, (1, 6): EpisodeState.MISSING,
            (1, 7): EpisodeState.MISSING, (1, 8): EpisodeState.ON_DISK,
            (1, 9): EpisodeState.MISSING, (1, 10): EpisodeState.DOWNLOADING,
            (0, 1): EpisodeState.MISSING,
        }


def test_scan_finding_a_failed_episode_on_disk_counts_it(sessions: sessionmaker[Session],
                                                         world: int, library: Path) -> None:
    store_new(sessions, library, f"{TITLE}/Testserie - S01E05 [German Dub].mkv")
    with sessions() as session:
        [report] = library_report(session, SETTINGS)
        assert (report.counts.on_disk, report.counts.missing, report.counts.failed) == (4, 4, 0)


def test_report_filter_order_and_statement_count(sessions: sessionmaker[Session], world: int,
                                                 engine: Engine) -> None:
    with sessions() as session:
        for number in range(30):
            add_series_with_episodes(session, f"andere-{number}", f"Andere {number:02d}",
                                     [(1, 1, "german-sub"), (1, 2, "german-dub")])
        empty = add_series_with_episodes(session, "leer", "Aaa Leer", [])
        session.commit()
        empty_id = empty.id
    with sessions() as session, count_statements(engine) as statements:
        reports = library_report(session, SETTINGS)
    # Series, episodes, items and files: a fixed number of queries however big the library.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4
    assert [r.series.title for r in reports][:3] == ["Aaa Leer", "Andere 00", "Andere 01"]
    assert reports[0].counts == LibraryCounts() and reports[0].missing == []
    assert reports[1].counts == LibraryCounts(total=2, missing=2)
    with sessions() as session:
        only = library_report(session, SETTINGS, series_ids=[world, empty_id])
        assert [r.series.id for r in only] == [empty_id, world]


def test_queue_missing_in_one_transaction(sessions: sessionmaker[Session], world: int) -> None:
    with sessions() as session:
        result = queue_missing(session, SETTINGS, priority=Priority.HIGH)
        # E05's failed item holds its place in the queue: it is retried, not doubled.
        assert result == QueuedMissing(created=5, skipped=0, series=1)
        session.rollback()  # nothing was committed by queue_missing itself
    with sessions() as session:
        assert session.scalar(select(func.count(DownloadItem.id)).where(
            DownloadItem.status == ItemStatus.PENDING)) == 1
        assert queue_missing(session, SETTINGS, priority=Priority.HIGH) == QueuedMissing(5, 0, 1)
        session.commit()
    with sessions() as session:
        created = session.execute(
            select(DownloadItem.season, DownloadItem.episode, DownloadItem.language,
                   DownloadItem.priority)
            .where(DownloadItem.status == ItemStatus.PENDING,
                   DownloadItem.priority == Priority.HIGH)
            .order_by(DownloadItem.position)).all()
        assert sorted(tuple(row) for row in created) == sorted([
            (1, 3, DUB, Priority.HIGH), (1, 7, SUB, Priority.HIGH),
            (1, 9, DUB, Priority.HIGH), (0, 1, DUB, Priority.HIGH)])
        [report] = library_report(session, SETTINGS)
        assert report.counts == LibraryCounts(total=10, on_disk=3, queued=7, missing=0,
                                              failed=0)
        # They are queued now: a second call creates nothing.
        again = queue_missing(session, SETTINGS)
        assert again.created == 0 and again.skipped == 0
        session.commit()
    with sessions() as session:
        assert session.scalar(select(func.count(DownloadItem.id))) == 6 + 4


def test_queue_missing_only_for_chosen_series(sessions: sessionmaker[Session],
                                              world: int) -> None:
    with sessions() as session:
        other = add_series_with_episodes(session, "andere", "Andere", [(1, 1, "german-sub")])
        session.commit()
        other_id = other.id
    with sessions() as session:
        assert queue_missing(session, SETTINGS, [other_id]) == QueuedMissing(1, 0, 1)
        assert queue_missing(session, SETTINGS, []) == QueuedMissing(0, 0, 0)
        session.commit()
    with sessions() as session:
        assert sorted(session.scalars(select(DownloadItem.series_id).where(
            DownloadItem.status == ItemStatus.PENDING))) == [world, other_id]
