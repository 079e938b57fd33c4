"""Run one queue item: claim it, pick hoster and language, download, record the outcome.

Fallback order: the next hoster first (hoster preference setting), then, if the item allows
it, the next language (language preference setting). Failures are classified once, in
``failures.py``: permanent ones fail the item now, transient ones retry it with back-off.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from aniworld.downloader import DownloadCancelled, DownloadStopped
from aniworld.errors import AniworldError
from aniworld.languages import Language
from aniworld.library import Marker, read_marker
from aniworld.library.swap import relative_to_library
from aniworld.phrases import N_, Phrase, either
from aniworld.services import execution
from aniworld.services.bridge.releases import file_name
from aniworld.services.execution import Claim
from aniworld.services.file_naming import episode_path
from aniworld.services.library.folders import write_series_marker
from aniworld.services.settings import AppSettings, effective_library_dir, load_settings
from aniworld.site.types import EpisodeHosters, HosterLink
from aniworld.sites import SITE_LABELS
from aniworld.tasks import attention
from aniworld.tasks.download import health, upgrade, workspace
from aniworld.tasks.download.attempt import Attempt
from aniworld.tasks.download.failures import (
    CandidateError,
    PermanentFailure,
    is_transient,
    summarise,
)
from aniworld.tasks.download.watch import Heartbeat
from aniworld.tasks.events import DownloadFailed, DownloadFinished, Event, publish
from aniworld.tasks.runtime import Runtime
from aniworld.tasks.site_clients import open_client

logger = logging.getLogger(__name__)

ALREADY_PRESENT = N_("already present in the library; not downloaded again")


class Outcome(StrEnum):
    """How a job ended, for the RQ result and the log."""

    COMPLETED = "completed"
    ALREADY_PRESENT = "already-present"
    RETRY = "retry-scheduled"
    FAILED = "failed"
    STOPPED = "stopped"
    SKIPPED = "skipped"


def run_item(runtime: Runtime, item_id: int, job_id: str) -> Outcome:
    """Execute the queue item ``item_id`` dispatched as ``job_id``."""
    with runtime.sessions() as session:
        claim = execution.claim(session, item_id, job_id)
        session.commit()
    if claim is None:
        logger.info("job skipped item=%s job=%s: no longer pending", item_id, job_id)
        return Outcome.SKIPPED
    with Heartbeat(runtime.sessions, item_id, claim.lease, runtime.config.lease_seconds):
        return _run_claimed(runtime, claim)


def _run_claimed(runtime: Runtime, claim: Claim) -> Outcome:
    """Everything after the claim; whatever raises ends as a counted attempt.

    An error escaping here would leave the item "downloading" with no attempt counted:
    the lease expires, the item is taken over and runs into the same error forever.
    """
    settings = AppSettings()  # the defaults decide retries if the stored ones cannot load
    try:
        with runtime.sessions() as session:
            settings = load_settings(session)
        return _execute(runtime, claim, settings)
    except DownloadStopped as stop:
        return _stopped(runtime, claim, stop, effective_library_dir(runtime.config, settings))
    except AniworldError as error:
        return _failed(runtime, claim, settings, error)
    except Exception as error:
        # A bug must count as an attempt (so the item ends failed instead of being taken
        # over and retried forever), and still reach RQ and the log with its traceback.
        logger.exception("unexpected error item=%s", claim.item_id)
        _failed(runtime, claim, settings, AniworldError(Phrase(
            "unexpected error (%(kind)s: %(error)s); see the worker log",
            kind=type(error).__name__, error=str(error))))
        raise


def _execute(runtime: Runtime, claim: Claim, settings: AppSettings) -> Outcome:
    library = effective_library_dir(runtime.config, settings)
    if claim.save_path:
        return _bridge_grab(runtime, claim, settings, library)
    claim = own_folder(library, claim, settings)
    if claim.upgrade_from is not None:
        return _upgrade(runtime, claim, settings, library)
    present = None if claim.force else _present_file(library, claim, settings)
    if present is not None:
        return _finish(runtime, claim, lambda s: execution.complete(
            s, claim.item_id, claim.lease, str(present), ALREADY_PRESENT), Outcome.ALREADY_PRESENT,
            DownloadFinished(claim.item_id, str(present), already_present=True))
    path = _download(runtime, claim, settings, library)
    workspace.discard_item(library, claim.item_id)
    folder = adopt_series_folder(library, claim, path)
    return _finish(runtime, claim, lambda s: execution.complete(
        s, claim.item_id, claim.lease, str(path), series_folder=folder), Outcome.COMPLETED,
        DownloadFinished(claim.item_id, str(path)))


def _bridge_grab(runtime: Runtime, claim: Claim, settings: AppSettings,
                 library: Path) -> Outcome:
    """A Sonarr grab: ``<save path>/<release title>.<ext>``, none of the library's steps.

    Sonarr imports and renames the file itself, so there is no series folder, marker or
    "already in the library" check; the partial data still lives in the library's work area.
    """
    path = bridge_path(claim, settings)
    if path.exists():
        raise PermanentFailure(Phrase(
            "%(path)s exists already; Aniworld never overwrites a file in a save path: move "
            "or delete it, then search again in Sonarr", path=str(path)))
    _download(runtime, claim, settings, library, into=path)
    workspace.discard_item(library, claim.item_id)
    return _finish(runtime, claim, lambda s: execution.complete(
        s, claim.item_id, claim.lease, str(path)), Outcome.COMPLETED,
        DownloadFinished(claim.item_id, str(path)))


def bridge_path(claim: Claim, settings: AppSettings) -> Path:
    """Where a bridge grab's file goes: its save path, named after its release."""
    name = claim.release_name or f"{claim.series_title} {claim.season}x{claim.episode}"
    return Path(claim.save_path or ".") / file_name(name, settings.container)


