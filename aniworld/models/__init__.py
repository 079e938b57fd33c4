"""SQLAlchemy models (plain SQLAlchemy 2.0; no Flask import)."""

from aniworld.models.api_key import ApiKey
from aniworld.models.base import Base, utcnow
from aniworld.models.download_item import DownloadItem, ItemStatus, Priority
from aniworld.models.episode import Episode
from aniworld.models.hoster_health import HosterHealth
from aniworld.models.library import FolderState, LibraryFile, LibraryFolder
from aniworld.models.media_refresh import MediaRefreshPath, MediaRefreshSeries
from aniworld.models.metric_counter import MetricCounter
from aniworld.models.series import Series
from aniworld.models.setting import Setting

__all__ = [
    "ApiKey", "Base", "DownloadItem", "Episode", "FolderState", "HosterHealth", "ItemStatus",
    "LibraryFile", "LibraryFolder", "MediaRefreshPath", "MediaRefreshSeries", "MetricCounter",
    "Priority", "Series", "Setting", "utcnow",
]
