"""The one module that knows RQ queue names (and, with the download pipeline, job ids)."""

from __future__ import annotations

DOWNLOAD_QUEUE = "downloads"
DEFAULT_QUEUE = "default"
QUEUE_NAMES = (DOWNLOAD_QUEUE, DEFAULT_QUEUE)
