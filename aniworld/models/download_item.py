"""One episode in one language waiting for, undergoing or done with its download."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Dialect,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from aniworld.errors import ConflictError
from aniworld.languages import Language
from aniworld.models.base import Base, TimestampMixin
from aniworld.phrases import Phrase

if TYPE_CHECKING:
    from aniworld.models.series import Series


class Priority(IntEnum):
    """Queue priority; a lower value is downloaded first."""

    HIGH = 0
    NORMAL = 1
    LOW = 2

    @property
    def label(self) -> str:
        """The lower-case name used in the API, e.g. ``high``."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Priority:
        """Return the priority for a label, raising ``ValueError`` listing valid labels."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            valid = ", ".join(member.label for member in cls)
            raise ValueError(Phrase("unknown priority %(value)s; use one of: %(valid)s",
                                    value=repr(value), valid=valid)) from None


class ItemStatus(StrEnum):
    """Life-cycle state of a queue item."""

    PENDING = "pending"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# States that block adding the same episode and language again (see the partial index).
ACTIVE_STATUSES = (ItemStatus.PENDING, ItemStatus.DOWNLOADING, ItemStatus.PAUSED,
                   ItemStatus.FAILED)
# States ordered by priority and position in the visible queue.
QUEUED_STATUSES = (ItemStatus.PENDING, ItemStatus.PAUSED)

_ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{status.value}'" for status in ACTIVE_STATUSES))


class _StrEnumValue(TypeDecorator[Any]):
    """Stores a ``StrEnum`` as its value and loads it back as the member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 16) -> None:
        super().__init__(length)
        self.enum = enum
        # A dict lookup is several times cheaper than Enum.__call__ when loading many rows.
        self._members = {member.value: member for member in enum}

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self._members[value]

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any]:
        # One lookup per loaded value instead of the generic two-step TypeDecorator chain.
        return _member_lookup(self._members)


