"""Where an episode's file goes in the library: for the download and for the settings preview.

One rule for both, so the preview on the settings page shows exactly the path a finished
download gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld import naming
from aniworld.languages import Language
from aniworld.models import Episode, Series
from aniworld.services.settings import AppSettings
from aniworld.sites import DEFAULT_SITE


@dataclass(frozen=True)
class EpisodeName:
    """What the naming template needs of one episode."""

    series_title: str
    year: int | None
    series_folder: str | None
    season: int
    episode: int
    episode_title: str
    # Keyword-only, so subclasses (the job's Claim) may add fields without defaults.
    series_site: str = field(default=DEFAULT_SITE, kw_only=True)


SAMPLE = EpisodeName("Frieren: Beyond Journey's End", 2023, None, 1, 1, "The Journey's End")


def episode_path(library: Path, settings: AppSettings, name: EpisodeName,
                 language: Language) -> Path:
    """Final library path of the episode's file in ``language``; raises ValidationError."""
    title = name.episode_title or ("Film" if name.season == 0 else "Episode") + \
        f" {name.episode}"
    return naming.render_path(
        library, settings.naming_template, series=name.series_title, year=name.year,
        season=name.season, episode=name.episode, title=title, language=language.label,
        ext=settings.container, series_folder=name.series_folder, site=name.series_site)


def sample_episode(session: Session) -> EpisodeName:
    """The first episode of the first series in the library, or a built-in sample."""
    row = session.execute(
        select(Series, Episode).join(Episode, Episode.series_id == Series.id)
        .order_by(Series.title, Series.id, Episode.season == 0, Episode.season, Episode.number)
        .limit(1)).first()
    if row is None:
        return SAMPLE
    series, episode = row
    return EpisodeName(series.title, series.year, series.folder, episode.season, episode.number,
                       episode.title_de or episode.title_en, series_site=series.site)


def preview_path(session: Session, library: Path, settings: AppSettings) -> Path:
    """The path the sample episode gets with ``settings``; raises ValidationError."""
    return episode_path(library, settings, sample_episode(session), settings.language_order[0])
