"""Torznab searches over the stored catalogue: titles, numbering, paging, sizes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import Episode, LibraryFile, LibraryFolder, Series
from aniworld.services import queue
from aniworld.services.bridge.catalogue import TorznabQuery, search
from tests.db_fixtures import complete_item

GER, GSUB, ESUB, EDUB = (Language.GERMAN_DUB, Language.GERMAN_SUB, Language.ENGLISH_SUB,
                         Language.ENGLISH_DUB)
DAY = datetime(2026, 11, 1, tzinfo=UTC)


def add_episodes(session: Session, series: Series, season: int, numbers: Iterable[int],
                 languages: Iterable[Language] = (GER, GSUB), *, title_en: str = "",
                 seen: datetime | None = None) -> None:
    for number in numbers:
        episode = Episode(series_id=series.id, season=season, number=number,
                          title_en=title_en or f"Episode {number}", first_seen_at=seen)
        episode.language_set = languages
        session.add(episode)
    session.flush()


@pytest.fixture
def kaempfer(session: Session, make_series: Callable[..., Series]) -> Series:
    series = make_series(key="kaempfer", title="Kämpfer des Lichts: Die Rückkehr",
                         alternative_titles="Hikari no Senshi: Kikan, "
                                            "Warriors of Light: The Return")
    add_episodes(session, series, 1, range(1, 13))
    add_episodes(session, series, 2, range(1, 13), (GER,))
    add_episodes(session, series, 0, [1], (GER,), title_en="The Shadow Crown [Movie]")
    add_episodes(session, series, 0, [2], (GSUB,), title_en="The Lost Island [OVA]")
    add_episodes(session, series, 3, [1], ())  # announced: listed, not out in any language
    return series


def titles(session: Session, **query: object) -> list[str]:
    return [r.title for r in search(session, TorznabQuery(**query)).releases]  # type: ignore[arg-type]


def test_english_alternative_title_with_season_and_episode(session: Session,
                                                           kaempfer: Series) -> None:
    found = search(session, TorznabQuery("Warriors of Light The Return", 1, 5))
    assert [r.title for r in found.releases] == [
        "Warriors of Light: The Return S01E05 GERMAN 1080p WEB-DL",
        "Warriors of Light: The Return S01E05 JAPANESE GERSUB 1080p WEB-DL"]
    release = found.releases[0]
    assert (release.id.site, release.id.slug, release.id.season, release.id.episode,
            release.id.language) == ("aniworld", "kaempfer", 1, 5, GER)
    assert found.total == 2 and release.size == 0 and release.audio == "German"


def test_german_title_umlauts_and_whole_season(session: Session, kaempfer: Series) -> None:
    found = titles(session, text="kaempfer des lichts die rueckkehr", season=2)
    assert len(found) == 12
    assert found[0] == "Kämpfer des Lichts: Die Rückkehr S02E01 GERMAN 1080p WEB-DL"


def test_season_zero_holds_the_films(session: Session, kaempfer: Series) -> None:
    assert titles(session, text="Hikari no Senshi Kikan", season=0) == [
        "Hikari no Senshi: Kikan S00E01 GERMAN 1080p WEB-DL",
        "Hikari no Senshi: Kikan S00E02 JAPANESE GERSUB 1080p WEB-DL"]


def test_special_search_by_series_and_episode_title(session: Session,
                                                    kaempfer: Series) -> None:
    # Sonarr's special search: t=search&q=<series title> <episode title>.
    assert titles(session, text="Warriors of Light The Return The Lost Island") == [
        "Warriors of Light: The Return S00E02 JAPANESE GERSUB 1080p WEB-DL"]


def test_absolute_number_across_seasons(session: Session, kaempfer: Series) -> None:
    # Sonarr's anime search: t=search&q=<title> <absolute number>; 14 = S02E02.
    assert titles(session, text="Warriors of Light The Return 14") == [
        "Warriors of Light: The Return S02E02 GERMAN 1080p WEB-DL"]
    assert titles(session, text="Warriors of Light The Return 99") == []


def test_one_long_season_is_numbered_absolutely(session: Session,
                                                make_series: Callable[..., Series]) -> None:
    conan = make_series(key="detektiv-conan", title="Detektiv Conan")
    add_episodes(session, conan, 1, range(1, 41), (GER,))
    add_episodes(session, conan, 0, [1], (GER,))
    assert titles(session, text="Detektiv Conan 37") == [
        "Detektiv Conan E037 GERMAN 1080p WEB-DL"]
    assert titles(session, text="Detektiv Conan", season=1, episode=40) == [
        "Detektiv Conan E040 GERMAN 1080p WEB-DL"]
    assert titles(session, text="Detektiv Conan", season=0) == [
        "Detektiv Conan S00E01 GERMAN 1080p WEB-DL"]
    # The RSS feed (no text) numbers them the same way; the film was stored last.
    assert titles(session, limit=2) == ["Detektiv Conan S00E01 GERMAN 1080p WEB-DL",
                                        "Detektiv Conan E040 GERMAN 1080p WEB-DL"]


def test_a_short_single_season_keeps_standard_numbers(session: Session,
                                                      make_series: Callable[..., Series]) -> None:
    short = make_series(key="kurz", title="Kurz")
    add_episodes(session, short, 1, range(1, 13), (ESUB,))
    assert titles(session, text="Kurz 3") == ["Kurz S01E03 JAPANESE ENGSUB 1080p WEB-DL"]


def test_a_title_ending_in_a_number_is_the_title(session: Session,
                                                 make_series: Callable[..., Series]) -> None:
    mob = make_series(key="mob-psycho-100", title="Mob Psycho 100")
    add_episodes(session, mob, 1, range(1, 4), (EDUB,))
    assert len(titles(session, text="Mob Psycho 100")) == 3
    assert titles(session, text="Mob Psycho 100 02") == [
        "Mob Psycho 100 S01E02 ENGLISH 1080p WEB-DL"]


def test_partial_title_words_match(session: Session, kaempfer: Series) -> None:
    assert len(titles(session, text="Warriors Return", season=1, episode=1)) == 2
    assert titles(session, text="Nothing like it") == []


def test_recent_releases_newest_first_and_paged(session: Session,
                                                make_series: Callable[..., Series]) -> None:
    old, new = make_series(key="alt", title="Alt"), make_series(key="neu", title="Neu")
    add_episodes(session, old, 1, range(1, 4), (GER,), seen=DAY)
    add_episodes(session, new, 1, range(1, 3), (GER, GSUB), seen=DAY + timedelta(days=1))
    everything = titles(session)
    assert everything[:4] == ["Neu S01E02 GERMAN 1080p WEB-DL",
                              "Neu S01E02 JAPANESE GERSUB 1080p WEB-DL",
                              "Neu S01E01 GERMAN 1080p WEB-DL",
                              "Neu S01E01 JAPANESE GERSUB 1080p WEB-DL"]
    assert len(everything) == 7
    pages = [titles(session, offset=offset, limit=3) for offset in (0, 3, 6, 9)]
    assert [title for page in pages for title in page] == everything
    assert pages[-1] == []


@pytest.mark.parametrize(("categories", "found"), [
    (frozenset(), True), (frozenset({5070}), True), (frozenset({5000, 5030}), True),
    (frozenset({2000}), False), (frozenset({2000, 5040}), True)])
def test_categories_other_than_tv_find_nothing(session: Session, kaempfer: Series,
                                               categories: frozenset[int], found: bool) -> None:
    query = TorznabQuery("Warriors of Light", 1, 1, categories)
    assert bool(search(session, query).releases) is found


def test_sizes_of_finished_downloads_and_scanned_files(session: Session,
                                                       kaempfer: Series) -> None:
    item = queue.add_item(session, kaempfer, 1, 1, GER)
    complete_item(session, item.id)
    item.total_bytes = 350_000_000
    folder = LibraryFolder(name="Kaempfer", series_id=kaempfer.id)
    session.add(folder)
    session.flush()
    session.add(LibraryFile(folder_id=folder.id, season=1, episode=2, language=GSUB.value,
                            size=420_000_000, path="Kaempfer/S01E02.mkv"))
    session.commit()
    sizes = {(r.id.episode, r.id.language): r.size
             for r in search(session, TorznabQuery("Warriors", 1)).releases}
    assert sizes[(1, GER)] == 350_000_000 and sizes[(2, GSUB)] == 420_000_000
    assert sizes[(1, GSUB)] == 0
