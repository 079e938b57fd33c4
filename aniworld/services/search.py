"""Search several sites at once: results tagged with their site, and which sites failed.

No Flask and no database: the caller hands over one client factory per site it wants
searched (``{"aniworld": make_client, "sto": make_client}``), in the order results should
come back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from aniworld.site import SiteClient
from aniworld.site.errors import SiteError
from aniworld.site.types import SearchResult

logger = logging.getLogger(__name__)

ClientFactory = Callable[[], SiteClient]


@dataclass(frozen=True)
class SiteSearch:
    """The merged results of the sites that answered, and the failure of each one that did not."""

    results: list[SearchResult]
    failures: dict[str, SiteError] = field(default_factory=dict)

    @property
    def failed_sites(self) -> tuple[str, ...]:
        """The sites whose search failed, in the order they were asked."""
        return tuple(self.failures)


def search_sites(query: str, clients: Mapping[str, ClientFactory]) -> SiteSearch:
    """Search every site of ``clients`` for ``query``; results come in ``clients``' order.

    The factories are called in the calling thread (they may use its database session);
    the searches then run side by side, so a slow or failing site does not add its time to
    the others'. A site that fails is reported in ``failures`` while the others' results are
    kept. Raises the last SiteError when every site failed, ValidationError for a bad query.
    """
    with ExitStack() as stack:
        opened = {site: stack.enter_context(factory()) for site, factory in clients.items()}
        with ThreadPoolExecutor(max_workers=max(len(opened), 1)) as pool:
            pending = {site: pool.submit(client.search, query) for site, client in opened.items()}
            outcomes = {site: _outcome(site, future.result) for site, future in pending.items()}
    failures = {site: out for site, out in outcomes.items() if isinstance(out, SiteError)}
    if failures and len(failures) == len(outcomes):
        raise list(failures.values())[-1]
    results = [result for out in outcomes.values() if not isinstance(out, SiteError)
               for result in out]
    return SiteSearch(results, failures)


def _outcome(site: str, answer: Callable[[], list[SearchResult]]) -> list[SearchResult] | SiteError:
    """The site's results, or its SiteError (logged) so the other sites still count."""
    try:
        return answer()
    except SiteError as exc:
        logger.warning("search failed site=%s code=%s error=%s", site, exc.code, exc.message)
        return exc
