"""Match library folders to site series through the sites' search (network; polite).

The background half of matching: it opens a short session per step and commits it. What
a user's choice needs (candidates, linking a chosen series) is in
:mod:`aniworld.services.library.resolution`.

A folder whose marker names a series is linked to it on the marker's site. Any other
folder is searched on aniworld.to first and, when that finds nothing confident, on s.to as
well; the candidates of both (each with its site) wait for the user. A site that fails
(browser check, outage) is asked no more in this run, and the folders that need it stay
pending for the next scan: one site's fault never leaves a folder unmatched.

Every site request goes through one :class:`SiteClient` per site, so its rate limit, cache
and typed errors apply. No database transaction stays open while a request is in flight.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library import match_folder
from aniworld.library.matching import Match
from aniworld.models import FolderState, LibraryFolder
from aniworld.phrases import Phrase, joined
from aniworld.services import catalog
from aniworld.services.library import resolution
from aniworld.services.library.folders import link
from aniworld.site import SiteClient
from aniworld.site.errors import SiteNotFound
from aniworld.site.types import SearchResult
from aniworld.sites import DEFAULT_SITE, SITE_LABELS, SITES, public_series_key
from aniworld.tasks.site_clients import ClientFactory, SiteClients, SiteStopped

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MatchResult:
    """How many folders were matched, left for the user, and why sites were skipped."""

    matched: int
    unmatched: int
    stopped: str | Phrase = ""


def pending_folder_ids(session: Session) -> list[int]:
    """Folders no search has been tried for yet, by name."""
    return list(session.scalars(
        select(LibraryFolder.id)
        .where(LibraryFolder.state == FolderState.UNMATCHED, LibraryFolder.match_tried.is_(False))
        .order_by(LibraryFolder.name)))


def tried_unmatched(session: Session, ids: Collection[int]) -> tuple[str, ...]:
    """Names of the folders among ``ids`` that a search left for the user, by name."""
    rows = session.execute(
        select(LibraryFolder.id, LibraryFolder.name)
        .where(LibraryFolder.state == FolderState.UNMATCHED, LibraryFolder.match_tried.is_(True))
        .order_by(LibraryFolder.name))
    wanted = set(ids)
    return tuple(name for folder_id, name in rows if folder_id in wanted)


def match_pending(sessions: sessionmaker[Session], clients: ClientFactory, root: Path,
                  progress: Progress | None = None) -> MatchResult:
    """Try every folder not tried yet; a failing site is skipped for the rest of the run."""
    with sessions() as session:
        ids = pending_folder_ids(session)
    matched = unmatched = 0
    with SiteClients(clients) as sites:
        for done, folder_id in enumerate(ids):
            if progress is not None:
                progress(done, len(ids))
            try:
                found = match_one(sessions, sites, root, folder_id)
            except SiteStopped as exc:
                logger.info("library folder left pending folder_id=%s site=%s", folder_id,
                            exc.site)
                continue
            if found:
                matched += 1
            else:
                unmatched += 1
        return MatchResult(matched, unmatched, sites.message)


def match_one(sessions: sessionmaker[Session], sites: SiteClients, root: Path,
              folder_id: int) -> bool:
    """Match one folder by its marker or its title; True if it is matched afterwards.

    Raises SiteStopped, leaving the folder pending, when a site it needs is not asked
    (any more) in this run.
    """
    with sessions() as session:
        folder = session.get(LibraryFolder, folder_id)
        if folder is None or folder.state != FolderState.UNMATCHED:
            return folder is not None and folder.state == FolderState.MATCHED
        title, year, marker_key = folder.title_guess, folder.year_guess, folder.marker_key
        marker_site = folder.marker_site or DEFAULT_SITE
    if marker_key:
        return _match_by_marker(sessions, sites, folder_id, marker_site, marker_key)
    results, found = _search_sites(sites, title, year)
    chosen = found.result
    snapshot = _fetch_on(sites, chosen.site, chosen.key) if chosen else None
    reason = found.reason
    if chosen is not None and snapshot is None:
        reason = Phrase("the site lists %(title)s but has no page for it any more",
                        title=repr(chosen.title))
    with sessions() as session:
        folder = session.get(LibraryFolder, folder_id)
        if folder is None or folder.state != FolderState.UNMATCHED:
            # Removed, ignored or resolved by the user while the site answered: theirs wins.
            return folder is not None and folder.state == FolderState.MATCHED
        if snapshot is not None:
            series = resolution.stored_series(session, snapshot)
            link(session, folder, series, root=root)
        else:
            folder.set_reason(reason)
            folder.match_tried = True
            folder.candidates = json.dumps(resolution.as_candidates(results), ensure_ascii=False)
        session.commit()
    logger.info("library folder matched=%s title=%r reason=%s", snapshot is not None, title,
                reason)
    return snapshot is not None


def _search_sites(sites: SiteClients, title: str,
                  year: int | None) -> tuple[list[SearchResult], Match]:
    """Every site's results (aniworld's first) and the confident match, if a site had one.

    s.to is searched only when aniworld.to has no confident match.
    """
    results: list[SearchResult] = []
    reasons: dict[str, str | Phrase] = {}
    for site in SITES:
        found, site_results = sites.call(site, lambda client: _search(client, title, year))
        results += site_results
        if found.result is not None:
            return results, found
        reasons[site] = found.reason
    return results, Match(None, 0.0, _reason(reasons))


def _search(client: SiteClient, title: str,
            year: int | None) -> tuple[Match, list[SearchResult]]:
    """One site's results for the folder title (and its head, see :func:`_head`)."""
    results = client.search(title[:200]) if title.strip() else []
    found = match_folder(title, year, results)
    head = _head(title)
    if found.result is None and head:
        known = {result.key for result in results}
        results += [r for r in client.search(head[:200]) if r.key not in known]
        found = match_folder(title, year, results)
    return found, results


