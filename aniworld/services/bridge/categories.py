"""The bridge's download categories: where Sonarr's grabs are saved and at which priority.

qBittorrent's categories, as Sonarr uses them: Sonarr creates its category (``tv-sonarr``)
with no save path and sends every grab with it. A category without a save path saves into
``<default save path>/<category>``, like qBittorrent with automatic torrent management; the
default save path is ``<library>/.aniworld/bridge`` unless the settings name another
(inside the library: the same disk as the partial downloads, so the final move is a rename,
and a hidden folder the library scan and media servers skip).

Stored as one JSON setting (``bridge``); functions take a Session and never commit.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.models import Priority
from aniworld.phrases import Phrase, about
from aniworld.services.settings_store import get_setting, set_setting

logger = logging.getLogger(__name__)

BRIDGE_KEY = "bridge"
DEFAULT_FOLDER = PurePosixPath(".aniworld") / "bridge"
MAX_CATEGORIES = 50
# qBittorrent allows nested categories ("tv/anime"); no empty part, nothing that walks up.
_NAME = re.compile(r"^[\w .@+-]{1,64}(?:/[\w .@+-]{1,64}){0,3}$")


@dataclass(frozen=True)
class Category:
    """One category: its name, its own save path ("" = default/<name>) and its priority."""

    name: str
    save_path: str = ""
    priority: Priority = Priority.NORMAL


@dataclass(frozen=True)
class BridgeSettings:
    """The default save path (None: inside the library) and the categories, by name."""

    save_path: str | None = None
    categories: tuple[Category, ...] = ()

    def find(self, name: str) -> Category | None:
        """The category called ``name`` (None: no such category)."""
        return next((c for c in self.categories if c.name == name), None)

    def default_path(self, library: Path) -> Path:
        """Where grabs without a category go."""
        return Path(self.save_path) if self.save_path else library / DEFAULT_FOLDER

    def path_of(self, name: str, library: Path) -> Path:
        """Where grabs of category ``name`` go ("": no category)."""
        category = self.find(name)
        if category is not None and category.save_path:
            return Path(category.save_path)
        return self.default_path(library) / name if name else self.default_path(library)


def load_bridge(session: Session) -> BridgeSettings:
    """The stored bridge settings; damaged entries are left out rather than failing."""
    data = get_setting(session, BRIDGE_KEY, {}) or {}
    categories = []
    for entry in data.get("categories", []) if isinstance(data, dict) else []:
        try:
            categories.append(Category(check_name(entry["name"]),
                                       check_save_path(entry.get("save_path", "")),
                                       Priority.parse(entry.get("priority", "normal"))))
        except (KeyError, TypeError, ValueError, ValidationError):
            continue
    save_path = data.get("save_path") if isinstance(data, dict) else None
    try:
        save_path = check_save_path(save_path or "", "save_path") or None
    except ValidationError:
        save_path = None
    return BridgeSettings(save_path, tuple(categories))


def _store(session: Session, bridge: BridgeSettings) -> BridgeSettings:
    set_setting(session, BRIDGE_KEY, {
        "save_path": bridge.save_path,
        "categories": [{"name": c.name, "save_path": c.save_path, "priority": c.priority.label}
                       for c in bridge.categories]})
    return bridge


def check_name(name: Any, field: str = "category") -> str:
    """A usable category name; raises ``ValidationError`` naming ``field``."""
    if not isinstance(name, str) or len(name) > 255 or not _NAME.match(name) \
            or name != name.strip() \
            or any(part in (".", "..") or part != part.strip() for part in name.split("/")):
        raise ValidationError(about(field, Phrase(
            "use 1 to 64 letters, digits or . _ - + @ and spaces, like tv-sonarr"), colon=True),
            field)
    return name


def check_save_path(value: Any, field: str = "savePath") -> str:
    """An absolute folder ("" = the default); raises ``ValidationError`` naming ``field``."""
    if not isinstance(value, str):
        raise ValidationError(about(field, Phrase("must be text")), field)
    value = value.strip()
    if not value:
        return ""
    if not Path(value).is_absolute() or ".." in Path(value).parts or "\x00" in value:
        raise ValidationError(about(field, Phrase(
            "must be an absolute folder like /downloads/sonarr, not %(value)s",
            value=repr(value))), field)
    return os.path.normpath(value)


def set_default_path(session: Session, save_path: str | None) -> BridgeSettings:
    """Store the default save path (None or "": inside the library)."""
    path = check_save_path(save_path or "", "save_path") or None
    return _store(session, replace(load_bridge(session), save_path=path))


def create_category(session: Session, name: str, save_path: str = "",
                    priority: Priority = Priority.NORMAL) -> Category:
    """Add a category; raises ``ConflictError`` if it exists, ``ValidationError`` if bad."""
    bridge = load_bridge(session)
    category = Category(check_name(name), check_save_path(save_path), priority)
    if bridge.find(name) is not None:
        raise ConflictError(Phrase("category %(name)s exists already", name=repr(name)))
    if len(bridge.categories) >= MAX_CATEGORIES:
        raise ValidationError(Phrase("at most %(count)s categories; remove one first",
                                     count=MAX_CATEGORIES), "category")
    _store(session, replace(bridge, categories=(*bridge.categories, category)))
    logger.info("bridge category created name=%s save_path=%s", name, category.save_path)
    return category


def edit_category(session: Session, name: str, save_path: str | None = None,
                  priority: Priority | None = None) -> Category:
    """Change a category's save path and/or priority; raises ``NotFoundError``."""
    bridge = load_bridge(session)
    old = bridge.find(name)
    if old is None:
        raise NotFoundError(Phrase("category %(name)s does not exist", name=repr(name)),
                            "category")
    new = Category(name, old.save_path if save_path is None else check_save_path(save_path),
                   old.priority if priority is None else priority)
    _store(session, replace(bridge, categories=tuple(
        new if c.name == name else c for c in bridge.categories)))
    return new


def remove_categories(session: Session, names: Iterable[str]) -> list[str]:
    """Delete the named categories (unknown names are skipped); return those removed.

    Grabs keep their category's name and the save path they were added with.
    """
    bridge = load_bridge(session)
    gone = [c.name for c in bridge.categories if c.name in set(names)]
    if gone:
        _store(session, replace(bridge, categories=tuple(
            c for c in bridge.categories if c.name not in gone)))
    return gone
