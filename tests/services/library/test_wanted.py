"""The Wanted view: missing episodes and upgrades by series, filtered, sorted, paged, queued."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFile,
    LibraryFolder,
    Series,
    utcnow,
)
from aniworld.models.download_item import ACTIVE_STATUSES
from aniworld.services.episode_status import EpisodeState
from aniworld.services.library.overview import library_report, series_statuses
from aniworld.services.library.upgrades import find_upgrades
from aniworld.services.library.wanted import (
    WantedFilter,
    WantedKind,
    WantedSeries,
    WantedSort,
    queue_wanted,
    wanted,
    wanted_page,
)
from aniworld.services.settings import AppSettings
from tests.services.library.test_overview import (  # noqa: F401 - fixture
    SETTINGS,
    add_series_with_episodes,
    world,
)

SUB, DUB, ENG_DUB = Language.GERMAN_SUB, Language.GERMAN_DUB, Language.ENGLISH_DUB
MISSING, UPGRADE = WantedKind.MISSING, WantedKind.UPGRADE
Found = dict[tuple[int, int, int], tuple[WantedKind, Language]]


def expected(session: Session, settings: AppSettings) -> Found:
    """What the library report and find_upgrades say; an upgrade wins over "missing"."""
    found: Found = {(report.series.id, m.season, m.number): (MISSING, m.language)
                    for report in library_report(session, settings) for m in report.missing}
    found.update({(u.series_id, u.season, u.episode): (UPGRADE, u.target)
                  for u in find_upgrades(session, settings)})
    return found


def listed(groups: list[WantedSeries]) -> Found:
    return {(group.series_id, e.season, e.episode): (e.kind, e.language)
            for group in groups for e in group.episodes}


def rows(groups: list[WantedSeries]) -> list[tuple[object, ...]]:
    return [(e.code, e.kind, e.language, e.current, e.failed) for g in groups for e in g.episodes]


def test_world_as_the_library_report_and_the_upgrades_see_it(
        sessions: sessionmaker[Session], world: int) -> None:  # noqa: F811
    with sessions() as session:
        groups = wanted(session, SETTINGS)
        assert [g.series_id for g in groups] == [world]
        assert rows(groups) == [
            # Held only in English Dub, which the order does not accept: an upgrade, once.
            ("S01E03", UPGRADE, DUB, ENG_DUB, False),
            ("S01E05", MISSING, SUB, None, True),
            ("S01E07", MISSING, SUB, None, False),
            ("S01E09", MISSING, DUB, None, False),  # finished, but the file is gone
            ("Film 1", MISSING, DUB, None, False),  # films last
        ]
        for settings in (SETTINGS, AppSettings(),
                         replace(AppSettings(), language_order=(SUB, DUB, ENG_DUB))):
            assert listed(wanted(session, settings)) == expected(session, settings)


def test_filters(sessions: sessionmaker[Session], world: int) -> None:  # noqa: F811
    with sessions() as session:
        def codes(**fields: object) -> list[str]:
            return [e.code for g in wanted(session, SETTINGS, WantedFilter(**fields))
                    for e in g.episodes]

        assert codes(kind=MISSING) == ["S01E05", "S01E07", "S01E09", "Film 1"]
        assert codes(kind=UPGRADE) == ["S01E03"]
        assert codes(language=DUB) == ["S01E03", "S01E09", "Film 1"]
        assert codes(kind=MISSING, language=DUB) == ["S01E09", "Film 1"]
        assert codes(monitored=True) == []
        session.get_one(Series, world).monitored = True
        session.flush()
        assert len(codes(monitored=True)) == 5


def test_air_order_and_newest_first(sessions: sessionmaker[Session], world: int) -> None:  # noqa: F811
    with sessions() as session:
        other = add_series_with_episodes(session, "alpha", "alpha", [(1, 1, "german-sub"),
                                                                     (1, 2, "german-sub")])
        now = utcnow()
        _stamp(session, world, 1, 7, first_seen_at=now - timedelta(days=1))
        _stamp(session, world, 1, 9, languages_changed_at=now)
        _stamp(session, other.id, 1, 2, first_seen_at=now - timedelta(days=2))
        by_air = wanted(session, SETTINGS)
        assert [g.title for g in by_air] == ["alpha", "Testserie"]  # by title, any case
        newest = wanted(session, SETTINGS, WantedFilter(sort=WantedSort.NEWEST))
        assert [g.title for g in newest] == ["Testserie", "alpha"]
        assert [e.code for e in newest[0].episodes] == [
            "S01E09", "S01E07", "S01E03", "S01E05", "Film 1"]
        assert newest[0].episodes[0].since == now
        assert [e.code for e in newest[1].episodes] == ["S01E02", "S01E01"]


def _stamp(session: Session, series_id: int, season: int, number: int, **stamps: object) -> None:
    episode = session.scalars(select(Episode).filter_by(series_id=series_id, season=season,
                                                        number=number)).one()
    for name, value in stamps.items():
        setattr(episode, name, value)
    session.flush()


def test_pages_count_everything_and_list_their_groups(sessions: sessionmaker[Session],
                                                      world: int) -> None:  # noqa: F811
    with sessions() as session:
        for number in range(3):
            add_series_with_episodes(session, f"s-{number}", f"Serie {number}",
                                     [(1, 1, "german-dub"), (1, 2, "")])  # E02 not out yet
        every = wanted(session, SETTINGS)
        for sort in WantedSort:
            wanted_filter = WantedFilter(sort=sort)
            ordered = wanted(session, SETTINGS, wanted_filter)
            pages = [wanted_page(session, SETTINGS, wanted_filter, number, per_page=2)
                     for number in (1, 2)]
            assert [g.series_id for p in pages for g in p.groups] == [g.series_id for g in ordered]
            assert pages[0].groups[0].episodes == ordered[0].episodes
        first = wanted_page(session, SETTINGS, WantedFilter(), 1, per_page=2)
        assert (first.total, first.missing, first.upgrades) == (8, 7, 1)
        assert (first.series_total, first.pages) == (len(every), 2)
        assert wanted_page(session, SETTINGS, WantedFilter(), 99, per_page=2).page == 2
        only_upgrades = wanted_page(session, SETTINGS, WantedFilter(kind=UPGRADE))
        assert (only_upgrades.total, only_upgrades.series_total) == (1, 1)


def test_queue_a_row_a_series_and_everything(sessions: sessionmaker[Session],
                                            world: int) -> None:  # noqa: F811
    with sessions() as session:
        one = queue_wanted(session, SETTINGS, WantedFilter(), [world], [(1, 7)])
        assert (one.created, one.skipped, one.queued) == (1, 0, {world: {(1, 7)}})
        assert [e.code for e in one.groups[0].episodes][:3] == ["S01E03", "S01E05", "S01E07"]
        upgrade = queue_wanted(session, SETTINGS, WantedFilter(kind=UPGRADE), [world])
        assert (upgrade.created, upgrade.queued) == (1, {world: {(1, 3)}})
        rest = queue_wanted(session, SETTINGS, WantedFilter())
        # E05's failed item is retried (it keeps its place in the unique index).
        assert (rest.created, rest.skipped, rest.series) == (3, 0, 1)
        session.commit()
    with sessions() as session:
        pending = session.execute(
            select(DownloadItem.season, DownloadItem.episode, DownloadItem.language,
                   DownloadItem.force)
            .where(DownloadItem.status == ItemStatus.PENDING, DownloadItem.series_id == world)
        ).all()
        assert sorted(tuple(row) for row in pending) == sorted([
            (1, 3, DUB, True),  # the upgrade: downloaded although a file is there
            (1, 4, SUB, False), (1, 5, SUB, False), (1, 7, SUB, False), (1, 9, DUB, False),
            (0, 1, DUB, False)])
        upgrade_item = session.scalars(select(DownloadItem).where(
            DownloadItem.series_id == world, DownloadItem.episode == 3,
            DownloadItem.status == ItemStatus.PENDING)).one()
        # An upgrade item the worker will swap in: it names the language and copy it replaces.
        assert upgrade_item.upgrade_from is not None and "S01E03" in upgrade_item.replaces
        assert wanted(session, SETTINGS) == []
        again = queue_wanted(session, SETTINGS, WantedFilter())
        assert (again.created, again.skipped) == (0, 0)


def test_a_row_no_longer_wanted_queues_nothing(sessions: sessionmaker[Session],
                                              world: int) -> None:  # noqa: F811
    with sessions() as session:
        result = queue_wanted(session, SETTINGS, WantedFilter(kind=UPGRADE), [world], [(1, 7)])
        assert (result.created, result.skipped, result.queued) == (0, 0, {})
        assert [e.code for e in result.groups[0].episodes] == ["S01E03"]


# --- the fast path against the rules ------------------------------------------------------
# ``wanted`` reads only the episodes the database cannot rule out (wanted_rows); random
# libraries check that it still lists exactly what the report and find_upgrades say.

LANGUAGES = list(Language)


def _random_library(session: Session, rng: random.Random, media: Path) -> AppSettings:
    """Six series with random offers, preferences, files and queue items; the settings."""
    for number in range(6):
        own = rng.sample(LANGUAGES, rng.randint(1, 4)) if rng.random() < .3 else []
        series = Series(key=f"r{number}", title=f"{rng.choice(['alpha', 'Beta'])} {number}",
                        monitored=rng.random() < .5,
                        language_order=",".join(language.value for language in own),
                        upgrade_until=rng.choice([None, None, "keep", *LANGUAGES]))
        session.add(series)
        session.flush()
        keys = [(season, episode) for season in range(rng.randint(0, 1), rng.randint(1, 3) + 1)
                for episode in range(1, rng.randint(2, 7))]
        informed = rng.random() < .85
        for season, episode in keys:
            # Random order: some offer texts are not the canonical one.
            offer = rng.sample(LANGUAGES, rng.randint(0, 3)) if informed else []
            session.add(Episode(series_id=series.id, season=season, number=episode,
                                languages=",".join(language.value for language in offer)))
        _random_files(session, rng, series, [*keys, (9, 9)])
        _random_items(session, rng, series, keys, media)
    session.flush()
    order = rng.sample(LANGUAGES, rng.randint(1, 4))
    return replace(AppSettings(), language_order=tuple(order))


def _random_files(session: Session, rng: random.Random, series: Series,
                  keys: list[tuple[int, int]]) -> None:
    state = rng.choice([FolderState.MATCHED, FolderState.MATCHED, FolderState.UNMATCHED, None])
    if state is None:
        return
    folder = LibraryFolder(name=series.key, series_id=series.id, state=state.value)
    session.add(folder)
    session.flush()
    for season, episode in rng.sample(keys, rng.randint(0, len(keys))):
        for copy in range(rng.choice([1, 1, 2])):
            language = rng.choice([None, *LANGUAGES])
            session.add(LibraryFile(folder_id=folder.id, season=season, episode=episode,
                                    language=language.value if language else None, size=1,
                                    path=f"/library/{series.key}/{season}-{episode}-{copy}.mkv"))


def _random_items(session: Session, rng: random.Random, series: Series,
                  keys: list[tuple[int, int]], media: Path) -> None:
    active: set[tuple[int, int, Language]] = set()
    for position, (season, episode) in enumerate(rng.sample(keys, rng.randint(0, len(keys)))):
        status, language = rng.choice(list(ItemStatus)), rng.choice(LANGUAGES)
        if status in ACTIVE_STATUSES and (season, episode, language) in active:
            continue
        active.add((season, episode, language))
        path = None
        if status is ItemStatus.COMPLETED:
            path = media / f"{series.key}-{season}-{episode}-{position}.mkv"
            if rng.random() < .7:
                path.write_bytes(b"x")
        session.add(DownloadItem(series_id=series.id, season=season, episode=episode,
                                 language=language, status=status, position=position * 1024,
                                 file_path=str(path) if path else None))


@pytest.mark.parametrize("seed", range(16))
def test_random_libraries_match_the_rules(session: Session, tmp_path: Path, seed: int) -> None:
    settings = _random_library(session, random.Random(seed), tmp_path)
    found = expected(session, settings)
    assert listed(wanted(session, settings)) == found
    monitored = {s.id for s in session.scalars(select(Series).where(Series.monitored))}
    for kind, language, only_monitored in [(MISSING, None, False), (UPGRADE, None, True),
                                           (WantedKind.ALL, SUB, True), (MISSING, DUB, False)]:
        wanted_filter = WantedFilter(kind=kind, language=language, monitored=only_monitored)
        assert listed(wanted(session, settings, wanted_filter)) == {
            key: value for key, value in found.items()
            if kind in (WantedKind.ALL, value[0]) and language in (None, value[1])
            and (not only_monitored or key[0] in monitored)}
    page = wanted_page(session, settings, WantedFilter(), per_page=100)
    assert (page.total, page.upgrades) == (len(found),
                                           sum(kind is UPGRADE for kind, _ in found.values()))
    assert listed(page.groups) == found


def test_sonarr_grabs_leave_the_library_episodes_missing(
        sessions: sessionmaker[Session], library: Path) -> None:
    grabbed = library / ".aniworld" / "bridge" / "tv-sonarr" / "Grabbed S01E01.mp4"
    grabbed.parent.mkdir(parents=True)
    grabbed.write_bytes(b"Sonarr's download")
    with sessions() as session:
        series = add_series_with_episodes(session, "grabbed", "Grabbed", [
            (1, 1, "german-sub"), (1, 2, "german-sub"), (1, 3, "german-sub")])
        bridge = {"save_path": str(grabbed.parent), "bridge_category": "tv-sonarr"}
        for number, status, fields in (
                (1, ItemStatus.COMPLETED, {"file_path": str(grabbed)}),
                (2, ItemStatus.PENDING, {}), (3, ItemStatus.FAILED, {"last_error": "gone"})):
            session.add(DownloadItem(series_id=series.id, season=1, episode=number,
                                     language=SUB, status=status, position=1024,
                                     bridge_hash=f"{number:040d}", **bridge, **fields))
        session.commit()
        series_id = series.id
    with sessions() as session:
        series = session.get_one(Series, series_id)
        statuses = series_statuses(session, series, series.episodes, SETTINGS)
        assert {key: status.state for key, status in statuses.items()} == {
            (1, 1): EpisodeState.MISSING, (1, 2): EpisodeState.MISSING,
            (1, 3): EpisodeState.MISSING}
        [report] = library_report(session, SETTINGS, [series_id])
        assert (report.counts.on_disk, report.counts.queued, report.counts.failed) == (0, 0, 0)
        assert [m.number for m in report.missing] == [1, 2, 3]
        assert rows(wanted(session, SETTINGS)) == [
            (f"S01E0{n}", MISSING, SUB, None, False) for n in (1, 2, 3)]
