"""Queueing without a language: the best one the episode offers, by the user's order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import Episode, Series
from aniworld.services import queue
from aniworld.services.queue import Offers
from aniworld.services.settings import save_settings
from tests.db_fixtures import count_statements

DUB, SUB = Language.GERMAN_DUB, Language.GERMAN_SUB
ENG_SUB, ENG_DUB = Language.ENGLISH_SUB, Language.ENGLISH_DUB
# (season, number, offered languages); the user wants German Dub, then German Sub.
EPISODES = [
    (1, 1, "german-dub,german-sub"),
    (1, 2, "german-sub,english-sub"),
    (1, 3, "english-dub"),           # none of the user's languages
    (1, 4, ""),                      # listed without languages: announced, not released
    (1, 5, "german-sub"),
]


@pytest.fixture
def series(session: Session, make_series: Callable[..., Series]) -> Series:
    series = make_series(title="Frieren")
    session.add_all(Episode(series=series, season=season, number=number, languages=languages)
                    for season, number, languages in EPISODES)
    save_settings(session, language_order=[DUB, SUB])
    session.flush()
    return series


@pytest.mark.parametrize(("stored", "expected"), [
    ({(1, 1): frozenset({SUB, DUB})}, SUB),
    ({(1, 1): frozenset({DUB, ENG_SUB})}, DUB),
    ({(1, 1): frozenset({ENG_DUB})}, None),
    ({(1, 1): frozenset(), (1, 2): frozenset({SUB})}, None),
    ({(1, 1): frozenset()}, SUB),  # nothing known about the series: the order's first
    ({}, SUB),
])
def test_best_language_follows_the_order(stored: dict[tuple[int, int], frozenset[Language]],
                                         expected: Language | None) -> None:
    offers = Offers(Series(key="x", title="X"), stored)
    assert offers.best((1, 1), (SUB, DUB)) == expected


@pytest.mark.parametrize(("episode", "language"), [(1, DUB), (2, SUB), (5, SUB)])
def test_add_item_without_language_takes_the_best_offered(session: Session, series: Series,
                                                          episode: int,
                                                          language: Language) -> None:
    item = queue.add_item(session, series, 1, episode)
    assert item.language is language and not item.language_fallback


def test_a_series_own_language_order_decides_the_automatic_choice(session: Session,
                                                                  series: Series) -> None:
    series.language_order = "german-sub,german-dub"  # the series' own order beats the global
    item = queue.add_item(session, series, 1, 1)
    assert item.language is SUB


@pytest.mark.parametrize(("episode", "message"), [
    (3, "S01E03 of Frieren is offered only in English Dub, none of them in your language "
        "order; choose one of them or add it to the language order in Settings"),
    (4, "S01E04 of Frieren is not offered in any language yet; refresh the series once it "
        "is released"),
])
def test_add_item_without_language_refuses_what_the_user_cannot_get(
        session: Session, series: Series, episode: int, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        queue.add_item(session, series, 1, episode)
    assert (info.value.field, info.value.message) == ("language", message)
    assert queue.pending_items(session) == []


def test_explicit_language_stays_strict_unless_fallback_is_allowed(session: Session,
                                                                   series: Series) -> None:
    with pytest.raises(ValidationError) as info:
        queue.add_item(session, series, 1, 2, DUB)
    assert info.value.field == "language"
    assert info.value.message.startswith("S01E02 of Frieren is not offered in German Dub, "
                                         "only in German Sub, English Sub; ")
    item = queue.add_item(session, series, 1, 2, DUB, language_fallback=True)
    assert item.language is DUB and item.language_fallback
    assert queue.add_item(session, series, 1, 3, ENG_DUB).language is ENG_DUB


def test_a_series_without_language_information_takes_the_first_choice(
        session: Session, make_series: Callable[..., Series]) -> None:
    bare = make_series(title="Never refreshed")
    save_settings(session, language_order=[SUB, DUB])
    assert queue.add_item(session, bare, 1, 1).language is SUB
    assert queue.add_item(session, bare, 1, 2, ENG_DUB).language is ENG_DUB  # cannot check


def test_add_many_chooses_per_episode_and_lists_the_refused(session: Session,
                                                            series: Series) -> None:
    queue.add_item(session, series, 1, 5, SUB)
    result = queue.add_many(session, series, [(1, n) for n in (5, 4, 3, 2, 1, 2)])
    session.commit()
    assert [(i.code, i.language) for i in result.created] == [("S01E02", SUB), ("S01E01", DUB)]
    assert result.skipped == [(1, 5), (1, 2)]
    assert result.not_offered == {(1, 4): frozenset(), (1, 3): frozenset({ENG_DUB})}
    assert result.languages_chosen == {SUB: 1, DUB: 1}
    positions = [i.position for i in result.created]
    assert positions == sorted(positions)  # request order, across languages


def test_add_many_with_a_language_skips_episodes_not_offered_in_it(session: Session,
                                                                    series: Series) -> None:
    result = queue.add_many(session, series, [(1, n) for n in (1, 2, 3)], SUB)
    assert [i.code for i in result.created] == ["S01E01", "S01E02"]
    assert list(result.not_offered) == [(1, 3)]
    relaxed = queue.add_many(session, series, [(1, 3)], SUB, language_fallback=True)
    assert [(i.code, i.language_fallback) for i in relaxed.created] == [("S01E03", True)]


@pytest.mark.parametrize("size", [5, 500])
def test_choosing_costs_constant_statements(session: Session, engine: Engine,
                                            make_series: Callable[..., Series],
                                            size: int) -> None:
    series = make_series(title="Long")
    session.add_all(Episode(series=series, season=1, number=n,
                            languages="german-sub" if n % 2 else "german-dub")
                    for n in range(1, size + 1))
    session.commit()
    assert series.id  # reload the expired series outside the counted block
    with count_statements(engine) as statements:
        result = queue.add_many(session, series, [(1, n) for n in range(1, size + 1)])
    session.commit()
    assert len(result.created) == size and len(result.languages_chosen) == 2
    # Settings, the catalog, the queue per chosen language, the next position, one INSERT.
    assert [s.split()[0] for s in statements] == ["SELECT"] * 5 + ["INSERT"], statements