def _upgrade(runtime: Runtime, claim: Claim, settings: AppSettings, library: Path) -> Outcome:
    """Download the better copy into staging, then swap it in (see ``upgrade.py``)."""
    plan = upgrade.started_swap(library, claim.item_id)
    resumed = plan is not None
    if plan is None:
        final = target_path(library, claim, settings, claim.language)
        staged = upgrade.staged_path(library, claim.item_id, final)
        if not staged.is_file():
            _download(runtime, claim, settings, library, into=staged)
        plan = upgrade.plan(runtime, library, claim, staged, final)
    upgrade.swap_in(runtime, claim, library, plan, resumed)
    folder = adopt_series_folder(library, claim, plan.final)
    outcome = _finish(runtime, claim, lambda s: upgrade.complete(s, claim, library, plan, folder),
                      Outcome.COMPLETED, DownloadFinished(claim.item_id, str(plan.final)))
    workspace.discard_item(library, claim.item_id)  # the journal too: the database knows now
    return outcome


def adopt_series_folder(library: Path, claim: Claim, path: Path) -> str | None:
    """Mark the series folder a download landed in; return its name (None: no folder).

    The marker ties the folder to the series even if the database is lost, and a later
    scan links it without a site search.
    """
    relative = relative_to_library(library, path)
    if relative is None or len(relative.parts) < 2:
        return None
    folder = library / relative.parts[0]
    if read_marker(folder) is None:
        write_series_marker(folder, Marker(claim.series_site, claim.series_key,
                                           claim.series_title))
    return relative.parts[0]


def own_folder(library: Path, claim: Claim, settings: AppSettings) -> Claim:
    """The claim, given a folder of its own if the one its name renders to holds another series.

    A series of aniworld.to and one of s.to may share title and year; without this both
    would download into one folder whose marker names only one of them, and a scan would
    count the other's files as the first one's episodes.
    """
    if claim.series_folder:
        return claim
    relative = relative_to_library(library,
                                   target_path(library, claim, settings, claim.language))
    if relative is None or len(relative.parts) < 2:
        return claim
    marker = read_marker(library / relative.parts[0])
    if marker is None or (marker.site, marker.key) == (claim.series_site, claim.series_key):
        return claim
    label = SITE_LABELS.get(claim.series_site, claim.series_site)
    logger.info("series folder taken item=%s folder=%r by=%s/%s", claim.item_id,
                relative.parts[0], marker.site, marker.key)
    return replace(claim, series_folder=f"{relative.parts[0]} [{label}]")


def _download(runtime: Runtime, claim: Claim, settings: AppSettings, library: Path,
              into: Path | None = None) -> Path:
    """Download the item to its library path (or to ``into``); return the file."""
    # The series' own site: an s.to episode is read (and its /r?t= link resolved) on s.to,
    # with s.to's settings, limiter and hold.
    with open_client(runtime, settings, claim.series_site) as client:
        offers = client.episode_hosters(claim.series_key, claim.season, claim.episode)
        cooling = health.cooling(runtime, claim.series_site)
        errors: list[CandidateError] = []
        for candidate in _candidates(library, claim, settings, offers, cooling):
            attempt = Attempt(runtime, claim, settings, client, candidate)
            try:
                path = attempt.run(into or target_path(library, claim, settings,
                                                       candidate.language))
            except DownloadStopped:
                raise
            except AniworldError as error:
                health.record_failure(runtime, claim.series_site, candidate.hoster, error,
                                      settings)
                if not is_transient(error) and not _hoster_specific(error):
                    raise
                logger.warning("candidate failed item=%s hoster=%s language=%s error=%s",
                               claim.item_id, candidate.hoster, candidate.language, error)
                errors.append(CandidateError(candidate.hoster, candidate.language.phrase, error))
                continue
            health.record_success(runtime, claim.series_site, candidate.hoster,
                                  attempt.bytes_per_second)
            return path
    tried = either([language.phrase for language in _languages(claim, settings)])
    raise summarise(errors, Phrase("%(episode)s in %(languages)s", episode=_what(claim),
                                   languages=tried))


