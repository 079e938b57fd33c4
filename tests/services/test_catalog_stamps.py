"""Storing a series snapshot: when an episode was first seen and when it gained a language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import Episode, utcnow
from aniworld.services.catalog import (
    SeasonsSnapshot,
    SeriesSnapshot,
    store_seasons,
    store_snapshot,
)
from aniworld.site.types import EpisodeInfo, SeriesInfo

DUB, SUB = Language.GERMAN_DUB, Language.GERMAN_SUB


def _snapshot(*episodes: tuple[int, int, frozenset[Language]]) -> SeriesSnapshot:
    info = SeriesInfo("drache", "Drache", [], "", [], 2020, None, None, "/anime/stream/drache",
                      sorted({season for season, _, _ in episodes}))
    return SeriesSnapshot(info, [EpisodeInfo(season, number, f"Folge {number}", "", languages,
                                             f"/e/{season}/{number}")
                                 for season, number, languages in episodes])


def _stamps(session: Session) -> dict[tuple[int, int], tuple[object, object]]:
    session.expire_all()
    rows = session.execute(select(Episode.season, Episode.number, Episode.first_seen_at,
                                  Episode.languages_changed_at))
    return {(season, number): (seen, changed) for season, number, seen, changed in rows}


def test_first_store_is_the_baseline_then_new_episodes_and_languages_are_stamped(
        session: Session) -> None:
    store_snapshot(session, _snapshot((1, 1, frozenset({SUB})), (1, 2, frozenset({SUB}))))
    session.commit()
    assert set(_stamps(session).values()) == {(None, None)}

    before = utcnow()
    store_snapshot(session, _snapshot((1, 1, frozenset({SUB, DUB})), (1, 2, frozenset({SUB})),
                                      (1, 3, frozenset({SUB})), (0, 1, frozenset())))
    session.commit()
    stamps = _stamps(session)
    assert stamps[(1, 2)] == (None, None)  # unchanged
    seen, changed = stamps[(1, 1)]
    assert seen is None and before <= changed <= utcnow()  # German Dub arrived
    for new in ((1, 3), (0, 1)):
        seen, changed = stamps[new]
        assert before <= seen <= utcnow() + timedelta(seconds=1) and changed is None

    # Losing a language, or the same languages again, is no news.
    stamp = stamps[(1, 1)][1]
    store_snapshot(session, _snapshot((1, 1, frozenset({DUB})), (1, 2, frozenset({SUB})),
                                      (1, 3, frozenset({SUB})), (0, 1, frozenset())))
    session.commit()
    assert _stamps(session)[(1, 1)] == (None, stamp)
    assert _stamps(session)[(1, 3)] == stamps[(1, 3)]


def test_seasons_read_on_the_feed_s_word_stamp_what_is_new(session: Session) -> None:
    series = store_snapshot(session, _snapshot((1, 1, frozenset({SUB}))))
    session.commit()
    named = _snapshot((1, 1, frozenset({SUB, DUB})), (2, 1, frozenset({SUB})))
    store_seasons(session, series, SeasonsSnapshot(series.key, frozenset({1, 2}),
                                                   named.episodes))
    session.commit()
    stamps = _stamps(session)
    assert stamps[(1, 1)][0] is None and stamps[(1, 1)][1] is not None  # gained the dub
    assert stamps[(2, 1)][0] is not None  # a new season's first episode
    assert series.listed_seasons == [1, 2]


def test_an_announced_episode_counts_as_seen_when_it_comes_out(session: Session) -> None:
    store_snapshot(session, _snapshot((1, 1, frozenset({SUB})), (1, 2, frozenset())))
    session.commit()
    assert _stamps(session)[(1, 2)] == (None, None)  # listed, not out
    before = utcnow()
    store_snapshot(session, _snapshot((1, 1, frozenset({SUB})), (1, 2, frozenset({SUB}))))
    session.commit()
    seen, changed = _stamps(session)[(1, 2)]
    assert seen is not None and seen >= before and changed == seen