def _reason(reasons: dict[str, str | Phrase]) -> str | Phrase:
    """One reason for all sites, or each site's own when they differ."""
    if len(set(reasons.values())) == 1:
        return next(iter(reasons.values()))
    return joined([Phrase("%(site)s: %(reason)s", site=SITE_LABELS[site], reason=reason)
                   for site, reason in reasons.items()], "; ")


def _head(title: str) -> str:
    """The title before " - ", searched when the whole title finds nothing confident.

    Folder names cannot hold ":" on Windows shares, so "Kämpfer des Lichts: Die Rückkehr"
    is written "Kämpfer des Lichts - Die Rückkehr" (Aniworld's own naming does this too)
    and the site's substring search finds nothing for it. The head finds the series; the
    comparison of whole normalised titles still decides.
    """
    head = title.split(" - ", 1)[0].strip(" -")
    return head if head and head != title.strip() else ""


def _fetch_on(sites: SiteClients, site: str, key: str) -> catalog.SeriesSnapshot | None:
    """The series ``key`` from ``site``, or None if the site no longer has it."""

    def fetch(client: SiteClient) -> catalog.SeriesSnapshot | None:
        try:
            return catalog.fetch_series(client, key)
        except SiteNotFound:
            return None

    return sites.call(site, fetch)


def _match_by_marker(sessions: sessionmaker[Session], sites: SiteClients, folder_id: int,
                     site: str, key: str) -> bool:
    """Re-create the marker's series from its site (the database lost it)."""
    snapshot = _fetch_on(sites, site, key)
    with sessions() as session:
        folder = session.get(LibraryFolder, folder_id)
        if folder is None or folder.state != FolderState.UNMATCHED:
            return folder is not None and folder.state == FolderState.MATCHED
        if snapshot is None:
            folder.match_tried = True
            folder.set_reason(Phrase("the marker names %(key)s, which the site does not know "
                                     "(any more)", key=repr(public_series_key(site, key))))
        else:
            link(session, folder, resolution.stored_series(session, snapshot), write=False)
        session.commit()
    return snapshot is not None
