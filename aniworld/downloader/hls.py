"""HLS downloads: pick the best variant (and audio rendition), fetch segments in parallel.

Every finished segment is its own (decrypted, unwrapped) file in the work dir, so a resumed
download skips it. The engine joins the files: MPEG-TS through a local playlist, fMP4 by
putting the init section in front of the fragments.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from aniworld.downloader.errors import MediaServerError, MediaUnavailable
from aniworld.downloader.hlsbytes import KeyStore, decrypt, ts_start
from aniworld.downloader.playlist import (
    Segment,
    audio_rendition,
    best_variant,
    is_master,
    segments,
)
from aniworld.downloader.transfer import (
    Transfer,
    copy_body,
    open_media,
    read_small,
    with_retries,
)
from aniworld.phrases import N_, Phrase

logger = logging.getLogger(__name__)

STATE = "hls-state.json"
PLAYLIST_LIMIT = 8 * 1024**2  # a playlist bigger than this is not a playlist


@dataclass(frozen=True)
class Track:
    """One media playlist to fetch: the video (audio muxed in or not) or an audio rendition."""

    name: str  # file name prefix in the work dir: "seg" (video) or "aud"
    parts: list[Segment]
    language: str = ""  # LANGUAGE of a separate audio rendition

    @property
    def fmp4(self) -> bool:
        """True when the segments are fMP4 fragments behind an init section."""
        return self.parts[0].init

    @cached_property
    def hosts(self) -> list[str]:
        """The origins (``scheme://host:port``) segments of this track are spread over."""
        return list(dict.fromkeys(_origin(part.url) for part in self.parts))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _mirrors(url: str, hosts: list[str]) -> list[str]:
    """``url`` first, then the same path and query on every other host of the playlist."""
    parts = urlsplit(url)
    rest = urlunsplit(("", "", parts.path, parts.query, ""))
    return [url, *(host + rest for host in hosts if host != _origin(url))]


def segment_name(track: Track, index: int) -> str:
    """File name of segment ``index`` of ``track`` in the work dir."""
    return f"{track.name}-{index:05d}.{'m4s' if track.fmp4 else 'ts'}"


def fetch_tracks(
    url: str, session: requests.Session, transfer: Transfer, language: str = ""
) -> list[Track]:
    """The tracks behind ``url``: the highest-bandwidth variant, then a separate audio track.

    ``language`` (ISO 639-2, e.g. ``deu``) picks the audio rendition when there are several.
    """
    text, final_url = _get_text(url, session, transfer)
    if not is_master(text):
        return [Track("seg", segments(text, final_url))]
    variant = best_variant(text, final_url)
    rendition = audio_rendition(text, final_url, variant.audio, language)
    logger.info("hls variant bandwidth=%s audio=%s", variant.bandwidth,
                rendition.language if rendition else "muxed")
    tracks = [Track("seg", segments(*_get_text(variant.url, session, transfer)))]
    if rendition is not None:
        audio = segments(*_get_text(rendition.url, session, transfer))
        tracks.append(Track("aud", audio, rendition.language))
    return tracks


def _get_text(url: str, session: requests.Session, transfer: Transfer) -> tuple[str, str]:
    """A playlist's text and final URL, retrying transient failures."""
    result: list[tuple[str, str]] = []
    with_retries(lambda: result.append(_get_text_once(url, session, transfer)), transfer, url)
    return result[-1]


def _get_text_once(url: str, session: requests.Session, transfer: Transfer) -> tuple[str, str]:
    body, final_url = read_small(session, url, transfer, PLAYLIST_LIMIT, N_(
        "the playlist download broke off (%(error)s); will retry"))
    if len(body) > PLAYLIST_LIMIT:
        raise MediaUnavailable(Phrase(
            "the HLS playlist is implausibly large; another hoster will be tried"))
    return body.decode("utf-8", "replace"), final_url


def pending(
    work_dir: Path, tracks: list[Track], transfer: Transfer
) -> tuple[list[tuple[Track, int]], Tally]:
    """(track, index) pairs still to fetch; forgets old segments if the playlists changed."""
    state, shape = work_dir / STATE, [[t.name, len(t.parts), t.fmp4] for t in tracks]
    try:
        known = json.loads(state.read_text()).get("tracks")
    except (OSError, ValueError, AttributeError):
        known = None
    if known != shape:
        for old in [*work_dir.glob("seg-*"), *work_dir.glob("aud-*")]:
            old.unlink()
        state.write_text(json.dumps({"tracks": shape}))
    todo: list[tuple[Track, int]] = []
    done_count = done_bytes = 0
    for track in tracks:
        for index in range(len(track.parts)):
            path = work_dir / segment_name(track, index)
            if path.exists():
                done_count, done_bytes = done_count + 1, done_bytes + path.stat().st_size
            else:
                todo.append((track, index))
    transfer.restart_at(done_bytes)
    return todo, Tally(done_count, done_bytes, sum(len(track.parts) for track in tracks))


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


class SegmentFetcher:
    """Downloads segments of one job into the work dir, decrypted and unwrapped."""

    def __init__(
        self, work_dir: Path, session: requests.Session, transfer: Transfer, tally: Tally
    ) -> None:
        self.work_dir, self.session, self.transfer, self.tally = work_dir, session, transfer, tally
        self.keys = KeyStore(session, transfer)
        self.dead_hosts: set[str] = set()

    def fetch(self, track: Track, index: int) -> None:
        """Download one segment to its file, retrying transient failures."""
        target = self.work_dir / segment_name(track, index)
        temp = target.with_suffix(".part")
        self._download(track, track.parts[index].url, temp, f"segment {track.name} {index}")
        self._clean(track, index, temp)
        os.replace(temp, target)
        self.tally.add(target.stat().st_size, self.transfer)

    def _download(self, track: Track, url: str, temp: Path, what: str) -> None:
        """Fetch ``url``; if its host keeps failing, the same path on the playlist's other hosts.

        Hosters spread (disguised) segments over rotating hosts that serve the same files.
        A host that failed every retry is tried last for the remaining segments.
        """
        candidates = _mirrors(url, track.hosts)
        candidates.sort(key=lambda candidate: _origin(candidate) in self.dead_hosts)
        for number, candidate in enumerate(candidates, 1):
            try:
                with_retries(partial(self._attempt, candidate, temp), self.transfer, what)
                return
            except (MediaServerError, MediaUnavailable) as exc:
                if number == len(candidates):
                    raise
                self.dead_hosts.add(_origin(candidate))
                logger.info("hls host failover what=%s from=%s error=%s", what,
                            urlsplit(candidate).hostname, exc.message)

    def _attempt(self, url: str, temp: Path) -> None:
        response = open_media(self.session, url, self.transfer)
        try:
            with temp.open("wb") as out:
                copy_body(response, out, self.transfer)
        except BaseException:
            # Bytes of a failed attempt are fetched again; keep the progress figure honest.
            self.transfer.discount(temp.stat().st_size if temp.exists() else 0)
            raise
        finally:
            response.close()

    def _clean(self, track: Track, index: int, temp: Path) -> None:
        """Decrypt an AES-128 segment and cut a disguise header off an MPEG-TS one."""
        part = track.parts[index]
        what = Phrase("segment %(index)s of the %(track)s playlist", index=index, track=track.name)
        if part.key is None and track.fmp4:
            return
        data = temp.read_bytes()
        if part.key is not None:
            data = decrypt(data, self.keys.get(part.key.url), part.iv, what)
        # A wrong key or IV garbles the first block, so decrypted data must start at once.
        start = 0 if track.fmp4 else ts_start(data, what, disguised=part.key is None)
        if start:
            logger.info("hls disguised segment track=%s index=%s header_bytes=%s",
                        track.name, index, start)
        if part.key is not None or start:
            temp.write_bytes(data[start:])
