"""File-name parsing: episodes, films, seasons from folders, languages, junk."""

from __future__ import annotations

import pytest

from aniworld.languages import Language
from aniworld.library.filenames import (
    is_candidate_name,
    parse_episode,
    parse_file,
    parse_language,
    season_from_folder,
)

DUB, SUB = Language.GERMAN_DUB, Language.GERMAN_SUB
EN_SUB, EN_DUB = Language.ENGLISH_SUB, Language.ENGLISH_DUB


@pytest.mark.parametrize(("name", "folder", "expected"), [
    ("Show S01E05.mkv", "", (1, 5)),
    ("Show S1E5.mkv", "", (1, 5)),
    ("show.s01e005.720p.mkv", "", (1, 5)),
    ("Show s02.e03.mp4", "", (2, 3)),
    ("Show 1x05.avi", "", (1, 5)),
    ("Show 12x105.webm", "", (12, 105)),
    ("Episode 5.mkv", "", (1, 5)),
    ("Folge 5.mkv", "", (1, 5)),
    ("Episode 5.mkv", "Season 2", (2, 5)),
    ("Folge 7 [Deutsch].m4v", "Staffel 3", (3, 7)),
    ("Ep07.ts", "S04", (4, 7)),
    ("Kämpfer des Lichts - S01E005 - (German Dub).mp4", "", (1, 5)),
    ("Kämpfer des Lichts - Movie 001 - (German Dub).mp4", "", (0, 1)),
    ("Show - Film 1.mkv", "", (0, 1)),
    ("Show S00E03.mkv", "", (0, 3)),
    ("Episode 4.mkv", "Season 00", (0, 4)),
    ("Episode 2.mkv", "Specials", (0, 2)),
    ("Folge 2.mkv", "Filme", (0, 2)),
    ("One Piece - S01E05 - Romance Dawn [German Dub].mkv", "Season 01", (1, 5)),
    ("Show - S02E01 - Ärger im Café [German Sub].mkv", "Season 01", (2, 1)),
    ("[Group] Show - 05 [1080p].mkv", "Season 2", (2, 5)),
    ("[Group] Show - 12v2 (BD).mkv", "", (1, 12)),
    ("Show - 2019.mkv", "", None),
    ("Show 1920x1080.mkv", "", None),
    ("Trailer.mkv", "", None),
    ("Show x264.mkv", "", None),
])
def test_parse_episode(name: str, folder: str, expected: tuple[int, int] | None) -> None:
    assert parse_episode(name, folder) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("Show - S01E005 - (German Dub).mp4", DUB),
    ("Show - S01E05 [German Sub].mkv", SUB),
    ("Show S01E05 GerDub.mkv", DUB),
    ("Show.S01E05.GerSub.mkv", SUB),
    ("Show S01E05 German Dub.mkv", DUB),
    ("Show S01E05 EngSub.mkv", EN_SUB),
    ("Show S01E05 English Sub.mkv", EN_SUB),
    ("Show S01E05 EngDub.mkv", EN_DUB),
    ("Show S01E05 [english-dub].mkv", EN_DUB),
    ("Show S01E05 [german-dub].mkv", DUB),
    ("Show S01E05 [Deutsch].mkv", DUB),
    ("Show S01E05 (German).mkv", DUB),
    ("Show S01E05 [OmU].mkv", SUB),
    ("Show S01E05 ger-subbed.mkv", SUB),
    ("Show S01E05.mkv", None),
    ("Germany S01E05.mkv", None),
    ("Deutschland 83 S01E05.mkv", None),
    ("Subaru S01E05.mkv", None),
])
def test_parse_language(name: str, expected: Language | None) -> None:
    assert parse_language(name) is expected


@pytest.mark.parametrize(("folder", "expected"), [
    ("Season 2", 2), ("season 02", 2), ("Staffel 3", 3), ("S4", 4), ("Season 00", 0),
    ("Specials", 0), ("Filme", 0), ("Movies", 0), ("Extras Vol 2", None), ("Show", None),
])
def test_season_from_folder(folder: str, expected: int | None) -> None:
    assert season_from_folder(folder) == expected


@pytest.mark.parametrize("name", [
    "Show S01E05.MKV", "Show S01E05.Mp4", "a S01E01.avi", "a S01E01.webm", "a S01E01.m4v",
    "a S01E01.ts",
])
def test_video_extensions_any_case(name: str) -> None:
    assert is_candidate_name(name)


@pytest.mark.parametrize("name", [
    "Show S01E05.mkv.part", "Show S01E05.mp4.tmp", "Show S01E05.mkv.partial",
    "Show S01E05.mkv.aniworld-partial", "Show S01E05.srt", "Show S01E05.nfo",
    "Show S01E05.jpg", ".Show S01E05.mkv", "._Show S01E05.mkv", "Show S01E05",
])
def test_not_episode_files(name: str) -> None:
    assert not is_candidate_name(name)
    assert parse_file(f"lib/Show/{name}", 100) is None


def test_parse_file_builds_episode_file() -> None:
    path = "lib/Show (2020)/Season 02/Show - S02E03 - Title [German Sub].mkv"
    found = parse_file(path, 1234, "Season 02")
    assert found is not None
    assert (found.path, found.season, found.episode) == (path, 2, 3)
    assert (found.language, found.size) == (SUB, 1234)


@pytest.mark.parametrize("size", [0, -1])
def test_empty_files_do_not_count(size: int) -> None:
    assert parse_file("Show S01E01.mkv", size) is None


@pytest.mark.parametrize("path", [
    "lib/Show/.aniworld/partial/7/voe-german-dub/Show S01E01.mkv",
    "lib\\Show\\.aniworld\\Show S01E01.mkv",
])
def test_work_folder_files_do_not_count(path: str) -> None:
    assert parse_file(path, 10) is None


def test_episode_file_is_frozen() -> None:
    found = parse_file("Show S01E01.mkv", 1)
    assert found is not None
    with pytest.raises(AttributeError):
        found.season = 2  # type: ignore[misc]
