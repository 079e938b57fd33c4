"""Which held episodes a better language is offered for, by each series' preferences."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import Episode, ItemStatus, Series
from aniworld.services.library.upgrades import find_upgrades, held_episodes
from aniworld.services.settings import AppSettings
from tests.services.library.test_overview import add_item, world  # noqa: F401 - fixture

DUB, SUB = Language.GERMAN_DUB, Language.GERMAN_SUB


def _offer(session: Session, series_id: int, season: int, number: int, languages: str) -> None:
    episode = session.query(Episode).filter_by(series_id=series_id, season=season,
                                               number=number).one()
    episode.languages = languages


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
        _offer(session, world, 1, 1, "german-dub,german-sub")
        _offer(session, world, 1, 8, "german-dub,german-sub")
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


