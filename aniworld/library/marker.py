"""The ``.aniworld.json`` marker that ties a library folder to a series of a site."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from aniworld.errors import AniworldError, ValidationError
from aniworld.phrases import Phrase
from aniworld.sites import SITES, check_slug

MARKER_NAME = ".aniworld.json"
MAX_MARKER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Marker:
    """Which series of which site a folder holds."""

    site: str
    key: str
    title: str


def marker_from_data(data: object) -> Marker | None:
    """A Marker from decoded JSON, or None unless site, key and title are non-empty text."""
    if not isinstance(data, dict):
        return None
    values = [data.get(name) for name in ("site", "key", "title")]
    if not all(isinstance(value, str) and value.strip() for value in values[:2]):
        return None
    title = values[2] if isinstance(values[2], str) else ""
    return Marker(values[0].strip(), values[1].strip(), title)


class InvalidMarker(AniworldError):
    """A folder's marker exists but cannot be used; the message says how to fix it."""

    code = "invalid_marker"


def load_marker(folder: str | os.PathLike[str]) -> Marker | None:
    """The marker of ``folder``, None if it has none; raises InvalidMarker if it is unusable."""
    try:
        with open(Path(folder) / MARKER_NAME, "rb") as handle:
            raw = handle.read(MAX_MARKER_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = str(exc.strerror or exc)
        raise _invalid(Phrase("cannot be read (%(error)s)", error=reason)) from exc
    if len(raw) > MAX_MARKER_BYTES:
        raise _invalid(Phrase("is larger than %(size)s KiB", size=MAX_MARKER_BYTES // 1024))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid(Phrase("is not valid JSON (%(error)s)", error=str(exc))) from exc
    marker = marker_from_data(data)
    if marker is None:
        raise _invalid(Phrase('needs the texts "site" and "key"'))
    if marker.site not in SITES:
        raise _invalid(Phrase("names the site %(site)s; Aniworld reads %(sites)s",
                              site=repr(marker.site), sites=" and ".join(SITES)))
    try:
        check_slug(marker.key)
    except ValidationError:
        raise _invalid(Phrase("names %(key)s, which is not a series key (the slug of the "
                              "series URL, e.g. 'one-piece')", key=repr(marker.key))) from None
    return marker


def _invalid(problem: Phrase) -> InvalidMarker:
    return InvalidMarker(Phrase("%(file)s %(problem)s; fix or delete it and scan again, or pick "
                                "the series here", file=MARKER_NAME, problem=problem))


def read_marker(folder: str | os.PathLike[str]) -> Marker | None:
    """The marker of ``folder``, or None if it is missing, unreadable or not a marker."""
    try:
        return load_marker(folder)
    except InvalidMarker:
        return None


def write_marker(folder: str | os.PathLike[str], marker: Marker) -> Path:
    """Write the marker atomically (temporary file + rename) and return its path.

    The rename also bumps the folder's modification time, so an incremental scan sees it.
    """
    target = Path(folder) / MARKER_NAME
    payload = json.dumps(asdict(marker), ensure_ascii=False, indent=2) + "\n"
    handle, temp = tempfile.mkstemp(prefix=MARKER_NAME + ".", suffix=".tmp", dir=folder)
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes 0600; other library users must read it
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target
