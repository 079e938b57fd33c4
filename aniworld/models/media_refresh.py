"""What the media server has not heard about yet, and when it last heard about each series.

A finished download adds a :class:`MediaRefreshPath` row; the scheduler sends a series' rows
in one request and deletes them. Rows in the database survive a crash or restart, so a
refresh is delayed by an outage but never lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from aniworld.models.base import Base, utcnow


class MediaRefreshPath(Base):
    """A new file (our absolute path) of a series, waiting to be announced."""

    __tablename__ = "media_refresh_path"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"),
                                           index=True)
    path: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<MediaRefreshPath series={self.series_id} {self.path!r}>"


class MediaRefreshSeries(Base):
    """The last refresh sent for a series, and its back-off after failed ones."""

    __tablename__ = "media_refresh_series"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"),
                                           primary_key=True)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)

    def __repr__(self) -> str:
        return f"<MediaRefreshSeries series={self.series_id} failures={self.failures}>"
