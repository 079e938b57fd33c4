"""An episode of a series as listed on the site, with the languages it is offered in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aniworld.languages import Language
from aniworld.models.base import Base

if TYPE_CHECKING:
    from aniworld.models.series import Series


def languages_from(stored: str) -> frozenset[Language]:
    """The languages in a stored ``languages`` text; raises ``ValueError`` for an unknown id."""
    return frozenset(Language.parse(value) for value in stored.split(",") if value)


class Episode(Base):
    """One episode; season 0 holds the site's "Filme" (movies and specials)."""

    __tablename__ = "episode"
    __table_args__ = (
        UniqueConstraint("series_id", "season", "number", name="uq_episode_series_season_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    season: Mapped[int]
    number: Mapped[int]
    title_de: Mapped[str] = mapped_column(String(500), default="")
    title_en: Mapped[str] = mapped_column(String(500), default="")
    languages: Mapped[str] = mapped_column(String(100), default="")
    # When a refresh first saw the episode (None for those there when the series was added),
    # and when it last gained a language: "what's new" and upgrades read these.
    first_seen_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    languages_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    series: Mapped[Series] = relationship(back_populates="episodes")

    @property
    def language_set(self) -> frozenset[Language]:
        """The languages stored in ``languages``; raises ``ValueError`` for an unknown id."""
        return languages_from(self.languages)

    @language_set.setter
    def language_set(self, languages: Iterable[Language]) -> None:
        # Enum order keeps the stored text stable, so re-saving the same set is not a change.
        chosen = set(languages)
        self.languages = ",".join(language.value for language in Language if language in chosen)

    def __repr__(self) -> str:
        return f"<Episode {self.id} series={self.series_id} S{self.season}E{self.number}>"
