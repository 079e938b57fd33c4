"""Which held episodes a better language is offered for, by each series' preferences."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, Priority, Series
from aniworld.services import catalog, execution
from aniworld.services.library.monitoring import apply_refresh
from aniworld.services.library.upgrades import (
    find_upgrades,
    held_episodes,
    queue_series_upgrades,
    queue_upgrades,
    record_swap,
)
from aniworld.services.settings import AppSettings
from aniworld.site import SiteClient
from tests.db_fixtures import claim_item
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import add_from_site, store_new
from tests.services.library.test_overview import add_item, world  # noqa: F401 - fixture

DUB, SUB = Language.GERMAN_DUB, Language.GERMAN_SUB


def _offer(session: Session, series_id: int, season: int, number: int, languages: str) -> None:
    episode = session.query(Episode).filter_by(series_id=series_id, season=season,
                                               number=number).one()
    episode.languages = languages


def _offer_dub(session: Session, series_id: int, *numbers: int) -> None:
    """Offer episodes of season 1 in German Dub beside the German Sub."""
    for number in numbers:
        _offer(session, series_id, 1, number, "german-dub,german-sub")


def test_held_episodes_from_scan_and_finished_downloads(sessions: sessionmaker[Session],
                                                        world: int) -> None:  # noqa: F811
    with sessions() as session:
        held = held_episodes(session)[world]
    assert [h.language for h in held[(1, 1)]] == [SUB]
    assert [h.language for h in held[(1, 2)]] == [None]  # untagged
    assert (1, 8) in held and (1, 9) not in held  # the deleted download does not count


def test_dub_arriving_for_a_sub_episode_is_an_upgrade(sessions: sessionmaker[Session],
                                                      world: int) -> None:  # noqa: F811
    with sessions() as session:
        # Held in English Dub while German Dub, ranked first, is offered.
        assert [u.key for u in find_upgrades(session, AppSettings())] == [(1, 3)]
        _offer(session, world, 1, 1, "german-dub,german-sub")  # held in German Sub
        _offer(session, world, 1, 2, "german-dub,german-sub")  # untagged: never
        _offer(session, world, 1, 8, "german-dub,german-sub")  # finished download in Sub
        session.flush()
        upgrades = find_upgrades(session, AppSettings())
        assert [(u.key, u.current, u.target) for u in upgrades] == [
            ((1, 1), SUB, DUB), ((1, 3), Language.ENGLISH_DUB, DUB), ((1, 8), SUB, DUB)]
        assert upgrades[0].held[0].path.endswith("S01E01 [German Sub].mkv")


def test_series_preferences_and_busy_items_hold_upgrades_back(
        sessions: sessionmaker[Session], world: int) -> None:  # noqa: F811
    with sessions() as session:
        _offer_dub(session, world, 1, 8)
        series = session.get(Series, world)
        add_item(session, series, 1, 1, ItemStatus.PENDING, language=DUB)  # already coming
        series.upgrade_until = "keep"
        session.flush()
        assert find_upgrades(session, AppSettings()) == []
        series.upgrade_until = None
        series.language_order = "german-sub,german-dub"  # Sub ranks first for this series
        session.flush()
        # Only the English Dub file, outside this series' order, is still worth replacing.
        assert [u.key for u in find_upgrades(session, AppSettings(), [world])] == [(1, 3)]
        series.language_order = ""
        session.flush()
        assert [u.key for u in find_upgrades(session, AppSettings(), [world])] == [(1, 3), (1, 8)]
        assert find_upgrades(session, AppSettings(), [world + 1]) == []




def _upgrade_items(session: Session, series_id: int) -> list[tuple[object, ...]]:
    rows = session.execute(select(DownloadItem.season, DownloadItem.episode,
                                  DownloadItem.upgrade_from, DownloadItem.language,
                                  DownloadItem.force, DownloadItem.priority)
                           .where(DownloadItem.series_id == series_id,
                                  DownloadItem.upgrade_from.is_not(None))
                           .order_by(DownloadItem.season, DownloadItem.episode))
    return [tuple(row) for row in rows]


def test_each_upgrade_is_queued_once_and_names_what_it_replaces(
        sessions: sessionmaker[Session], world: int) -> None:  # noqa: F811
    with sessions() as session:
        _offer_dub(session, world, 1, 8)
        series = session.get(Series, world)
        add_item(session, series, 1, 3, ItemStatus.FAILED, language=Language.ENGLISH_SUB)
        items = queue_upgrades(session, AppSettings(), [world])
        session.commit()
        # (1, 3) waits for the user: its failed item is theirs to retry or remove.
        assert _upgrade_items(session, world) == [
            (1, 1, SUB, DUB, True, Priority.LOW), (1, 8, SUB, DUB, True, Priority.LOW)]
        assert items[0].language_label == "Upgrade: German Sub → German Dub"
        assert items[0].replaced_paths == ["Testserie/Testserie - S01E01 [German Sub].mkv"]
        assert sorted(items[1].replaced_paths)[0].startswith("/")  # the finished download
        assert queue_upgrades(session, AppSettings(), [world]) == []  # never two
        assert queue_series_upgrades(session, series, AppSettings()) == 0  # not monitored


def test_refresh_of_a_monitored_series_queues_a_published_dub(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite,
        library: Path) -> None:
    blau = add_from_site(sessions, client, "blauer-drache", monitored=False)
    store_new(sessions, library, "Blauer Drache/Blauer Drache - S01E01 [German Sub].mp4")
    fakesite.publish("blauer-drache", 1, 1, [GERMAN_DUB])

    def refresh() -> int:
        snapshot = catalog.fetch_series(client, "blauer-drache", fresh=True)
        with sessions() as session:
            queued = apply_refresh(session, blau, snapshot, AppSettings())[1]
            session.commit()
            return queued

    assert refresh() == 0  # not monitored
    with sessions() as session:
        series = session.get(Series, blau)
        # Only the upgrade: the series' other gaps are not this test's business.
        series.monitored, series.monitor_scope = True, "new"
        session.commit()
    assert refresh() == 1
    assert refresh() == 0
    with sessions() as session:
        assert _upgrade_items(session, blau) == [(1, 1, SUB, DUB, True, Priority.LOW)]


def test_swap_record_shows_the_new_file_at_once(sessions: sessionmaker[Session],
                                                 world: int, library: Path) -> None:  # noqa: F811
    season = library / "Testserie" / "Season 01"
    old = season / "Testserie - S01E08 - Folge 8 [German Sub].mp4"
    new = season / "Testserie - S01E08 - Folge 8 [German Dub].mp4"
    with sessions() as session:
        _offer(session, world, 1, 8, "german-dub,german-sub")
        [item_id] = [i.id for i in queue_upgrades(session, AppSettings(), [world])
                     if i.episode == 8]
        claim = claim_item(session, item_id)
        session.commit()
    new.write_bytes(b"dub")  # what the swap did on disk
    old.unlink()
    with sessions() as session:
        assert execution.complete(session, item_id, claim.lease, str(new))
        record_swap(session, item_id, library, new, [old], 3)
        session.commit()
        held = held_episodes(session, [world])[world][(1, 8)]
        assert [(h.language, Path(h.path).name) for h in held] == [
            (DUB, new.name), (DUB, new.name)]  # the scan row and the finished upgrade
        assert (1, 8) not in {u.key for u in find_upgrades(session, AppSettings(), [world])}
        replaced = session.scalars(select(DownloadItem).where(
            DownloadItem.episode == 8, DownloadItem.upgrade_from.is_(None))).one()
        assert replaced.file_path is None and "holding folder" in replaced.note
