"""Progressive (single-file) downloads over HTTP, resumed with Range requests."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import requests

from aniworld.downloader.disk import ensure_space
from aniworld.downloader.errors import CorruptDownload, MediaServerError
from aniworld.downloader.transfer import RETRY_DELAYS, Transfer, copy_body, open_media
from aniworld.phrases import Phrase

logger = logging.getLogger(__name__)

PART = "media.part"
STATE = "mp4-state.json"
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def fetch(url: str, work_dir: Path, session: requests.Session, transfer: Transfer) -> Path:
    """Download ``url`` into ``work_dir``, continuing a partial file; return its path."""
    part = work_dir / PART
    transfer.restart_at(_resume_offset(work_dir))
    failures = 0
    while True:
        before = part.stat().st_size if part.exists() else 0
        try:
            if _attempt(url, work_dir, session, transfer):
                return part
        except MediaServerError:
            grown = part.exists() and part.stat().st_size > before
            # A broken connection that still delivered bytes is progress, not a failure.
            failures = 0 if grown else failures + 1
            if failures > len(RETRY_DELAYS):
                raise
            transfer.pause(RETRY_DELAYS[max(failures - 1, 0)])


def _resume_offset(work_dir: Path) -> int:
    part, state = work_dir / PART, _load_total(work_dir)
    if state is None or not part.exists():
        part.unlink(missing_ok=True)
        return 0
    return part.stat().st_size


def _load_total(work_dir: Path) -> int | None:
    try:
        return int(json.loads((work_dir / STATE).read_text())["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _attempt(url: str, work_dir: Path, session: requests.Session, transfer: Transfer) -> bool:
    """One request; True when the file is complete, False to start over from byte 0."""
    part = work_dir / PART
    offset = part.stat().st_size if part.exists() else 0
    response = open_media(session, url, transfer, start=offset)
    try:
        start, total = _span(response, offset, _load_total(work_dir))
        if start is None:
            logger.info("mp4 restart url_offset=%s status=%s", offset, response.status_code)
            _reset(work_dir, transfer)
            return False
        if start == total:
            return True
        _begin(work_dir, transfer, start, total)
        with part.open("ab" if start else "wb") as out:
            copy_body(response, out, transfer)
    finally:
        response.close()
    return _complete(part, total)


def _span(
    response: requests.Response, offset: int, known_total: int | None
) -> tuple[int | None, int]:
    """(first byte, total size) the answer delivers; (None, 0) if it cannot continue ours."""
    if response.status_code == 416:
        return (offset, offset) if offset and known_total == offset else (None, 0)
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        total = int(match[3]) if match else -1
        if not match or int(match[1]) != offset or (known_total not in (None, total)):
            return None, 0
        return offset, total
    # 200: the server ignored Range (or we asked for everything): take the whole body.
    length = response.headers.get("Content-Length")
    return 0, int(length) if length and length.isdigit() else -1


def _reset(work_dir: Path, transfer: Transfer) -> None:
    (work_dir / PART).unlink(missing_ok=True)
    (work_dir / STATE).unlink(missing_ok=True)
    transfer.restart_at(0)


def _begin(work_dir: Path, transfer: Transfer, start: int, total: int) -> None:
    if start == 0:
        transfer.restart_at(0)
    transfer.total_bytes = total if total >= 0 else None
    settings = transfer.settings
    if total >= 0:
        ensure_space(work_dir, total - start, settings.disk_reserve_bytes)
    (work_dir / STATE).write_text(json.dumps({"total": total}))


def _complete(part: Path, total: int) -> bool:
    size = part.stat().st_size
    if total < 0 or size == total:
        return True
    if size < total:
        raise MediaServerError(Phrase(
            "the media server sent %(size)s of %(total)s bytes; resuming", size=size, total=total
        ))
    raise CorruptDownload(Phrase(
        "received %(size)s bytes but the server announced %(total)s; retrying",
        size=size, total=total,
    ))
