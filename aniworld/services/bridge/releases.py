"""What the Sonarr bridge calls a release: one episode in one language, its name and its link.

Pure functions, no database: the release title Sonarr's parser reads, the deterministic
BitTorrent info hash of a release, and the magnet link that carries the release's identity
from the Torznab result to ``torrents/add``.

Facts this module is built on (read in Sonarr's source, 2026):

- Sonarr takes a magnet link as it is, reads its hash with MonoTorrent's ``MagnetLink``
  (``xt=urn:btih:`` + 40 hex digits; parameters split at ``&`` and ``=``, unknown keys
  ignored) and passes the link unchanged to ``torrents/add`` as ``urls``.
- Its language parser finds "german", "english", "japanese" anywhere after ``SxxEyy``,
  but a language directly followed by "sub…" is a subtitle, not audio; "GERSUB" and
  "ENGSUB" name no language, so a subbed release reads as Japanese (its audio).
- "WEB-DL" with "1080p" is the quality WEBDL-1080p; ``Title E1135 …`` (3 or 4 digits)
  is an absolute episode number, which Sonarr maps through its own absolute numbering.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.naming import clean_component
from aniworld.phrases import Phrase
from aniworld.sites import SITES

# The resolution claimed in release titles: the hosters' streams are 720p or 1080p, and
# Sonarr's anime profiles want WEBDL-1080p. The file itself is whatever the hoster has.
RELEASE_QUALITY = "1080p"
LANGUAGE_TAGS = {
    Language.GERMAN_DUB: "GERMAN",
    Language.ENGLISH_DUB: "ENGLISH",
    Language.GERMAN_SUB: "JAPANESE GERSUB",
    Language.ENGLISH_SUB: "JAPANESE ENGSUB",
}
# The spoken language as Torznab's ``language`` attribute (Sonarr reads ISO language names).
AUDIO_NAMES = {"deu": "German", "eng": "English", "jpn": "Japanese"}
# A season this long on the site is one the TV databases split: titles carry the absolute
# number instead (``Title E0950``), which Sonarr maps onto its own seasons.
LONG_SEASON_EPISODES = 26
# Our parameter in the magnet link; MonoTorrent and qBittorrent ignore unknown keys.
MAGNET_KEY = "x.aw"
_HASH = re.compile(r"^[0-9a-f]{40}$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,199}$")  # as aniworld.sites.check_slug


class ReleaseLinkError(ValidationError):
    """A link passed to ``torrents/add`` is not one of this Aniworld's releases."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "urls")


@dataclass(frozen=True)
class ReleaseId:
    """The identity of a release: which episode of which series, in which language."""

    site: str
    slug: str
    season: int
    episode: int
    language: Language

    @property
    def info_hash(self) -> str:
        """The release's BitTorrent v1 info hash: 40 lower-case hex digits, always the same."""
        text = f"aniworld-bridge/1\n{self.site}\n{self.slug}\n{self.season}\n{self.episode}\n" \
               f"{self.language.value}"
        return hashlib.sha1(text.encode()).hexdigest()

    @property
    def token(self) -> str:
        """The identity as the magnet link's ``x.aw`` value: ``site:slug:season:episode:lang``."""
        return f"{self.site}:{self.slug}:{self.season}:{self.episode}:{self.language.value}"


def episode_label(season: int, episode: int, long_season: bool = False) -> str:
    """``S01E05``; ``S00E03`` for a film; ``E0950`` for an episode of one long season."""
    if long_season and season == 1:
        return f"E{episode:03d}"
    return f"S{season:02d}E{episode:02d}"


def release_title(series_title: str, season: int, episode: int, language: Language,
                  long_season: bool = False) -> str:
    """The title Sonarr parses: ``<Title> S01E05 <LANG> 1080p WEB-DL``."""
    label = episode_label(season, episode, long_season)
    title = " ".join(series_title.split())
    return f"{title} {label} {LANGUAGE_TAGS[language]} {RELEASE_QUALITY} WEB-DL"


def file_name(release_name: str, container: str) -> str:
    """The file a grab is saved as: the release title made safe as one path component."""
    return clean_component(f"{release_name}.{container}")


def magnet_link(release: ReleaseId, title: str, size: int = 0) -> str:
    """A magnet link with the release's hash, its title and its identity (``x.aw``)."""
    parts = [f"xt=urn:btih:{release.info_hash}", f"dn={quote(title, safe='')}"]
    if size > 0:
        parts.append(f"xl={size}")
    parts.append(f"{MAGNET_KEY}={quote(release.token, safe='')}")
    return "magnet:?" + "&".join(parts)


def parse_magnet(link: str) -> tuple[ReleaseId, str]:
    """The release a magnet link names and its display name; raises ``ReleaseLinkError``.

    The hash must be the one the identity derives: a link whose parameters were changed
    names nothing.
    """
    parts = urlsplit(link.strip())
    if parts.scheme != "magnet":
        raise ReleaseLinkError(Phrase("only magnet links of this Aniworld's Torznab results can "
                                      "be added; search the Aniworld indexer and grab from "
                                      "there"))
    fields = dict(parse_qsl(parts.query, keep_blank_values=True))
    digest = fields.get("xt", "").removeprefix("urn:btih:").lower()
    release = _parse_token(fields.get(MAGNET_KEY, ""))
    if not _HASH.match(digest) or release is None or release.info_hash != digest:
        raise ReleaseLinkError(Phrase("this magnet link is not an Aniworld release (missing or "
                                      "altered x.aw parameter); search the Aniworld indexer "
                                      "again"))
    return release, fields.get("dn", "")


def _parse_token(token: str) -> ReleaseId | None:
    parts = token.split(":")
    if len(parts) != 5 or parts[0] not in SITES or not _SLUG.match(parts[1]):
        return None
    site, slug, season, episode, language = parts
    if not (season.isdecimal() and episode.isdecimal()) or len(season + episode) > 9:
        return None
    try:
        return ReleaseId(site, slug, int(season), int(episode), Language(language))
    except ValueError:
        return None
