"""The worker's side of a language upgrade: stage the new file, check, swap, record.

An upgrade item (``Claim.upgrade_from`` set) downloads into
``<library>/.aniworld/partial/<item>/upgrade/`` instead of its final place, so the
downloader's checks (ffprobe opens it, the duration matches) pass before the library is
touched; a staged file exists only once it passed them (the downloader places it
atomically). Then :func:`aniworld.library.swap.run_swap` puts it in place and moves the old
copies to the holding folder.

A job that finds a swap journal or a staged file of its item finishes that instead of
downloading again: the worker died mid-swap and ``reconcile`` handed the item to a new job
after its lease ran out, or the user retried an item whose swap failed. The staging folder
(journal included) is deleted only after the item is recorded as completed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from aniworld.downloader import DownloadCancelled, DownloadPaused, StopRequested
from aniworld.library import swap
from aniworld.library.swap import SwapPlan
from aniworld.models import DownloadItem, ItemStatus
from aniworld.phrases import Phrase
from aniworld.services import execution
from aniworld.services.execution import Claim
from aniworld.services.library.upgrades import record_swap
from aniworld.tasks.download import workspace
from aniworld.tasks.download.watch import ItemWatch
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)

STAGING = "upgrade"


def staging_dir(library: Path, item_id: int) -> Path:
    """Where an upgrade's verified file and its swap journal wait."""
    return workspace.item_dir(library, item_id) / STAGING


def started_swap(library: Path, item_id: int) -> SwapPlan | None:
    """The plan of a swap this item began before, if any."""
    return swap.read_journal(staging_dir(library, item_id) / swap.JOURNAL)


def staged_path(library: Path, item_id: int, final: Path) -> Path:
    """The staged file of the item (only present once downloaded and verified)."""
    return staging_dir(library, item_id) / f"new{final.suffix}"


def plan(runtime: Runtime, library: Path, claim: Claim, staged: Path, final: Path) -> SwapPlan:
    """Where the held copies named by the item go: today's holding folder (UTC)."""
    today = datetime.now(UTC).date()
    return swap.plan_swap(staged, final, [library / path for path in claim.replaces], library,
                          swap.holding_root(runtime.config.data_dir), today)


def swap_in(runtime: Runtime, claim: Claim, library: Path, plan: SwapPlan,
            resumed: bool) -> None:
    """Run the swap; a fresh one only while the user still wants the item.

    A swap already begun is finished whatever happened to the item meanwhile: stopping
    half-way could leave two files of the episode in its folder.
    """
    if not resumed:
        verdict = ItemWatch(runtime.sessions, claim.item_id, claim.lease).should_stop()
        if verdict is StopRequested.CANCEL:
            raise DownloadCancelled(
                Phrase("cancelled before the new file replaced the old one")
            )
        if verdict is not None:
            raise DownloadPaused(Phrase("paused before the new file replaced the old one; the "
                                        "verified file is kept for the resume"))
    swap.run_swap(plan, staging_dir(library, claim.item_id) / swap.JOURNAL)


def complete(session: Session, claim: Claim, library: Path, plan: SwapPlan,
             series_folder: str | None) -> bool:
    """Mark the item completed and show the new file in the library (False: not ours).

    An item cancelled while its swap ran is not completed, but the files did move: the
    library is told all the same, or it would list the old copy and queue the upgrade again.
    """
    if not execution.complete(session, claim.item_id, claim.lease, str(plan.final),
                              series_folder=series_folder):
        item = session.get(DownloadItem, claim.item_id)
        if item is not None and item.status == ItemStatus.CANCELLED:
            record_swap(session, claim.item_id, library, plan.final,
                        [old for old, _ in plan.moves], plan.final.stat().st_size)
            logger.warning("upgrade cancelled after its swap item=%s path=%s",
                           claim.item_id, plan.final)
        return False
    record_swap(session, claim.item_id, library, plan.final,
                [old for old, _ in plan.moves], plan.final.stat().st_size)
    logger.info("upgrade completed item=%s path=%s replaced=%d", claim.item_id, plan.final,
                len(plan.moves))
    return True
