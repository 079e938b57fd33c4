"""The language an episode is queued in: the user's language order against the catalog.

Without an explicit language an episode takes, at queue time, the first language of the
user's order that the stored catalog says the site offers it in. An explicit language is
strict: refused when the episode is not offered in it, unless the item may fall back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import Episode, Series
from aniworld.models.download_item import episode_code
from aniworld.models.episode import languages_from
from aniworld.phrases import Phrase, joined
from aniworld.services.library.preferences import preferences
from aniworld.services.queue._common import EpisodeKey
from aniworld.services.settings import load_settings


@dataclass(frozen=True)
class Offers:
    """The languages the stored catalog lists for each episode of one series."""

    series: Series
    languages: Mapping[EpisodeKey, frozenset[Language]]

    @property
    def informed(self) -> bool:
        """Whether the catalog holds a language for any episode of the series."""
        return any(self.languages.values())

    def offered(self, key: EpisodeKey) -> frozenset[Language]:
        """The languages ``key`` is offered in (empty when unknown or not yet released)."""
        return self.languages.get(key, frozenset())

    def best(self, key: EpisodeKey, order: Sequence[Language]) -> Language | None:
        """The first language of ``order`` that ``key`` is offered in, or None."""
        if not self.informed:
            # Nothing is known about the series' languages (never read from the site, or
            # read from pages without flags): refusing would block the whole series, so the
            # user's first choice is taken and the download job says if no hoster has it.
            return order[0]
        return next((language for language in order if language in self.offered(key)), None)

    def allows(self, key: EpisodeKey, language: Language) -> bool:
        """Whether ``key`` may be queued strictly in ``language`` (yes when nothing is known)."""
        return not self.informed or language in self.offered(key)


@dataclass(frozen=True)
class LanguagePlan:
    """The language each requested episode goes into the queue in, and the ones refused."""

    chosen: dict[EpisodeKey, Language] = field(default_factory=dict)
    # Refused episodes with the languages they are offered in, for the message.
    not_offered: dict[EpisodeKey, frozenset[Language]] = field(default_factory=dict)


def catalog_offers(session: Session, series: Series) -> Offers:
    """The stored catalog's languages per episode of ``series`` (one SELECT)."""
    rows = session.execute(select(Episode.season, Episode.number, Episode.languages)
                           .where(Episode.series_id == series.id))
    return Offers(series, {(season, number): languages_from(stored)
                           for season, number, stored in rows})


def plan_languages(session: Session, offers: Offers, keys: Iterable[EpisodeKey],
                   language: Language | None = None, *, fallback: bool = False) -> LanguagePlan:
    """Pick the language of every episode in ``keys``: ``language``, or the best offered.

    Without ``language`` the series' own language order decides (the global one unless the
    series has its own; the setting is read only then). An explicit language
    the episode is not offered in is refused unless ``fallback`` lets the download use
    another one; without one, an episode offered in none of the user's languages is refused.
    """
    order = (preferences(offers.series, load_settings(session)).language_order
             if language is None else ())
    plan = LanguagePlan()
    for key in keys:
        if language is None:
            chosen = offers.best(key, order)
        else:
            chosen = language if fallback or offers.allows(key, language) else None
        if chosen is None:
            plan.not_offered[key] = offers.offered(key)
        else:
            plan.chosen[key] = chosen
    return plan


def choose_language(session: Session, series: Series, key: EpisodeKey,
                    language: Language | None = None, *, fallback: bool = False,
                    offers: Offers | None = None) -> Language:
    """The language to queue one episode in (see :func:`plan_languages`).

    Raises ``ValidationError`` naming "language" when the episode is refused.
    """
    offers = offers or catalog_offers(session, series)
    plan = plan_languages(session, offers, [key], language, fallback=fallback)
    if key in plan.not_offered:
        raise ValidationError(refusal(series, key, plan.not_offered[key], language), "language")
    return plan.chosen[key]


def refusal(series: Series, key: EpisodeKey, offered: frozenset[Language],
            language: Language | None) -> Phrase:
    """Why ``key`` cannot be queued in ``language`` (None: in the user's languages)."""
    what = Phrase("%(episode)s of %(series)s", episode=episode_code(*key), series=series.title)
    if not offered:
        wanted = language.phrase if language else Phrase("any language")
        return Phrase("%(what)s is not offered in %(language)s yet; refresh the series once "
                      "it is released", what=what, language=wanted)
    labels = _labels(choice for choice in Language if choice in offered)
    if language is None:
        return Phrase("%(what)s is offered only in %(labels)s, none of them in your language "
                      "order; choose one of them or add it to the language order in Settings",
                      what=what, labels=labels)
    return Phrase("%(what)s is not offered in %(language)s, only in %(labels)s; choose one "
                  "of them or let the best available language be chosen", what=what,
                  language=language.phrase, labels=labels)


def _labels(languages: Iterable[Language]) -> Phrase | str:
    """``German Dub, English Sub`` as one phrase, each label translated."""
    return joined([language.phrase for language in languages], ", ")
