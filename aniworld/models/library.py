"""What the last library scan found: one row per series folder and per episode file.

The rows are a cache of the disk, rebuilt by every scan; the series a folder belongs to is
also written into the folder itself (``.aniworld.json``) so it survives a lost database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aniworld.languages import Language
from aniworld.models.base import Base, utcnow
from aniworld.phrases import Phrase, as_phrase

if TYPE_CHECKING:
    from aniworld.models.series import Series


class FolderState(StrEnum):
    """Whether a folder is tied to a series, waits for the user, or is to be left alone."""

    MATCHED = "matched"
    UNMATCHED = "unmatched"
    IGNORED = "ignored"


class LibraryFolder(Base):
    """A top-level folder of the library (one series) as the last scan saw it."""

    __tablename__ = "library_folder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True, default=None)
    state: Mapped[str] = mapped_column(String(16), default=FolderState.UNMATCHED.value)
    title_guess: Mapped[str] = mapped_column(String(500), default="")
    year_guess: Mapped[int | None] = mapped_column(default=None)
    marker_site: Mapped[str | None] = mapped_column(String(32), default=None)
    marker_key: Mapped[str | None] = mapped_column(String(200), default=None)
    # Why the folder is unmatched (English, and its Phrase as JSON for the reader's language),
    # and the search results offered to the user (JSON list).
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_phrase: Mapped[str | None] = mapped_column(Text, default=None)
    candidates: Mapped[str] = mapped_column(Text, default="[]")
    match_tried: Mapped[bool] = mapped_column(default=False)
    # Modification times of the folder and its subfolders (JSON object path -> ns).
    dir_mtimes: Mapped[str] = mapped_column(Text, default="{}")
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)
    file_count: Mapped[int] = mapped_column(default=0)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)

    series: Mapped[Series | None] = relationship()
    files: Mapped[list[LibraryFile]] = relationship(
        back_populates="folder", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def folder_state(self) -> FolderState:
        """``state`` as the enum."""
        return FolderState(self.state)

    def set_reason(self, reason: str | Phrase) -> None:
        """Say why the folder is unmatched ("" when nothing is to say)."""
        if not reason:
            self.reason, self.reason_phrase = "", None
            return
        phrase = as_phrase(reason)
        self.reason, self.reason_phrase = str(phrase), phrase.to_json()

    def __repr__(self) -> str:
        return f"<LibraryFolder {self.id} {self.name!r} {self.state}>"


class LibraryFile(Base):
    """A video file of a library folder that holds a known episode (season 0 = films)."""

    __tablename__ = "library_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int] = mapped_column(
        ForeignKey("library_folder.id", ondelete="CASCADE"), index=True)
    season: Mapped[int]
    episode: Mapped[int]
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    size: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(Text)

    folder: Mapped[LibraryFolder] = relationship(back_populates="files")

    @property
    def language_value(self) -> Language | None:
        """``language`` as the enum (None = the file name carries no language tag)."""
        return Language.parse(self.language) if self.language else None
