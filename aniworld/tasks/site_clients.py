"""The site clients of one background round (library matching, monitoring), one per site.

A round may need aniworld.to, s.to or both. Each client is opened when the round first
needs its site and closed with the round. When a site refuses (browser check, outage) or
its settings cannot be used, only that site's part of the round ends: the round records
why and goes on with the other site.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from functools import partial
from types import TracebackType
from typing import TypeVar

from aniworld.errors import AniworldError, ValidationError
from aniworld.phrases import Phrase, joined
from aniworld.services.settings import AppSettings, effective_site_settings
from aniworld.site import SiteClient, SiteError
from aniworld.sites import SITE_LABELS, SITES
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)

# site -> a fresh client for it (closed by the caller, hence a context manager).
ClientFactory = Callable[[str], AbstractContextManager[SiteClient]]
T = TypeVar("T")


def open_client(runtime: Runtime, settings: AppSettings, site: str) -> SiteClient:
    """A client of ``site`` with its settings in effect; raises ValidationError if unusable."""
    return SiteClient(effective_site_settings(runtime.config, settings, site),
                      redis=runtime.redis)


def runtime_clients(runtime: Runtime, settings: AppSettings) -> ClientFactory:
    """The factory a job hands to a round: :func:`open_client` for any site."""
    return partial(open_client, runtime, settings)


class SiteStopped(AniworldError):
    """This round no longer asks ``site``; ``message`` says why (the site's own refusal)."""

    code = "site_stopped"

    def __init__(self, site: str, message: str | Phrase) -> None:
        super().__init__(Phrase("%(site)s: %(reason)s", site=SITE_LABELS.get(site, site),
                                reason=message))
        self.site = site


class SiteClients:
    """One client per site, opened on first use; use as ``with`` to close them all."""

    def __init__(self, factory: ClientFactory) -> None:
        self._factory = factory
        self._stack = ExitStack()
        self._clients: dict[str, SiteClient] = {}
        self._stopped: dict[str, str | Phrase] = {}
        # Requests each client had sent before the round opened it (a factory may hand out
        # a client that is already in use).
        self._sent_before: dict[str, int] = {}

    def __enter__(self) -> SiteClients:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def get(self, site: str) -> SiteClient:
        """The client of ``site``; raises SiteStopped once the round stopped asking it."""
        if site in self._stopped:
            raise SiteStopped(site, self._stopped[site])
        if site not in self._clients:
            if site not in SITES:
                raise SiteStopped(site, Phrase("unknown site; Aniworld reads %(sites)s",
                                               sites=", ".join(SITES)))
            try:
                client = self._stack.enter_context(self._factory(site))
            except ValidationError as exc:
                raise self.stop(site, Phrase("the site settings cannot be used (%(error)s); "
                                             "fix them in Settings", error=exc.phrase)) from exc
            self._clients[site], self._sent_before[site] = client, client.requests_sent
        return self._clients[site]

    def call(self, site: str, request: Callable[[SiteClient], T],
             stopping: type[SiteError] | tuple[type[SiteError], ...] = SiteError) -> T:
        """``request(client of site)``; a ``stopping`` failure stops the site for the round.

        Raises SiteStopped instead of it (other site errors pass through unchanged).
        """
        client = self.get(site)
        try:
            return request(client)
        except stopping as exc:
            raise self.stop(site, exc.phrase) from exc

    def stop(self, site: str, message: str | Phrase) -> SiteStopped:
        """Ask ``site`` no more in this round; returns the error to raise."""
        if site not in self._stopped:
            logger.warning("site stopped for this round site=%s reason=%s", site, message)
            self._stopped[site] = message
        return SiteStopped(site, self._stopped[site])

    def requests(self, site: str) -> int:
        """How many requests this round sent to ``site`` (0 if its client was never opened)."""
        client = self._clients.get(site)
        return client.requests_sent - self._sent_before[site] if client is not None else 0

    def reason(self, site: str) -> str | Phrase:
        """Why the round stopped asking ``site`` ("" while it has not)."""
        return self._stopped.get(site, "")

    def stopped(self, site: str) -> bool:
        """Whether the round stopped asking ``site``."""
        return site in self._stopped

    @property
    def message(self) -> str | Phrase:
        """Why sites were stopped, one clause per site ("" when none was)."""
        return joined([Phrase("%(site)s: %(reason)s", site=SITE_LABELS.get(site, site),
                              reason=reason) for site, reason in self._stopped.items()], "; ")
