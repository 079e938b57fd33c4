"""Disk checks and durable, atomic placement of finished files."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from pathlib import Path

from aniworld.downloader.errors import InsufficientDiskSpace
from aniworld.phrases import Number, Phrase

logger = logging.getLogger(__name__)


def _existing(path: Path) -> Path:
    """The nearest existing ancestor (the library folder may not exist yet)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def free_bytes(path: Path) -> int:
    """Free bytes on the filesystem that holds (or will hold) ``path``."""
    return shutil.disk_usage(_existing(path)).free


def ensure_space(path: Path, needed: int | None, reserve: int) -> None:
    """Raise InsufficientDiskSpace if writing ``needed`` bytes would cut into ``reserve``."""
    free = free_bytes(path)
    left = free - (needed or 0)
    if left < reserve:
        raise InsufficientDiskSpace(Phrase(
            "not enough disk space for %(name)s: %(free)s free, %(needed)s needed, "
            "%(reserve)s must stay free; free up space or lower the disk reserve setting",
            name=path.name, free=_gib(free), needed=_gib(needed or 0), reserve=_gib(reserve),
        ))


def no_space(name: str) -> InsufficientDiskSpace:
    """The error for ENOSPC while writing ``name``."""
    return InsufficientDiskSpace(Phrase(
        "the disk filled up while writing %(name)s; free up space and retry",
        name=Path(name).name,
    ))


def _gib(nbytes: int) -> Phrase:
    return Phrase("%(size)s GiB", size=Number(nbytes / 1024**3, 2))


def place(source: Path, final_path: Path) -> None:
    """Move a finished file to ``final_path`` atomically and durably."""
    final_path.parent.mkdir(parents=True, exist_ok=True)
    fsync_file(source)
    try:
        os.replace(source, final_path)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # Work dir on another filesystem: copy next to the target first, so the final
        # name still only ever appears complete.
        staging = final_path.with_name(f".{final_path.name}.aniworld-tmp")
        shutil.copyfile(source, staging)
        fsync_file(staging)
        os.replace(staging, final_path)
        source.unlink()
    fsync_dir(final_path.parent)
    logger.info("download placed path=%s", final_path)


def fsync_file(path: Path) -> None:
    """Flush a file's data to the disk."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename or new name in it) to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
