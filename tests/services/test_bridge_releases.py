"""Release titles, info hashes and magnet links of the Sonarr bridge (pure functions)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from aniworld.languages import Language
from aniworld.services.bridge.releases import (
    MAGNET_KEY,
    ReleaseId,
    ReleaseLinkError,
    episode_label,
    file_name,
    magnet_link,
    parse_magnet,
    release_title,
)

RELEASE = ReleaseId("aniworld", "kaempfer-des-lichts", 1, 5, Language.GERMAN_DUB)


def sonarr_languages(title: str) -> set[str]:
    """The audio languages Sonarr's parser reads from our titles, by the rules it applies
    to them (LanguageParser, 2026): only the part from ``SxxEyy``/``Exxx`` on counts;
    "japanese"/"english" anywhere in it count; "german" counts as a word unless a
    separator and "sub" follow it."""
    rest = re.sub(r"^.*?[ ._]((?:S\d{2})?E\d{2,4}[ ._].*)$", r"\1", title).lower()
    found = {name for name in ("japanese", "english") if name in rest}
    if re.search(r"german\b(?![-_. ]subs?)", rest):
        found.add("german")
    return found


@pytest.mark.parametrize(("language", "expected"), [
    (Language.GERMAN_DUB, {"german"}),
    (Language.ENGLISH_DUB, {"english"}),
    (Language.GERMAN_SUB, {"japanese"}),
    (Language.ENGLISH_SUB, {"japanese"}),
])
def test_title_names_the_audio_language_as_sonarr_reads_it(language: Language,
                                                          expected: set[str]) -> None:
    title = release_title("German Girls: The English Lesson", 1, 5, language)
    assert sonarr_languages(title) == expected


def test_title_shape_is_title_episode_language_quality_source() -> None:
    assert release_title("Kämpfer des Lichts:  Die Rückkehr", 2, 7, Language.GERMAN_SUB) == \
        "Kämpfer des Lichts: Die Rückkehr S02E07 JAPANESE GERSUB 1080p WEB-DL"
    assert release_title("Frieren", 0, 3, Language.GERMAN_DUB) == \
        "Frieren S00E03 GERMAN 1080p WEB-DL"


@pytest.mark.parametrize(("season", "episode", "long_season", "label"), [
    (1, 5, False, "S01E05"), (12, 103, False, "S12E103"), (0, 3, False, "S00E03"),
    (1, 5, True, "E005"), (1, 950, True, "E950"), (1, 1135, True, "E1135"),
    (0, 2, True, "S00E02"),  # films keep their season even beside one long season
])
def test_episode_labels(season: int, episode: int, long_season: bool, label: str) -> None:
    assert episode_label(season, episode, long_season) == label


def test_info_hash_is_deterministic_and_tells_every_field_apart() -> None:
    assert RELEASE.info_hash == ReleaseId("aniworld", "kaempfer-des-lichts", 1, 5,
                                          Language.GERMAN_DUB).info_hash
    assert re.fullmatch(r"[0-9a-f]{40}", RELEASE.info_hash)
    others = [ReleaseId("sto", RELEASE.slug, 1, 5, RELEASE.language),
              ReleaseId("aniworld", "kaempfer-des-licht", 1, 5, RELEASE.language),
              ReleaseId("aniworld", RELEASE.slug, 2, 5, RELEASE.language),
              ReleaseId("aniworld", RELEASE.slug, 1, 6, RELEASE.language),
              ReleaseId("aniworld", RELEASE.slug, 1, 5, Language.GERMAN_SUB),
              ReleaseId("aniworld", RELEASE.slug, 11, 5, RELEASE.language),
              ReleaseId("aniworld", RELEASE.slug, 1, 15, RELEASE.language)]
    assert len({RELEASE.info_hash, *(other.info_hash for other in others)}) == 8


def test_magnet_link_round_trip() -> None:
    title = release_title("Kämpfer & Co: Teil 1/2", 1, 5, Language.GERMAN_DUB)
    link = magnet_link(RELEASE, title, 123_456)
    # MonoTorrent splits every parameter at "=" into exactly two parts: no raw "=" or "&".
    assert all(part.count("=") == 1 for part in urlsplit(link).query.split("&"))
    fields = dict(parse_qsl(urlsplit(link).query))
    assert fields["xt"] == f"urn:btih:{RELEASE.info_hash}" and fields["xl"] == "123456"
    assert parse_magnet(link) == (RELEASE, title)


def test_magnet_without_size_leaves_xl_out() -> None:
    assert "xl=" not in magnet_link(RELEASE, "x")


@pytest.mark.parametrize("link", [
    "http://example.com/file.torrent",
    "magnet:?xt=urn:btih:" + "0" * 40,
    magnet_link(RELEASE, "x").replace(RELEASE.info_hash, "1" * 40),
    magnet_link(RELEASE, "x").replace("%3A5%3A", "%3A6%3A"),
    magnet_link(RELEASE, "x").replace("german-dub", "klingon-dub"),
    magnet_link(RELEASE, "x").replace("aniworld%3A", "example%3A"),
    f"magnet:?xt=urn:btih:{RELEASE.info_hash}&{MAGNET_KEY}=aniworld%3A..%3A1%3A5%3Agerman-dub",
])
def test_links_that_are_not_our_releases_are_refused(link: str) -> None:
    with pytest.raises(ReleaseLinkError) as info:
        parse_magnet(link)
    assert info.value.field == "urls"


def test_file_name_is_one_safe_component() -> None:
    assert file_name("Re:Zero / Teil 2 S01E05 GERMAN 1080p WEB-DL", "mkv") == \
        "Re -Zero - Teil 2 S01E05 GERMAN 1080p WEB-DL.mkv"
