"""What arrives in an HLS segment: AES-128 keys and decryption, disguised MPEG-TS.

Keys are fetched like media (guarded, pinned, the stream's headers) once per URI.
Hosters name segments ``.jpg``/``.png``/``.html``/``.js`` to slip past filters, sometimes
with a small fake file header in front; the MPEG-TS start is found by its sync bytes
(0x47 every 188 bytes), not by the name.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from aniworld.downloader.errors import BadStreamKey, MediaUnavailable
from aniworld.downloader.transfer import Transfer, read_small, with_retries
from aniworld.phrases import N_, Phrase

logger = logging.getLogger(__name__)

KEY_BYTES = 16
KEY_LIMIT = 4096  # read at most this much of a key answer: enough to report its size
TS_PACKET = 188
TS_SYNC = 0x47
SYNC_RUN = 3  # sync bytes in a row (one per packet) that mark the MPEG-TS start
SEARCH_LIMIT = 64 * 1024  # a disguise header is small; beyond this it is not a TS segment


class KeyStore:
    """AES-128 keys of one download, each fetched once and checked to be 16 bytes."""

    def __init__(self, session: requests.Session, transfer: Transfer) -> None:
        self.session, self.transfer = session, transfer
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> bytes:
        """The key at ``url``; BadStreamKey if it is not 16 bytes."""
        with self._lock:
            if url not in self._keys:
                self._keys[url] = self._fetch(url)
            return self._keys[url]

    def _fetch(self, url: str) -> bytes:
        found: list[bytes] = []
        with_retries(lambda: found.append(self._fetch_once(url)), self.transfer, "hls key")
        key = found[-1]
        host = urlsplit(url).hostname
        if len(key) != KEY_BYTES:
            logger.info("hls key refused host=%s bytes=%s", host, len(key))
            raise BadStreamKey(Phrase(
                "the stream's AES-128 key from %(host)s is %(size)s bytes instead of 16, so "
                "the video cannot be decrypted; another hoster will be tried",
                host=host, size=len(key),
            ))
        logger.info("hls key fetched host=%s", host)
        return key

    def _fetch_once(self, url: str) -> bytes:
        body, _ = read_small(self.session, url, self.transfer, KEY_LIMIT, N_(
            "the key download broke off (%(error)s); will retry"))
        return body


def decrypt(data: bytes, key: bytes, iv: bytes, what: str | Phrase) -> bytes:
    """AES-128-CBC decrypt ``data``; remove PKCS#7 padding when it is valid."""
    if len(data) % 16:
        raise MediaUnavailable(Phrase(
            "%(what)s is %(size)s bytes, not whole AES blocks, so it is not AES-128 "
            "encrypted as its playlist claims; another hoster will be tried",
            what=what, size=len(data),
        ))
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1] if plain else 0
    if 1 <= pad <= 16 and plain.endswith(bytes([pad]) * pad):
        return plain[:-pad]
    return plain


def ts_start(data: bytes, what: str | Phrase, *, disguised: bool = True) -> int:
    """Offset of the first MPEG-TS packet in ``data`` (0 unless a disguise header precedes it).

    MediaUnavailable when no run of sync bytes is found (at offset 0 unless ``disguised``):
    the bytes are not MPEG-TS (an error page, or decrypted with the wrong key or IV).
    """
    for offset in range(min(len(data), SEARCH_LIMIT if disguised else 1)):
        if data[offset] != TS_SYNC:
            continue
        run = range(offset, min(len(data), offset + SYNC_RUN * TS_PACKET), TS_PACKET)
        if all(data[index] == TS_SYNC for index in run):
            return offset
    raise MediaUnavailable(Phrase(
        "%(what)s holds no MPEG-TS video (an error page, or a wrong decryption key); "
        "another hoster will be tried", what=what,
    ))
