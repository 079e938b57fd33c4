"""Process-wide logging: one call per process, to stderr and a rotating file in the data dir."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s pid=%(process)d %(message)s"
_configured = False


def configure_logging(data_dir: Path, level: str = "INFO") -> None:
    """Send log records to stderr and ``<data_dir>/logs/aniworld.log``; later calls do nothing."""
    global _configured
    if _configured:
        return
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter(LOG_FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        log_dir / "aniworld.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    stream_handler = logging.StreamHandler()
    root = logging.getLogger()
    for handler in (file_handler, stream_handler):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    _configured = True
