"""Where partial downloads live: ``<library>/.aniworld/partial/<item>/<hoster>-<language>``.

Inside the library so the final rename is atomic (same filesystem), in a hidden folder so
media servers and the library scan never see half a file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

PARTIAL_ROOT = Path(".aniworld") / "partial"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def item_dir(library: Path, item_id: int) -> Path:
    """Folder holding every partial attempt of one item."""
    return library / PARTIAL_ROOT / str(item_id)


def work_dir(library: Path, item_id: int, hoster: str, language: str) -> Path:
    """Folder of one hoster/language attempt; resuming needs the same hoster and language."""
    name = _UNSAFE.sub("_", f"{hoster}-{language}".lower())
    return item_dir(library, item_id) / name


def has_partial(path: Path) -> bool:
    """Return whether an attempt left data to resume from."""
    return path.is_dir() and any(path.iterdir())


def discard_item(library: Path, item_id: int) -> None:
    """Delete every partial attempt of an item."""
    shutil.rmtree(item_dir(library, item_id), ignore_errors=True)


def partial_item_ids(library: Path) -> list[int]:
    """Ids of the items that have partial data on disk."""
    root = library / PARTIAL_ROOT
    if not root.is_dir():
        return []
    return [int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()]