class _IntEnumValue(TypeDecorator[Any]):
    """Stores an ``IntEnum`` as a small integer and loads it back as the member."""

    impl = SmallInteger
    cache_ok = True

    def __init__(self, enum: type[IntEnum]) -> None:
        super().__init__()
        self.enum = enum
        self._members = {int(member): member for member in enum}

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(self.enum(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> IntEnum | None:
        return None if value is None else self._members[value]

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any]:
        return _member_lookup(self._members)


def _member_lookup(members: dict[Any, Any]) -> Callable[[Any], Any]:
    """A result processor mapping stored values to enum members (None stays None)."""
    # A bound dict lookup runs without a Python frame; an unknown stored value still raises.
    return {None: None, **members}.__getitem__


class EpisodeLabels:
    """``code`` and ``language_label`` of a queue item, for the model and its light rows.

    The class using it has ``season``, ``episode``, ``language`` and ``upgrade_from``.
    """

    __slots__ = ()

    @property
    def code(self) -> str:
        """Short episode label, e.g. ``S01E05`` (or ``Film 3`` for season 0)."""
        return episode_code(self.season, self.episode)  # type: ignore[attr-defined]

    @property
    def language_label(self) -> str:
        """``German Dub``, or ``Upgrade: German Sub → German Dub`` for an upgrade."""
        return language_label(self.language, self.upgrade_from)  # type: ignore[attr-defined]


class DownloadItem(EpisodeLabels, TimestampMixin, Base):
    """A queued download; the methods guard the transitions of this one row."""

    __tablename__ = "download_item"
    __table_args__ = (
        Index("ix_download_item_status_priority_position", "status", "priority", "position"),
        # At most one unfinished item per episode and language; completed or cancelled
        # items do not count, so an episode can be downloaded again later.
        Index("uq_download_item_active", "series_id", "season", "episode", "language",
              unique=True, sqlite_where=text(_ACTIVE_SQL), postgresql_where=text(_ACTIVE_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), index=True)
    season: Mapped[int]
    episode: Mapped[int]
    language: Mapped[Language] = mapped_column(_StrEnumValue(Language))
    priority: Mapped[Priority] = mapped_column(
        _IntEnumValue(Priority), default=Priority.NORMAL)
    position: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[ItemStatus] = mapped_column(
        _StrEnumValue(ItemStatus), default=ItemStatus.PENDING)
    progress: Mapped[float] = mapped_column(default=0.0)
    downloaded_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    total_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    speed: Mapped[float | None] = mapped_column(default=None)
    eta_seconds: Mapped[int | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # The same error as a Phrase (JSON), worded in the reader's language by the pages.
    last_error_phrase: Mapped[str | None] = mapped_column(Text, default=None)
    hoster: Mapped[str | None] = mapped_column(String(64), default=None)
    file_path: Mapped[str | None] = mapped_column(Text, default=None)
    job_id: Mapped[str | None] = mapped_column(String(64), default=None)
    language_fallback: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Execution bookkeeping (see services/execution.py): the row is a lease held by at
    # most one job at a time, renewed by heartbeats, so a dead worker's item can be taken over.
    lease: Mapped[str | None] = mapped_column(String(32), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    not_before: Mapped[datetime | None] = mapped_column(default=None)
    force: Mapped[bool] = mapped_column(default=False, server_default=false())
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # A language upgrade (services/library/upgrades.py): the language of the copies it
    # replaces, and their paths (JSON list, relative to the library or absolute) that the
    # worker moves to the holding folder once the new file is verified. NULL: a plain item.
    upgrade_from: Mapped[Language | None] = mapped_column(_StrEnumValue(Language),
                                                          default=None)
    replaces: Mapped[str | None] = mapped_column(Text, default=None)
    # A grab of the Sonarr bridge (services/bridge/grabs.py): the release's info hash (how
    # Sonarr names it; NULL: not, or no longer, a grab Sonarr sees), its category ("" =
    # none), the release title (torrent and file name) and the folder it downloads into
    # instead of the library. A grab keeps its category when its hash is dropped.
    bridge_hash: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    bridge_category: Mapped[str | None] = mapped_column(String(255), default=None)
    bridge_name: Mapped[str | None] = mapped_column(String(255), default=None)
    save_path: Mapped[str | None] = mapped_column(Text, default=None)

    series: Mapped[Series] = relationship(back_populates="items")

    @property
    def replaced_paths(self) -> list[str]:
        """Paths of the copies an upgrade replaces (empty for a plain item)."""
        return replaced_paths(self.replaces)

    def mark_paused(self) -> None:
        """Hold the item; raises ``ConflictError`` unless pending or downloading."""
        self._require(ItemStatus.PAUSED, ItemStatus.PENDING, ItemStatus.DOWNLOADING)
        self.status = ItemStatus.PAUSED
        self._clear_rates()

    def mark_resumed(self) -> None:
        """Put a paused item back to pending; raises ``ConflictError`` unless paused."""
        self._require(ItemStatus.PENDING, ItemStatus.PAUSED)
        self.status = ItemStatus.PENDING

    def mark_cancelled(self) -> None:
        """Cancel the item; raises ``ConflictError`` once it is completed, failed or cancelled."""
        self._require(ItemStatus.CANCELLED, ItemStatus.PENDING, ItemStatus.DOWNLOADING,
                      ItemStatus.PAUSED)
        self.status = ItemStatus.CANCELLED
        self._clear_rates()

    def reset_for_retry(self) -> None:
        """Make a failed or cancelled item pending again with a clean slate."""
        self._require(ItemStatus.PENDING, ItemStatus.FAILED, ItemStatus.CANCELLED)
        self.status = ItemStatus.PENDING
        self.last_error = self.last_error_phrase = None
        self.attempts = 0
        self.progress = 0.0
        self.downloaded_bytes = 0
        self.total_bytes = None
        self.started_at = None
        self.completed_at = None
        self.job_id = None
        self.lease = None
        self.not_before = None
        self.note = None
        self._clear_rates()

    def _require(self, target: ItemStatus, *sources: ItemStatus) -> None:
        """Raise ``ConflictError`` unless the current status is one of ``sources``."""
        if self.status not in sources:
            raise ConflictError(Phrase(
                "cannot mark queue item %(id)s (%(code)s) %(target)s: it is %(status)s",
                id=self.id, code=self.code, target=target.value, status=self.status.value))

    def _clear_rates(self) -> None:
        self.speed = None
        self.eta_seconds = None

    def __repr__(self) -> str:
        return f"<DownloadItem {self.id} {self.code} {self.language} {self.status}>"


def replaced_paths(stored: str | None) -> list[str]:
    """The ``replaces`` column as a list of paths (a damaged value reads as none)."""
    try:
        paths = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [path for path in paths if isinstance(path, str)] if isinstance(paths, list) else []


def language_label(language: Language, upgrade_from: Language | None) -> str:
    """``German Dub``, or ``Upgrade: German Sub → German Dub`` for an upgrade."""
    if upgrade_from is None:
        return language.label
    return f"Upgrade: {upgrade_from.label} → {language.label}"


def episode_code(season: int, episode: int) -> str:
    """Label an episode like the site does: ``S01E05``, or ``Film 3`` for season 0."""
    return f"Film {episode}" if season == 0 else f"S{season:02d}E{episode:02d}"
