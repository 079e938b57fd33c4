"""Single-row invariants of DownloadItem and the small enums around it."""

from __future__ import annotations

import pytest

from aniworld.errors import ConflictError
from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, Priority, Series


def make_item(status: ItemStatus = ItemStatus.PENDING, **fields: object) -> DownloadItem:
    """An unsaved item in ``status``."""
    values: dict[str, object] = {"id": 7, "season": 1, "episode": 5, "attempts": 0,
                                 "language": Language.GERMAN_DUB, "progress": 0.0}
    return DownloadItem(**(values | fields), status=status)


def test_priority_labels_and_parse() -> None:
    assert [p.label for p in Priority] == ["high", "normal", "low"]
    assert Priority.parse("High") is Priority.HIGH
    assert sorted([Priority.LOW, Priority.HIGH, Priority.NORMAL]) == list(Priority)


def test_priority_parse_lists_valid_values() -> None:
    with pytest.raises(ValueError, match="high, normal, low"):
        Priority.parse("urgent")


def test_mark_downloading_stamps_start_and_job() -> None:
    item = make_item()
    item.mark_downloading(job_id="download-7", hoster="voe")
    assert item.status is ItemStatus.DOWNLOADING
    assert item.started_at is not None
    assert (item.job_id, item.hoster) == ("download-7", "voe")


def test_same_job_may_reclaim_but_another_may_not() -> None:
    item = make_item(ItemStatus.DOWNLOADING, job_id="download-7")
    item.mark_downloading(job_id="download-7")
    with pytest.raises(ConflictError, match="it is downloading"):
        item.mark_downloading(job_id="download-8")


def test_mark_completed_sets_file_progress_and_time() -> None:
    item = make_item(ItemStatus.DOWNLOADING, speed=10.0, eta_seconds=3)
    item.mark_completed("/media/show/S01E05.mkv")
    assert item.status is ItemStatus.COMPLETED
    assert (item.progress, item.file_path) == (100.0, "/media/show/S01E05.mkv")
    assert item.completed_at is not None
    assert (item.speed, item.eta_seconds) == (None, None)


def test_mark_failed_keeps_error_and_counts_attempt() -> None:
    item = make_item(ItemStatus.DOWNLOADING)
    item.mark_failed("hoster answered 404")
    assert (item.status, item.last_error, item.attempts) == (
        ItemStatus.FAILED, "hoster answered 404", 1)
    assert item.completed_at is None


@pytest.mark.parametrize("transition", [
    lambda item: item.mark_failed("late abandoned-job event"),
    lambda item: item.mark_downloading(),
    lambda item: item.mark_paused(),
    lambda item: item.mark_cancelled(),
    lambda item: item.reset_for_retry(),
])
def test_completed_item_refuses_every_transition(transition) -> None:  # noqa: ANN001
    item = make_item(ItemStatus.DOWNLOADING)
    item.mark_completed("/media/x.mkv")
    with pytest.raises(ConflictError, match="it is completed"):
        transition(item)
    assert item.status is ItemStatus.COMPLETED


@pytest.mark.parametrize("status", [ItemStatus.PENDING, ItemStatus.PAUSED, ItemStatus.FAILED,
                                    ItemStatus.CANCELLED])
def test_only_downloading_items_complete(status: ItemStatus) -> None:
    with pytest.raises(ConflictError):
        make_item(status).mark_completed("/media/x.mkv")


def test_pause_resume_and_cancel() -> None:
    item = make_item()
    item.mark_paused()
    assert item.status is ItemStatus.PAUSED
    item.mark_resumed()
    assert item.status is ItemStatus.PENDING
    item.mark_cancelled()
    assert item.status is ItemStatus.CANCELLED
    with pytest.raises(ConflictError):
        item.mark_failed("too late")


def test_reset_for_retry_clears_the_slate() -> None:
    item = make_item(ItemStatus.FAILED, attempts=3, last_error="boom", progress=40.0,
                     downloaded_bytes=400, total_bytes=1000)
    item.reset_for_retry()
    assert item.status is ItemStatus.PENDING
    assert (item.attempts, item.last_error, item.progress, item.downloaded_bytes) == (
        0, None, 0.0, 0)


def test_code_labels_films_like_the_site() -> None:
    assert make_item().code == "S01E05"
    assert DownloadItem(season=0, episode=3).code == "Film 3"


def test_episode_language_set_round_trip() -> None:
    episode = Episode(season=1, number=1, languages="")
    assert episode.language_set == frozenset()
    episode.language_set = {Language.ENGLISH_SUB, Language.GERMAN_DUB}
    assert episode.languages == "german-dub,english-sub"
    assert episode.language_set == {Language.GERMAN_DUB, Language.ENGLISH_SUB}


def test_series_genre_list_ignores_blanks() -> None:
    assert Series(genres="Action, Drama,,").genre_list == ["Action", "Drama"]
    assert Series(genres="").genre_list == []
