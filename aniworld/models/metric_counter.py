"""Counters for ``/metrics`` that outlive every process and never go down.

One row per (counter name, site, hoster); workers add to ``value`` with a single
``UPDATE … SET value = value + n``, so any number of worker hosts count into the same rows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from aniworld.models.base import Base


class MetricCounter(Base):
    """A monotonic counter, e.g. downloads completed from one hoster of one site."""

    __tablename__ = "metric_counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    site: Mapped[str] = mapped_column(String(32), primary_key=True)
    hoster: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)

    def __repr__(self) -> str:
        return f"<MetricCounter {self.name} {self.site}/{self.hoster}={self.value}>"
