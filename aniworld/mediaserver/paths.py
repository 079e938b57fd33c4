"""Our library paths as the media server sees them (Docker: another mount point)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from aniworld.library.swap import relative_to_library

_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


@dataclass(frozen=True)
class Change:
    """One new file as the media server sees it, and its series folder (Plex scans that)."""

    path: str
    folder: str


@dataclass(frozen=True)
class PathMap:
    """Maps files below ``library`` (our folder) to ``prefix`` (theirs; None: the same path)."""

    library: Path
    prefix: str | None = None

    def relative(self, path: str | Path) -> PurePath | None:
        """``path`` relative to the library folder, or None if it lies elsewhere."""
        return relative_to_library(self.library, Path(path))

    def their(self, relative: PurePath) -> str:
        """The media server's path of ``relative`` (a path below the library)."""
        if self.prefix is None:
            return str(self.library.joinpath(*relative.parts))
        flavour = PureWindowsPath if _WINDOWS.match(self.prefix) else PurePosixPath
        return str(flavour(self.prefix).joinpath(*relative.parts))

    def change(self, path: str | Path) -> Change | None:
        """The :class:`Change` of a file below the library (None: it lies elsewhere).

        The series folder is the library's top-level folder the file is in; a file right in
        the library folder has the library folder itself.
        """
        relative = self.relative(path)
        if relative is None or not relative.parts:
            return None
        folder = PurePosixPath(*relative.parts[:1]) if len(relative.parts) > 1 \
            else PurePosixPath()
        return Change(self.their(relative), self.their(folder))


def contains(folder: str, path: str) -> bool:
    """True when ``path`` is ``folder`` or lies below it (either kind of separator)."""
    base = folder.rstrip("/\\")
    if not base:  # the root folder "/" holds every absolute path
        return path.startswith(("/", "\\"))
    return path == base or (path.startswith(base) and path[len(base)] in "/\\")
