"""Key/value settings persisted in the database (JSON-encoded values)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aniworld.models.base import Base, TimestampMixin


class Setting(TimestampMixin, Base):
    """One persisted setting; ``value`` holds JSON text."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
