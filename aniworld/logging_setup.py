"""Process-wide logging: one call per process, to stderr and a rotating file in the data dir."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path
from typing import TextIO

LOG_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s pid=%(process)d %(message)s"
_configured = False


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created readable by its owner only (logs name addresses)."""

    def _open(self) -> TextIO:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.fstat(fd).st_size == 0:
            os.fchmod(fd, 0o600)  # a new file: whatever the umask
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def configure_logging(data_dir: Path, level: str = "INFO") -> None:
    """Send log records to stderr and ``<data_dir>/logs/aniworld.log``; later calls do nothing."""
    global _configured
    if _configured:
        return
    log_dir = data_dir / "logs"
    if not log_dir.exists():
        log_dir.mkdir(parents=True)
        log_dir.chmod(0o700)
    formatter = logging.Formatter(LOG_FORMAT)
    file_handler = PrivateRotatingFileHandler(
        log_dir / "aniworld.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    stream_handler = logging.StreamHandler()
    root = logging.getLogger()
    for handler in (file_handler, stream_handler):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    _configured = True
