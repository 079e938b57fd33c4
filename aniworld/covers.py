"""The local cover cache: one image per series under ``<library>/.aniworld/covers/<site>/``.

In the library, not the data folder: the library is shared by every host of an
installation (README "Several machines"), so a cover a worker on another machine fetched
is there for the web process too; the library scan skips dot folders.

A cover is fetched once through the series' site client (tasks/artwork.py) and kept here,
so pages show it from Aniworld's own origin and the site is not asked again. A file is
named after the series and a digest of the address it came from (``<key>-<digest>.<ext>``):
when a refresh finds another cover address the old file no longer matches and the new one
is fetched, while the old one is still shown meanwhile. Only real images are kept (checked
by their first bytes, never by what the site declared) and only up to
:data:`MAX_COVER_BYTES`. No database, no network.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aniworld.errors import AniworldError
from aniworld.phrases import Phrase
from aniworld.sites import SITES

logger = logging.getLogger(__name__)

COVERS_DIR = Path(".aniworld") / "covers"
# The sites' covers are 20-300 kB; anything far larger is not a cover.
MAX_COVER_BYTES = 2 * 1024 * 1024
# Image kinds a browser shows and a media server reads, by their magic bytes. SVG is not
# among them: it can carry script.
_MAGIC = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)
MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
              "webp": "image/webp", "avif": "image/avif"}
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$", re.IGNORECASE)
_DIGEST_LENGTH = 16


class CoverRejected(AniworldError):
    """What the site sent is not an image Aniworld keeps (wrong kind or too large)."""

    code = "cover_rejected"
    status = 502


@dataclass(frozen=True)
class StoredCover:
    """A cached cover: its file, type and the validators a browser revalidates with."""

    path: Path
    extension: str
    size: int
    modified: datetime
    digest: str

    @property
    def mime_type(self) -> str:
        """The Content-Type to serve it with."""
        return MIME_TYPES[self.extension]

    @property
    def etag(self) -> str:
        """A strong validator: the source's digest, the size and the write time."""
        return f"{self.digest}-{self.size:x}-{int(self.modified.timestamp()):x}"


def is_cover_key(site: str, key: str) -> bool:
    """Whether (site, key) can name a series and so a cover file."""
    return site in SITES and bool(_KEY.match(key))


def sniff_image(data: bytes) -> str | None:
    """The extension of the image ``data`` holds (jpg, png, gif, webp, avif), else None."""
    for magic, extension, _mime in _MAGIC:
        if data.startswith(magic):
            return extension
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


def source_digest(url: str) -> str:
    """A short digest of a cover address, ignoring its host (a mirror serves the same file)."""
    parts = urlsplit(url)
    location = parts.path + (f"?{parts.query}" if parts.query else "")
    return hashlib.sha256(location.encode()).hexdigest()[:_DIGEST_LENGTH]


def check_image(data: bytes, limit: int = MAX_COVER_BYTES) -> str:
    """The extension of ``data``; raises CoverRejected for a non-image or a too large one."""
    if len(data) > limit:
        raise CoverRejected(Phrase("the cover is %(size)s bytes, more than the %(limit)s a "
                                   "cover may have; it was not kept", size=len(data), limit=limit))
    extension = sniff_image(data)
    if extension is None:
        raise CoverRejected(Phrase("the site answered the cover address with something that is "
                                   "not an image (starts with %(start)s); it was not kept",
                                   start=repr(data[:16])))
    return extension


class CoverStore:
    """Covers under ``root`` (normally ``<library>/.aniworld/covers``), one folder per site."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def in_library(cls, library: Path) -> CoverStore:
        """The store of an installation, in its (shared) library folder."""
        return cls(library / COVERS_DIR)

    def find(self, site: str, key: str, source: str | None = None) -> StoredCover | None:
        """The cover of ``source`` (its digest), or with ``source`` None the newest one."""
        versions = self._versions(site, key)
        if source is not None:
            wanted = source_digest(source)
            versions = [cover for cover in versions if cover.digest == wanted]
        return max(versions, key=lambda cover: cover.modified, default=None)

    def save(self, site: str, key: str, source: str, data: bytes) -> StoredCover:
        """Keep ``data`` as the cover of ``source``; older versions go.

        Raises CoverRejected (not an image, too large) and ValueError for a bad site or key.
        """
        extension = check_image(data)
        folder = self._folder(site, key)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{key}-{source_digest(source)}.{extension}"
        write_atomically(target, data)
        for old in self._versions(site, key):
            if old.path != target:
                old.path.unlink(missing_ok=True)
        logger.info("cover stored site=%s key=%s bytes=%d type=%s", site, key, len(data),
                    extension)
        stored = self._stored(target)
        assert stored is not None
        return stored

    def _folder(self, site: str, key: str) -> Path:
        if not is_cover_key(site, key):
            raise ValueError(f"no cover can belong to site={site!r} key={key!r}")
        return self.root / site

    def _versions(self, site: str, key: str) -> list[StoredCover]:
        try:
            folder = self._folder(site, key)
            names = list(folder.glob(f"{key}-*.*"))
        except (ValueError, OSError):
            return []
        found = (self._stored(path) for path in names
                 if path.stem[len(key) + 1:].isalnum() and len(path.stem) == len(key) + 1
                 + _DIGEST_LENGTH)
        return [cover for cover in found if cover is not None]

    @staticmethod
    def _stored(path: Path) -> StoredCover | None:
        extension = path.suffix.lstrip(".")
        try:
            stat = path.stat()
        except OSError:
            return None
        if extension not in MIME_TYPES:
            return None
        return StoredCover(path, extension, stat.st_size,
                           datetime.fromtimestamp(stat.st_mtime, UTC),
                           path.stem[-_DIGEST_LENGTH:])


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so readers see the old file or the whole new one.

    Readable by others (a media server running as another user reads posters and NFOs).
    """
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
