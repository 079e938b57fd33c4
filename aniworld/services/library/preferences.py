"""A series' own preferences: its language order, how far to upgrade, what monitoring takes.

Every field has a global default in :class:`AppSettings`; a series stores only what the
user changed. Missing-episode reports, language upgrades and monitoring all read the
effective values through this module, so they never disagree about them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.models.base import utcnow
from aniworld.phrases import Phrase, about, phrase_of
from aniworld.services.settings import AppSettings

logger = logging.getLogger(__name__)

KEEP = "keep"
# The fields apply_preferences reads.
PREFERENCE_FIELDS = ("language_order", "upgrade_until", "monitor_scope", "monitor_films")


class MonitorScope(StrEnum):
    """What monitoring queues for a series."""

    ALL = "all"  # every missing episode, old ones included
    NEW = "new"  # only episodes first seen after monitoring was switched to "new"


@dataclass(frozen=True)
class SeriesPreferences:
    """The effective preferences of one series (its own over the global settings)."""

    language_order: tuple[Language, ...]
    own_order: bool
    # The language upgrades stop at (None: never upgrade, "keep what I have").
    upgrade_until: Language | None
    monitor_scope: MonitorScope
    monitor_films: bool


def preferences(series: Series, settings: AppSettings) -> SeriesPreferences:
    """Return the effective preferences of ``series``; a damaged stored value is ignored."""
    own = _stored_order(series)
    order = own or tuple(settings.language_order)
    return SeriesPreferences(
        language_order=order, own_order=bool(own),
        upgrade_until=_upgrade_until(series.upgrade_until, order),
        monitor_scope=MonitorScope(series.monitor_scope)
        if series.monitor_scope in set(MonitorScope) else MonitorScope.ALL,
        monitor_films=bool(series.monitor_films),
    )


def upgrade_language(on_disk: Language | None, offered: Iterable[Language],
                     order: Sequence[Language], until: Language | None) -> Language | None:
    """The language to replace a file in ``on_disk`` with, or None when it is good enough.

    A file without a language tag counts as every language (the user's own file: never
    replaced). A file already in ``until`` or better stays; otherwise the best offered
    language ranked above the file's is the upgrade. Languages outside ``order`` are never
    chosen, and a file in such a language is upgraded to the best offered one of the order.
    """
    if on_disk is None or until is None:
        return None
    rank = {language: index for index, language in enumerate(order)}
    current = rank.get(on_disk, len(order))
    if until in rank and current <= rank[until]:
        return None
    better = sorted(rank[language] for language in set(offered) if language in rank
                     and rank[language] < current)
    return order[better[0]] if better else None


def apply_preferences(series: Series, data: dict[str, Any]) -> list[str]:
    """Validate and store the preference fields present in ``data``; return their names.

    Fields: ``language_order`` (list of language ids, empty = the global order),
    ``upgrade_until`` (a language id, ``"keep"``, or null = the first of the order),
    ``monitor_scope`` (``"all"`` or ``"new"``) and ``monitor_films`` (true/false).
    Raises ValidationError naming the field. No commit.
    """
    changed = []
    if "language_order" in data:
        series.language_order = ",".join(language.value
                                         for language in _order(data["language_order"]))
        changed.append("language_order")
    if "upgrade_until" in data:
        series.upgrade_until = _check_upgrade_until(data["upgrade_until"])
        changed.append("upgrade_until")
    if "monitor_scope" in data:
        scope = data["monitor_scope"]
        if not isinstance(scope, str) or scope not in set(MonitorScope):
            raise ValidationError(about("monitor_scope", Phrase("must be all or new")),
                                  "monitor_scope")
        if scope == MonitorScope.NEW and series.monitor_scope != MonitorScope.NEW:
            # "From now on": episodes the site lists today are not new.
            series.monitor_since = utcnow()
        series.monitor_scope = scope
        changed.append("monitor_scope")
    if "monitor_films" in data:
        if not isinstance(data["monitor_films"], bool):
            raise ValidationError(about("monitor_films", Phrase("must be true or false")),
                                  "monitor_films")
        series.monitor_films = data["monitor_films"]
        changed.append("monitor_films")
    if changed:
        logger.info("series preferences changed series_id=%s fields=%s", series.id,
                    ",".join(changed))
    return changed


def preferences_to_dict(prefs: SeriesPreferences) -> dict[str, Any]:
    """The effective preferences as the API shows them."""
    return {
        "language_order": [language.value for language in prefs.language_order],
        "own_language_order": prefs.own_order,
        "upgrade_until": prefs.upgrade_until.value if prefs.upgrade_until else KEEP,
        "monitor_scope": prefs.monitor_scope.value,
        "monitor_films": prefs.monitor_films,
    }


def _stored_order(series: Series) -> tuple[Language, ...]:
    try:
        return tuple(Language.parse(value) for value in (series.language_order or "").split(",")
                     if value)
    except ValueError:
        logger.warning("series language order unreadable series_id=%s value=%r", series.id,
                       series.language_order)
        return ()


def _upgrade_until(value: str | None, order: Sequence[Language]) -> Language | None:
    if value == KEEP:
        return None
    if value:
        try:
            return Language.parse(value)
        except ValueError:
            logger.warning("series upgrade target unreadable value=%r", value)
    return order[0] if order else None


def _order(value: Any) -> tuple[Language, ...]:
    if not isinstance(value, list):
        raise ValidationError(about("language_order", Phrase(
            "must be a list of language ids (empty = the global order)")), "language_order")
    try:
        order = tuple(Language.parse(item) for item in value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(about("language_order", phrase_of(exc), colon=True),
                              "language_order") from None
    if len(set(order)) != len(order):
        raise ValidationError(about("language_order", Phrase("must list each language once")),
                              "language_order")
    return order


def _check_upgrade_until(value: Any) -> str | None:
    if value is None or value == KEEP:
        return value
    try:
        return Language.parse(value).value
    except (TypeError, ValueError):
        valid = ", ".join(language.value for language in Language)
        raise ValidationError(about("upgrade_until", Phrase(
            "must be keep, null or one of: %(valid)s", valid=valid)), "upgrade_until") from None
