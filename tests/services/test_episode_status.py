"""Episode statuses derived from queue items and files, counts, and download planning."""

from __future__ import annotations

from pathlib import Path

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus
from aniworld.phrases import Phrase
from aniworld.services.episode_status import (
    EpisodeState,
    EpisodeStatus,
    count_statuses,
    episode_statuses,
    file_present,
    plan_downloads,
)

GER_DUB, GER_SUB = Language.GERMAN_DUB, Language.GERMAN_SUB


def episode(number: int, season: int = 1, languages: str = "german-dub,german-sub") -> Episode:
    return Episode(season=season, number=number, languages=languages, title_de=f"Titel {number}",
                   title_en="")


def item(item_id: int, number: int, status: ItemStatus, **fields: object) -> DownloadItem:
    return DownloadItem(id=item_id, season=1, episode=number, status=status,
                        language=fields.pop("language", GER_DUB), **fields)


def states(statuses: dict[tuple[int, int], EpisodeStatus]) -> dict[int, str]:
    return {number: status.label for (_, number), status in statuses.items()}


def test_statuses_from_items_and_files() -> None:
    on_disk = {Path("/lib/e1.mp4")}
    items = [item(1, 1, ItemStatus.COMPLETED, file_path="/lib/e1.mp4"),
             item(2, 2, ItemStatus.COMPLETED, file_path="/lib/deleted.mp4"),
             item(3, 3, ItemStatus.PENDING), item(4, 4, ItemStatus.PAUSED),
             item(5, 5, ItemStatus.DOWNLOADING, progress=42.7),
             item(6, 6, ItemStatus.FAILED, last_error="no hoster offers it"),
             item(7, 7, ItemStatus.CANCELLED)]
    result = episode_statuses([episode(n) for n in range(1, 9)], items, on_disk.__contains__)
    assert states(result) == {1: "on disk", 2: "missing", 3: "queued", 4: "queued",
                              5: "downloading 42 %", 6: "failed: no hoster offers it",
                              7: "missing", 8: "missing"}


def test_a_failure_carries_its_phrase_for_the_page() -> None:
    phrase = Phrase("no hoster offers %(language)s", language="German Dub")
    failed = item(1, 1, ItemStatus.FAILED, last_error=str(phrase),
                  last_error_phrase=phrase.to_json())
    status = episode_statuses([episode(1)], [failed], lambda path: False)[(1, 1)]
    assert status.error == "no hoster offers German Dub"
    assert Phrase.from_json(status.error_phrase) == phrase

def test_running_work_beats_a_file_and_the_newest_failure_wins() -> None:
    items = [item(1, 1, ItemStatus.COMPLETED, file_path="/f"),
             item(2, 1, ItemStatus.PENDING, language=GER_SUB),
             item(3, 2, ItemStatus.FAILED, last_error="old"),
             item(4, 2, ItemStatus.FAILED, last_error="new", language=GER_SUB)]
    result = episode_statuses([episode(1), episode(2)], items, lambda path: True)
    assert states(result) == {1: "queued", 2: "failed: new"}


def test_an_episode_the_scan_found_counts_as_on_disk() -> None:
    result = episode_statuses(
        [episode(1), episode(2), episode(3)],
        [item(1, 2, ItemStatus.FAILED, last_error="x"), item(2, 3, ItemStatus.PENDING)],
        lambda path: False, on_disk={(1, 1), (1, 2), (1, 3)})
    # A queued item still explains the episode better (the user asked for it again).
    assert states(result) == {1: "on disk", 2: "on disk", 3: "queued"}


def test_counts_and_wanted() -> None:
    statuses = {(1, 1): EpisodeStatus(EpisodeState.ON_DISK),
                (1, 2): EpisodeStatus(EpisodeState.FAILED, error="x"),
                (1, 3): EpisodeStatus(EpisodeState.QUEUED),
                (1, 4): EpisodeStatus(EpisodeState.MISSING)}
    counts = count_statuses(statuses)
    assert (counts.total, counts.on_disk, counts.missing) == (4, 1, 2)


def test_plan_skips_episodes_on_disk_or_queued() -> None:
    episodes = [episode(1), episode(2), episode(3, languages="german-sub"), episode(4)]
    statuses = {(1, 1): EpisodeStatus(EpisodeState.ON_DISK),
                (1, 4): EpisodeStatus(EpisodeState.QUEUED)}
    plan = plan_downloads(episodes, statuses)
    assert (plan.keys, plan.not_wanted) == ([(1, 2), (1, 3)], 2)
    everything = plan_downloads(episodes, statuses, only_wanted=False)
    assert everything.keys == [(1, 1), (1, 2), (1, 3), (1, 4)]


def test_file_present(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    assert not file_present(path)
    path.write_bytes(b"")
    assert not file_present(path)  # an empty file is an aborted download
    path.write_bytes(b"data")
    assert file_present(path)
