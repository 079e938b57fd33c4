"""A series (anime) from the site, with its episodes and its queue items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aniworld.models.base import Base, TimestampMixin
from aniworld.sites import public_series_key

if TYPE_CHECKING:
    from aniworld.models.download_item import DownloadItem
    from aniworld.models.episode import Episode

SEASON_LIST_LENGTH = 500


class Series(TimestampMixin, Base):
    """One series of a site, identified there by its slug ``key``."""

    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("site", "key", name="uq_series_site_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32), default="aniworld")
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    alternative_titles: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(default=None)
    end_year: Mapped[int | None] = mapped_column(default=None)
    cover: Mapped[str | None] = mapped_column(Text, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    genres: Mapped[str] = mapped_column(Text, default="")
    folder: Mapped[str | None] = mapped_column(String(255), default=None)
    monitored: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Per-series preferences (aniworld.services.library.preferences reads them):
    # comma-separated language order ("" = the global order), the language to upgrade to
    # (None = the first of the order, "keep" = never), what monitoring queues ("all" missing
    # or only episodes "new" since it was switched on, then ``monitor_since``) and whether
    # films/specials (season 0) count.
    language_order: Mapped[str] = mapped_column(String(100), default="", server_default="")
    upgrade_until: Mapped[str | None] = mapped_column(String(16), default=None)
    monitor_scope: Mapped[str] = mapped_column(String(8), default="all", server_default="all")
    monitor_films: Mapped[bool] = mapped_column(default=True, server_default=true())
    monitor_since: Mapped[datetime | None] = mapped_column(default=None)
    # When monitoring last failed to read the series in full (removed or renamed on the
    # site): it goes to the back of the due line instead of blocking the others' full reads.
    full_read_failed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Seasons the site lists, "1,2,3" (0 = films); one without episodes yet is announced.
    season_list: Mapped[str] = mapped_column(String(SEASON_LIST_LENGTH), default="",
                                             server_default="")

    # passive_deletes: the database's ON DELETE CASCADE removes children, so deleting a
    # series with thousands of episodes does not load them all first.
    episodes: Mapped[list[Episode]] = relationship(
        back_populates="series", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(Episode.season, Episode.number)",
    )
    items: Mapped[list[DownloadItem]] = relationship(
        back_populates="series", cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def public_key(self) -> str:
        """The key the API and the pages use: the bare slug on aniworld, ``sto:<slug>`` else."""
        return public_series_key(self.site, self.key)

    @property
    def listed_seasons(self) -> list[int]:
        """The seasons the site listed at the last refresh (0 = films), ascending."""
        return sorted({int(part) for part in self.season_list.split(",") if part.isdecimal()})

    @listed_seasons.setter
    def listed_seasons(self, seasons: Iterable[int]) -> None:
        """Store ``seasons``; the lowest ones that fit the column if a page lists absurdly many."""
        text = ""
        for number in sorted(set(seasons)):
            part = f"{text},{number}" if text else str(number)
            if len(part) > SEASON_LIST_LENGTH:
                break
            text = part
        self.season_list = text

    @property
    def genre_list(self) -> list[str]:
        """Genres as a list, without blanks."""
        return [genre.strip() for genre in self.genres.split(",") if genre.strip()]

    def __repr__(self) -> str:
        return f"<Series {self.id} {self.site}/{self.key}>"
