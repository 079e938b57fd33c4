"""The home page's "What's new": this week's episodes of library series with their state."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    LibraryFile,
    LibraryFolder,
    Series,
    utcnow,
)
from aniworld.services.dashboard import whats_new
from aniworld.services.episode_status import EpisodeState
from aniworld.services.settings import AppSettings
from tests.db_fixtures import claim_item

SUB = Language.GERMAN_SUB


def test_whats_new_lists_this_weeks_episodes_newest_first(session: Session,
                                                          tmp_path: Path) -> None:
    now = utcnow()
    drache = Series(key="drache", title="Drache")
    other = Series(site="sto", key="serie", title="Serie")
    session.add_all([drache, other])
    session.flush()
    ages = {1: timedelta(days=8), 2: timedelta(days=1), 3: timedelta(hours=5),
            4: timedelta(days=2), 5: timedelta(days=6)}
    for number, age in ages.items():
        session.add(Episode(series_id=drache.id, season=1, number=number, languages="german-sub",
                            title_de=f"Folge {number}", first_seen_at=now - age))
    # An old episode that gained a language this morning, and one of another series.
    session.add(Episode(series_id=drache.id, season=1, number=6, languages="german-dub",
                        languages_changed_at=now - timedelta(hours=2)))
    session.add(Episode(series_id=other.id, season=0, number=1, languages="german-sub",
                        first_seen_at=now - timedelta(days=3)))
    folder = LibraryFolder(name="Drache", series_id=drache.id, state=FolderState.MATCHED.value)
    session.add(folder)
    session.flush()
    session.add(LibraryFile(folder_id=folder.id, season=1, episode=2, language="german-sub",
                            size=1, path="Drache/S01E02.mkv"))
    pending = DownloadItem(series_id=drache.id, season=1, episode=3, language=SUB, position=1)
    running = DownloadItem(series_id=drache.id, season=1, episode=4, language=SUB, position=2)
    session.add_all([pending, running])
    session.flush()
    claim_item(session, running.id)
    session.commit()

    found = whats_new(session, AppSettings(), now=now)
    assert [(n.series_key, n.code) for n in found] == [
        ("drache", "S01E06"), ("drache", "S01E03"), ("drache", "S01E02"),
        ("drache", "S01E04"), ("sto:serie", "Film 1"), ("drache", "S01E05")]
    states = {n.code: n.status.state for n in found}
    assert states == {"S01E06": EpisodeState.MISSING, "S01E03": EpisodeState.QUEUED,
                      "S01E02": EpisodeState.ON_DISK, "S01E04": EpisodeState.DOWNLOADING,
                      "Film 1": EpisodeState.MISSING, "S01E05": EpisodeState.MISSING}
    assert [n.new_language for n in found] == [True, False, False, False, False, False]
    assert found[1].title == "Folge 3" and found[0].since == now - timedelta(hours=2)
    assert len(whats_new(session, AppSettings(), now=now, limit=2)) == 2
    assert whats_new(session, AppSettings(), now=now + timedelta(days=30)) == []
