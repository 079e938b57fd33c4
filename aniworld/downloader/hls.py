"""HLS downloads: pick the best variant, fetch segments in parallel, join them with ffmpeg.

Every finished segment is its own file in the work dir, so a resumed download skips it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import requests

from aniworld.downloader.errors import MediaServerError, MediaUnavailable
from aniworld.downloader.playlist import Segment, best_variant, is_master, segments
from aniworld.downloader.transfer import Transfer, copy_body, open_media, with_retries

logger = logging.getLogger(__name__)

STATE = "hls-state.json"
PLAYLIST_LIMIT = 8 * 1024**2  # a playlist bigger than this is not a playlist


def segment_name(index: int) -> str:
    """File name of segment ``index`` in the work dir."""
    return f"seg-{index:05d}.ts"


def fetch_playlist(url: str, session: requests.Session, transfer: Transfer) -> list[Segment]:
    """Segments of the highest-bandwidth variant behind ``url``."""
    text, final_url = _get_text(url, session, transfer)
    if is_master(text):
        variant = best_variant(text, final_url)
        logger.info("hls variant bandwidth=%s", variant.bandwidth)
        text, final_url = _get_text(variant.url, session, transfer)
    return segments(text, final_url)


def _get_text(url: str, session: requests.Session, transfer: Transfer) -> tuple[str, str]:
    """A playlist's text and final URL, retrying transient failures."""
    result: list[tuple[str, str]] = []
    with_retries(lambda: result.append(_get_text_once(url, session, transfer)), transfer, url)
    return result[-1]


def _get_text_once(url: str, session: requests.Session, transfer: Transfer) -> tuple[str, str]:
    response = open_media(session, url, transfer)
    try:
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > PLAYLIST_LIMIT:
                raise MediaUnavailable(
                    "the HLS playlist is implausibly large; another hoster will be tried"
                )
        return body.decode("utf-8", "replace"), response.url
    except requests.RequestException as exc:
        raise MediaServerError(f"the playlist download broke off ({exc}); will retry") from exc
    finally:
        response.close()


def pending(work_dir: Path, parts: list[Segment], transfer: Transfer) -> tuple[list[int], Tally]:
    """Indexes still to fetch; forgets old segments if the playlist changed shape."""
    state = work_dir / STATE
    try:
        known = json.loads(state.read_text()).get("count")
    except (OSError, ValueError, AttributeError):
        known = None
    if known != len(parts):
        for old in work_dir.glob("seg-*"):
            old.unlink()
        state.write_text(json.dumps({"count": len(parts)}))
    done = [i for i in range(len(parts)) if (work_dir / segment_name(i)).exists()]
    done_bytes = sum((work_dir / segment_name(i)).stat().st_size for i in done)
    transfer.restart_at(done_bytes)
    finished = set(done)
    return [i for i in range(len(parts)) if i not in finished], Tally(
        len(done), done_bytes, len(parts)
    )


class Tally:
    """Finished segments so far, to estimate the total size for progress."""

    def __init__(self, count: int, nbytes: int, expected: int) -> None:
        self.count, self.nbytes, self.expected = count, nbytes, expected
        self.lock = threading.Lock()

    def add(self, nbytes: int, transfer: Transfer) -> None:
        """Count a finished segment and refresh the size estimate."""
        with self.lock:
            self.count += 1
            self.nbytes += nbytes
            transfer.total_bytes = round(self.nbytes / self.count * self.expected)


def fetch_segment(
    index: int,
    part: Segment,
    work_dir: Path,
    session: requests.Session,
    transfer: Transfer,
    tally: Tally,
) -> None:
    """Download one segment to its file, retrying transient failures."""
    target = work_dir / segment_name(index)
    temp = target.with_suffix(".part")

    def attempt() -> None:
        response = open_media(session, part.url, transfer)
        try:
            with temp.open("wb") as out:
                copy_body(response, out, transfer)
        except BaseException:
            # Bytes of a failed attempt are fetched again; keep the progress figure honest.
            transfer.discount(temp.stat().st_size if temp.exists() else 0)
            raise
        finally:
            response.close()
        os.replace(temp, target)

    with_retries(attempt, transfer, f"segment {index}")
    tally.add(target.stat().st_size, transfer)
