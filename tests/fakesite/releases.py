"""Releasing an episode at run time, as the real site does every week (monitoring tests).

The new episode gets fresh link ids (and a fresh episode id unless it was listed as
upcoming), so its season page, its episode page, its ``/redirect/<id>`` links and the
hosters behind them work like every other episode's.
:func:`publish_languages` offers an existing episode in another language (the German dub
that follows the sub weeks later): fresh link ids, the same episode id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tests.fakesite.catalog import Catalog, Episode, Season, Series
from tests.fakesite.content import Langs, new_episode
from tests.fakesite.languages import FLAGS

DEFAULT_HOSTERS = ("VOE", "Vidmoly")
Languages = Sequence[str] | Mapping[str, Sequence[str]]


class ReleaseError(ValueError):
    """The release names a series, season or language the catalogue does not know."""


def release_episode(
    catalog: Catalog,
    slug: str,
    season: int,
    titles: Sequence[str] = (),
    languages: Languages | None = None,
    site: str = "aniworld",
) -> Episode:
    """Publish the next episode of ``season`` (0 = films; a new number opens a new season).

    That is the season's first upcoming episode (listed without links: it keeps its number,
    id and titles), else a new one appended. ``languages`` lists languages (each on the
    hosters it has elsewhere in the series, else VOE and Vidmoly) or maps language to
    hosters; by default the episode is offered like the last one out in its season.
    ``titles`` is (German, English); made up when empty.
    """
    if isinstance(season, bool) or not isinstance(season, int) or season < 0:
        raise ReleaseError(f"season must be a whole number from 0, not {season!r}")
    with catalog.lock:
        series = catalog.series(slug, site)
        if series is None:
            raise ReleaseError(f"no series {slug!r} on {site}; use a slug of the catalogue")
        current = series.season(season)
        episodes = current.episodes if current else ()
        upcoming = next((e for e in episodes if not e.links), None)
        episode_id, link_id = catalog.next_ids()
        if upcoming is not None:
            number, episode_id = upcoming.number, upcoming.episode_id
            made_up = (upcoming.title_de, upcoming.title_en)
        else:
            number = max((e.number for e in episodes), default=0) + 1
            made_up = (f"{series.title} {number}", f"Episode {number}")
        langs = _langs(series, [e for e in episodes if e.links], languages)
        de, en = (list(titles) + ["", ""])[:2] if titles else made_up
        episode = new_episode(episode_id, link_id, season, number, (de, en), langs)
        catalog.put_series(_with_episode(series, episode), episode)
    return episode


def publish_languages(
    catalog: Catalog,
    slug: str,
    season: int,
    number: int,
    languages: Languages,
    site: str = "aniworld",
) -> Episode:
    """Add ``languages`` to an episode that exists; return the episode as it is now.

    The feeds list the release with the new languages only, as the site lists one row per
    episode and language, newest first. Raises ReleaseError for an unknown episode or a
    language the episode already has.
    """
    with catalog.lock:
        series = catalog.series(slug, site)
        episode = series.episode(season, number) if series else None
        if series is None or episode is None:
            raise ReleaseError(f"no episode {season}x{number} of {slug!r} on {site}")
        langs = _langs(series, [episode], languages)
        known = sorted(set(langs) & set(episode.languages))
        if known:
            raise ReleaseError(f"the episode is already offered in {', '.join(known)}")
        _, first_link = catalog.next_ids()
        extra = new_episode(episode.episode_id, first_link, season, number,
                            (episode.title_de, episode.title_en), langs).links
        published = replace(episode, links=(*episode.links, *extra))
        catalog.put_series(_with_episode(series, published), replace(episode, links=extra))
    return published


def _langs(series: Series, out: Sequence[Episode], languages: Languages | None) -> Langs:
    if languages is None:
        template = out[-1] if out else [e for e in series.all_episodes() if e.links][-1]
        return {lang: tuple(link.hoster for link in template.links_for(lang))
                for lang in template.languages}
    if isinstance(languages, str):
        raise ReleaseError("languages must be a list or an object, not a string")
    if isinstance(languages, Mapping):
        langs = {lang: tuple(hosters) for lang, hosters in languages.items()}
    else:
        langs = {lang: _hosters_of(series, lang) for lang in languages}
    unknown = sorted(set(langs) - set(FLAGS))
    if unknown:
        raise ReleaseError(f"unknown language(s) {', '.join(unknown)}; use {', '.join(FLAGS)}")
    return langs


def _hosters_of(series: Series, language: str) -> tuple[str, ...]:
    """Hosters the series offers ``language`` on, in first-seen order."""
    found = [link.hoster for e in series.all_episodes() for link in e.links_for(language)]
    return tuple(dict.fromkeys(found)) or DEFAULT_HOSTERS


def _with_episode(series: Series, episode: Episode) -> Series:
    """``series`` with ``episode`` in place of the one of its number, or appended."""
    if episode.is_film:
        return replace(series, films=_put(series.films, episode))
    seasons = {s.number: s for s in series.seasons}
    old = seasons.get(episode.season)
    seasons[episode.season] = Season(episode.season, _put(old.episodes if old else (), episode))
    return replace(series, seasons=tuple(seasons[n] for n in sorted(seasons)))


def _put(episodes: Sequence[Episode], episode: Episode) -> tuple[Episode, ...]:
    kept = [e for e in episodes if e.number != episode.number]
    return tuple(sorted((*kept, episode), key=lambda e: e.number))