def _hoster_specific(error: AniworldError) -> bool:
    """Permanent for this hoster only (file gone, media refused): the next hoster may work."""
    from aniworld.downloader.errors import MediaUnavailable
    from aniworld.hosters import HosterError
    from aniworld.urlguard import BlockedUrl

    return isinstance(error, HosterError | MediaUnavailable | BlockedUrl)


def _languages(claim: Claim, settings: AppSettings) -> list[Language]:
    if not claim.language_fallback:
        return [claim.language]
    return [claim.language, *(lang for lang in settings.language_order if lang != claim.language)]


def _candidates(library: Path, claim: Claim, settings: AppSettings,
                offers: EpisodeHosters, cooling: frozenset[str] = frozenset(),
                ) -> Iterator[HosterLink]:
    """Yield the hoster links to try in preference order; a resumable attempt goes first.

    Hosters in ``cooling`` (breaker open) go last within their language, and never first
    for a resumable partial.
    """
    from aniworld.hosters import is_supported

    rank = {name.lower(): index for index, name in enumerate(settings.hoster_order)}
    ordered: list[HosterLink] = []
    for language in _languages(claim, settings):
        links = [link for link in offers.for_language(language) if is_supported(link.hoster)]
        links.sort(key=lambda link: (link.hoster.lower() in cooling,
                                     rank.get(link.hoster.lower(), len(rank))))
        ordered.extend(links)
    resumable = [c for c in ordered if c.hoster.lower() not in cooling and workspace.has_partial(
        workspace.work_dir(library, claim.item_id, c.hoster, c.language.value))]
    yield from resumable
    yield from (c for c in ordered if c not in resumable)


def target_path(library: Path, claim: Claim, settings: AppSettings, language: Language) -> Path:
    """Final library path of the item's file in ``language``."""
    return episode_path(library, settings, claim, language)


def _present_file(library: Path, claim: Claim, settings: AppSettings) -> Path | None:
    for language in _languages(claim, settings):
        path = target_path(library, claim, settings, language)
        if path.is_file() and path.stat().st_size > 0:
            return path
    return None


def _what(claim: Claim) -> str:
    from aniworld.models.download_item import episode_code

    return f"{claim.series_title} {episode_code(claim.season, claim.episode)}"


def _finish(runtime: Runtime, claim: Claim, write: Callable[[Session], bool],
            outcome: Outcome, event: Event | None = None) -> Outcome:
    """Record the outcome; once it is committed, publish ``event`` (never for a lost lease)."""
    with runtime.sessions() as session:
        recorded = write(session)
        if not recorded:
            logger.warning("outcome not recorded item=%s: lease lost", claim.item_id)
        session.commit()
    logger.info("job finished item=%s outcome=%s", claim.item_id, outcome)
    if recorded and event is not None:
        publish(runtime, event)
    return outcome


def _stopped(runtime: Runtime, claim: Claim, stop: DownloadStopped, library: Path) -> Outcome:
    if isinstance(stop, DownloadCancelled):
        workspace.discard_item(library, claim.item_id)
    return _finish(runtime, claim, lambda s: execution.release(s, claim.item_id, claim.lease),
                   Outcome.STOPPED)


def _failed(runtime: Runtime, claim: Claim, settings: AppSettings,
            error: AniworldError) -> Outcome:
    # A captcha, a browser check or the disk reserve needs a person: say so once.
    attention.after_failure(runtime, settings, claim.series_site, error, claim.item_id)
    message = error.phrase
    attempts = claim.attempts + 1
    if is_transient(error) and not isinstance(error, PermanentFailure) \
            and attempts < settings.max_attempts:
        # A site on hold says how long: do not come back before it ends.
        delay = max(settings.retry_delay(attempts),
                    math.ceil(getattr(error, "retry_after", 0) or 0))
        note = Phrase("%(message)s (attempt %(attempt)s of %(limit)s; retrying in %(delay)ss)",
                      message=message, attempt=attempts, limit=settings.max_attempts,
                      delay=delay)
        return _finish(runtime, claim, lambda s: execution.retry_later(
            s, claim.item_id, claim.lease, note, delay), Outcome.RETRY)
    if is_transient(error):
        message = Phrase("%(message)s (gave up after %(attempts)s attempts)",
                         message=message, attempts=attempts)
    return _finish(runtime, claim, lambda s: execution.fail(
        s, claim.item_id, claim.lease, message), Outcome.FAILED,
        DownloadFailed(claim.item_id, message))
