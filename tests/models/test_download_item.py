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


@pytest.mark.parametrize("transition", [
    lambda item: item.mark_paused(),
    lambda item: item.mark_resumed(),
    lambda item: item.mark_cancelled(),
    lambda item: item.reset_for_retry(),
])
def test_completed_item_refuses_every_user_action(transition) -> None:  # noqa: ANN001
    item = make_item(ItemStatus.COMPLETED, file_path="/media/x.mkv")
    with pytest.raises(ConflictError, match="it is completed"):
        transition(item)
    assert item.status is ItemStatus.COMPLETED


def test_pause_resume_and_cancel() -> None:
    item = make_item()
    item.mark_paused()
    assert item.status is ItemStatus.PAUSED
    item.mark_resumed()
    assert item.status is ItemStatus.PENDING
    item.mark_cancelled()
    assert item.status is ItemStatus.CANCELLED
    with pytest.raises(ConflictError, match="paused: it is cancelled"):
        item.mark_paused()


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


def test_series_listed_seasons_round_trip_and_fit_the_column() -> None:
    series = Series(season_list="")
    assert series.listed_seasons == []
    series.listed_seasons = [2, 0, 1, 2]
    assert (series.season_list, series.listed_seasons) == ("0,1,2", [0, 1, 2])
    series.listed_seasons = range(1000)  # a broken page listing absurdly many
    assert len(series.season_list) <= 500 and series.listed_seasons[:3] == [0, 1, 2]
    assert Series(season_list="1,x,,3").listed_seasons == [1, 3]
