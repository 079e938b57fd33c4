"""One try of one hoster in one language: redirect → embed page → stream → file."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from aniworld.downloader import DownloadResult, DownloadSettings, MediaLinkExpired, download
from aniworld.downloader.ratelimit import TokenBucket
from aniworld.hosters import resolve_stream
from aniworld.services import execution
from aniworld.services.execution import Claim
from aniworld.services.settings import AppSettings, effective_library_dir
from aniworld.site import HosterLink, SiteClient
from aniworld.tasks.download import workspace
from aniworld.tasks.download.watch import ItemWatch
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)

# Fresh links per attempt after the first expired mid-download. One is enough for a link
# that ran out; a link refused again at once is left to the runner (next hoster, retry).
LINK_REFRESHES = 1


class Attempt:
    """Resolves and downloads one candidate (a hoster's link in one language) into the library."""

    def __init__(self, runtime: Runtime, claim: Claim, settings: AppSettings,
                 client: SiteClient, candidate: HosterLink) -> None:
        self.runtime = runtime
        self.claim = claim
        self.settings = settings
        self.client = client
        self.candidate = candidate
        self.bytes_per_second: float | None = None

    def run(self, final_path: Path) -> Path:
        """Download the candidate to ``final_path``; raises the typed error of what failed."""
        claim, candidate = self.claim, self.candidate
        with self.runtime.sessions() as session:
            execution.set_hoster(session, claim.item_id, claim.lease, candidate.hoster)
            session.commit()
        embed_url = self.client.resolve_redirect(candidate.redirect_url)
        started = time.monotonic()
        result = self._download(embed_url, final_path)
        # Of the whole file (a resumed transfer reads as faster): good enough to compare hosters.
        self.bytes_per_second = result.size_bytes / max(time.monotonic() - started, 1e-3)
        logger.info("downloaded item=%s hoster=%s language=%s path=%s bytes=%s",
                    claim.item_id, candidate.hoster, candidate.language, result.path,
                    result.size_bytes)
        return Path(result.path)

    def _download(self, embed_url: str, final_path: Path) -> DownloadResult:
        """Resolve the embed to a media link and download it; a link that expires on the way
        is resolved again and the download resumes from the segments already on disk."""
        watch = ItemWatch(self.runtime.sessions, self.claim.item_id, self.claim.lease)
        for _ in range(LINK_REFRESHES):
            try:
                return self._fetch(embed_url, final_path, watch)
            except MediaLinkExpired as expired:
                logger.info("media link expired item=%s hoster=%s, resolving again error=%s",
                            self.claim.item_id, self.candidate.hoster, expired.message)
        return self._fetch(embed_url, final_path, watch)

    def _fetch(self, embed_url: str, final_path: Path, watch: ItemWatch) -> DownloadResult:
        # The same transport (and User-Agent) as the site: media links are bound to it.
        stream = resolve_stream(self.candidate.hoster, embed_url, self.client.transport,
                                allow_private_hosts=self.runtime.config.allow_private_hosts)
        return download(stream, final_path, self._work_dir(), settings=self._download_settings(),
                        on_progress=watch.on_progress, should_stop=watch.should_stop)

    def _work_dir(self) -> Path:
        library = effective_library_dir(self.runtime.config, self.settings)
        return workspace.work_dir(library, self.claim.item_id,
                                  self.candidate.hoster, self.candidate.language.value)

    def _download_settings(self) -> DownloadSettings:
        settings = self.settings
        limiter = None
        if settings.bandwidth_limit:
            # The global limit is shared evenly by the downloads allowed to run at once.
            limiter = TokenBucket(settings.bandwidth_limit / settings.parallel_downloads)
        return DownloadSettings(
            container=settings.container, stall_timeout=float(settings.stall_timeout),
            disk_reserve_bytes=settings.disk_reserve, rate_limiter=limiter,
            allow_private_hosts=self.runtime.config.allow_private_hosts,
            audio_language=self.candidate.language.audio)
