"""Cover images of both stand-in sites: a real (small) JPEG per known cover path, else 404.

aniworld serves ``/public/img/cover/<slug>-stream-cover-<hash>_<w>x<h>.jpg`` (reference
aniworld-site §2 "Cover images"), s.to V2 ``/media/images/channel/<size>/<slug>-<hash>`` with
``?format=jpg|webp|avif`` (site-2026 "Images"). The stand-in answers only a path that names a
series of its catalogue with that series' own hash, so a made-up or stale URL is a 404 as on
the real sites. Only JPEG bytes exist here: s.to's webp and avif forms answer 404 (Aniworld
asks for the ``jpg`` form the page's ``img`` names).
"""

from __future__ import annotations

import base64
import re

from tests.fakesite.blocks import Response
from tests.fakesite.catalog import Catalog
from tests.fakesite.content import STO_V2

# A 44x66 baseline JFIF (made once with ffmpeg's gradients source), 416 bytes.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAgAAAQABAAD//gAPTGF2YzYzLjEuMTAyAP/bAEMACBAQExATFhYWFhYWGhgaGxsbGhoaGhsb"
    "Gx0dHSIiIh0dHRsbHR0gICIiJSYlIyMiIyYmKCgoMDAuLjg4OkVFU//EAF0AAQEBAQEBAAAAAAAAAAAAAAAFAwQC"
    "BgEBAQEBAQEBAAAAAAAAAAAAAAUEAwYCARABAQEBAQAAAAAAAAAAAAAAABIBAhERAQEBAQEAAAAAAAAAAAAAAAAS"
    "AQIR/8AAEQgAQgAsAwESAAISAAMSAP/aAAwDAQACEQMRAD8ApDwg9kAAAAAAAAAAM6S7doV94c6TLVvU7O0XzVTe"
    "FX1PtScOdpKjvCixW73Jaa27w3MtuthbE0Q1ONN2dM7rLs50+XztLt7DeFjeHmbTLWLS7Qt4WN4V7TLWbS7Qd4Wd"
    "4V7TLWM7S7Qd4WN4V7TLWbSs7Qt4WN4WLS7WLS7Q4WIV7TLQB6UQQH4/QevXl8+Y+n16+WlM3KXV0pzb2wZoaXen"
    "B125GKG1qtlAAAAAAAAAAAAf/9k="
)
_ANIWORLD = re.compile(r"^/public/img/cover/([a-z0-9-]+)-stream-cover-([0-9a-f]+)_\d+x\d+\.jpg$")
_STO = re.compile(r"^/media/images/channel/(?:mobile|tablet|desktop|2x-desktop)/"
                  r"([a-z0-9-]+)-([0-9A-Za-z]+)$")


def is_cover_path(path: str) -> bool:
    """Whether ``path`` is shaped like a cover of either site (known series or not)."""
    return bool(_ANIWORLD.match(path) or _STO.match(path))


def aniworld_cover(catalog: Catalog, path: str) -> Response | None:
    """The cover at ``path`` of an aniworld series; None when the path names none."""
    match = _ANIWORLD.match(path)
    series = catalog.series(match[1]) if match else None
    if match is None or series is None or series.cover_hash != match[2]:
        return None
    return Response(200, JPEG, "image/jpeg")


def sto_cover(catalog: Catalog, path: str, image_format: str) -> Response | None:
    """The channel cover at ``path`` of an s.to series in ``image_format``; None if none."""
    match = _STO.match(path)
    series = catalog.series(match[1], STO_V2) if match else None
    if match is None or series is None or series.cover_hash[:6] != match[2]:
        return None
    if image_format not in ("", "jpg"):
        return None
    return Response(200, JPEG, "image/jpeg")
