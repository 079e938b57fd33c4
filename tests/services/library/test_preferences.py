"""A series' own preferences over the global settings: order, upgrade target, monitoring."""

from __future__ import annotations

import pytest

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.services.library.preferences import (
    MonitorScope,
    apply_preferences,
    preferences,
    preferences_to_dict,
    upgrade_language,
)
from aniworld.services.settings import AppSettings

DUB, SUB, EN_SUB, EN_DUB = (Language.GERMAN_DUB, Language.GERMAN_SUB, Language.ENGLISH_SUB,
                            Language.ENGLISH_DUB)
ORDER = (DUB, SUB, EN_SUB, EN_DUB)


def _series(**fields: object) -> Series:
    defaults = {"language_order": "", "upgrade_until": None, "monitor_scope": "all",
                "monitor_films": True}
    return Series(site="aniworld", key="x", title="X", **{**defaults, **fields})


def test_defaults_follow_the_global_settings() -> None:
    prefs = preferences(_series(), AppSettings(language_order=(SUB, DUB, EN_SUB, EN_DUB)))
    assert prefs.language_order == (SUB, DUB, EN_SUB, EN_DUB) and not prefs.own_order
    assert prefs.upgrade_until == SUB  # the first of the order
    assert (prefs.monitor_scope, prefs.monitor_films) == (MonitorScope.ALL, True)


def test_own_order_and_keep() -> None:
    prefs = preferences(_series(language_order="english-sub,german-sub", upgrade_until="keep"),
                        AppSettings())
    assert prefs.language_order == (EN_SUB, SUB) and prefs.own_order
    assert prefs.upgrade_until is None
    assert preferences_to_dict(prefs)["upgrade_until"] == "keep"


def test_damaged_stored_values_fall_back_to_defaults() -> None:
    prefs = preferences(_series(language_order="klingon", upgrade_until="x", monitor_scope="?"),
                        AppSettings())
    assert prefs.language_order == tuple(AppSettings().language_order)
    assert prefs.upgrade_until == ORDER[0] and prefs.monitor_scope == MonitorScope.ALL


@pytest.mark.parametrize(("on_disk", "offered", "until", "expected"), [
    (SUB, {SUB, DUB}, DUB, DUB),          # the dub arrived: upgrade
    (SUB, {SUB}, DUB, None),              # nothing better offered yet
    (DUB, {DUB, SUB}, DUB, None),         # already the target
    (EN_SUB, {SUB, DUB}, SUB, DUB),       # below the target: take the best offered
    (SUB, {SUB, DUB}, SUB, None),         # "upgrade until German Sub": done
    (SUB, {SUB, DUB}, None, None),        # keep what I have
    (None, {DUB}, DUB, None),             # untagged: the user's own file
    (EN_DUB, {EN_SUB}, DUB, EN_SUB),      # anything ranked above the file counts
])
def test_upgrade_language(on_disk: Language | None, offered: set[Language],
                          until: Language | None, expected: Language | None) -> None:
    assert upgrade_language(on_disk, offered, ORDER, until) == expected


def test_language_outside_the_order_is_upgraded_into_it() -> None:
    assert upgrade_language(EN_DUB, {SUB, EN_DUB}, (DUB, SUB), DUB) == SUB


def test_apply_preferences_validates_and_stores() -> None:
    series = _series()
    changed = apply_preferences(series, {"language_order": ["german-sub", "german-dub"],
                                         "upgrade_until": "keep", "monitor_scope": "new",
                                         "monitor_films": False})
    assert changed == ["language_order", "upgrade_until", "monitor_scope", "monitor_films"]
    assert series.language_order == "german-sub,german-dub" and series.upgrade_until == "keep"
    assert series.monitor_scope == "new" and series.monitor_since is not None
    assert series.monitor_films is False


@pytest.mark.parametrize(("data", "field"), [
    ({"language_order": "german-sub"}, "language_order"),
    ({"language_order": ["german-sub", "german-sub"]}, "language_order"),
    ({"language_order": ["x"]}, "language_order"),
    ({"upgrade_until": "best"}, "upgrade_until"),
    ({"monitor_scope": "some"}, "monitor_scope"),
    ({"monitor_scope": ["new"]}, "monitor_scope"),
    ({"monitor_films": "yes"}, "monitor_films"),
])
def test_apply_preferences_refuses_bad_values(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        apply_preferences(_series(), data)
    assert caught.value.field == field
