"""Missing episodes: offered in an acceptable language and not on disk in one."""

from __future__ import annotations

from aniworld.languages import Language
from aniworld.library.filenames import EpisodeFile
from aniworld.library.missing import MissingEpisode, missing_episodes
from aniworld.site.types import EpisodeInfo

DUB, SUB = Language.GERMAN_DUB, Language.GERMAN_SUB
EN_SUB = Language.ENGLISH_SUB


def offered(season: int, number: int, *languages: Language) -> EpisodeInfo:
    """A site episode offered in ``languages``."""
    return EpisodeInfo(season, number, "", "", frozenset(languages), "")


def on_disk(season: int, episode: int, language: Language | None) -> EpisodeFile:
    """An episode file of one byte."""
    return EpisodeFile(f"S{season}E{episode}.mkv", season, episode, language, 1)


def test_nothing_on_disk() -> None:
    site = [offered(1, 2, DUB), offered(1, 1, SUB, DUB), offered(0, 1, DUB)]
    assert missing_episodes(site, [], [DUB, SUB]) == [
        MissingEpisode(0, 1, DUB), MissingEpisode(1, 1, DUB), MissingEpisode(1, 2, DUB)]


def test_preferred_language_offered_is_chosen() -> None:
    assert missing_episodes([offered(1, 1, SUB, EN_SUB)], [], [DUB, EN_SUB, SUB]) == [
        MissingEpisode(1, 1, EN_SUB)]


def test_not_offered_in_an_acceptable_language_is_not_missing() -> None:
    assert missing_episodes([offered(1, 1, EN_SUB), offered(1, 2)], [], [DUB, SUB]) == []


def test_present_in_an_acceptable_language() -> None:
    site = [offered(1, 1, DUB, SUB), offered(1, 2, DUB, SUB)]
    files = [on_disk(1, 1, SUB)]
    assert missing_episodes(site, files, [DUB, SUB]) == [MissingEpisode(1, 2, DUB)]


def test_present_only_in_an_unacceptable_language_is_missing() -> None:
    files = [on_disk(1, 1, EN_SUB)]
    assert missing_episodes([offered(1, 1, DUB, EN_SUB)], files, [DUB]) == [
        MissingEpisode(1, 1, DUB)]


def test_unknown_language_counts_as_present() -> None:
    files = [on_disk(1, 1, None)]
    assert missing_episodes([offered(1, 1, DUB)], files, [DUB]) == []


def test_films_are_season_zero() -> None:
    site = [offered(0, 1, DUB), offered(1, 1, DUB)]
    assert missing_episodes(site, [on_disk(1, 1, DUB)], [DUB]) == [MissingEpisode(0, 1, DUB)]


def test_duplicate_site_rows_reported_once() -> None:
    site = [offered(1, 1, DUB), offered(1, 1, DUB, SUB)]
    assert missing_episodes(site, [], [SUB, DUB]) == [MissingEpisode(1, 1, DUB)]


def test_no_acceptable_languages_means_nothing_missing() -> None:
    assert missing_episodes([offered(1, 1, DUB)], [], []) == []


def test_files_of_other_episodes_do_not_count() -> None:
    files = [on_disk(2, 1, DUB), on_disk(1, 2, DUB)]
    assert missing_episodes([offered(1, 1, DUB)], files, [DUB]) == [MissingEpisode(1, 1, DUB)]
