"""How each hoster of a site has been doing: counters, a recent window and the breaker.

One bounded row per (site, hoster): the last ``WINDOW`` outcomes and speeds live in short
text columns, so the table never grows with the number of downloads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aniworld.models.base import Base, utcnow

WINDOW = 20


class HosterHealth(Base):
    """Outcomes of one hoster on one site; ``open_until`` is the breaker's cool-down end."""

    __tablename__ = "hoster_health"

    site: Mapped[str] = mapped_column(String(32), primary_key=True)
    hoster: Mapped[str] = mapped_column(String(64), primary_key=True)
    successes: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    # The last WINDOW outcomes, oldest first: "1" success, "0" failure.
    recent: Mapped[str] = mapped_column(String(WINDOW), default="")
    # Bytes per second of the last WINDOW successful transfers, comma-separated.
    speeds: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # The same error as a Phrase (JSON), worded in the reader's language by the pages.
    last_error_phrase: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    last_failure_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    open_until: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<HosterHealth {self.site}/{self.hoster} recent={self.recent!r}>"
