"""When background work needs a person: a site on hold (captcha, browser check) or a full disk.

The site client puts a site on hold when it refuses us as a bot (``site/limiter.py``);
every item and round that meets the hold afterwards fails or stops the same way. This
module turns that into one :class:`ActionNeeded` per hold, not one per item: a Redis key
that lives as long as the hold says it was already published. The disk reserve stops
every download alike, so it is published at most once per :data:`DISK_NOTICE_SECONDS`.
Nothing here may fail the work that calls it: errors are logged.
"""

from __future__ import annotations

import logging

import redis

from aniworld.downloader import InsufficientDiskSpace
from aniworld.errors import AniworldError
from aniworld.phrases import Phrase
from aniworld.services.settings import AppSettings, effective_site_settings
from aniworld.site.limiter import SiteLimiter
from aniworld.sites import SITE_LABELS, SITES
from aniworld.tasks.events import ActionKind, ActionNeeded, publish
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)

DISK_NOTICE_SECONDS = 1800
_KEY = "aniworld:attention:{}"
# The hold's reason (limiter.HOLD_REASONS) -> what the person has to do.
HOLD_KINDS = {
    "captcha_required": ActionKind.CAPTCHA,
    "play_gate_required": ActionKind.CAPTCHA,
    "site_spam_blocked": ActionKind.CAPTCHA,  # its page asks to solve a captcha
    "site_challenge": ActionKind.SITE_CHALLENGE,
}


def after_failure(runtime: Runtime, settings: AppSettings, site: str,
                  error: BaseException, item_id: int) -> None:
    """After a download attempt failed: report a full disk or ``site``'s hold, once."""
    try:
        if isinstance(error, InsufficientDiskSpace):
            if _first(runtime, "disk", DISK_NOTICE_SECONDS):
                publish(runtime, ActionNeeded(ActionKind.DISK_RESERVE, error.phrase,
                                              item_id=item_id))
            return
        report_site_hold(runtime, settings, site, item_id)
    except Exception:  # noqa: BLE001 - a report must never change the item's outcome
        logger.exception("action-needed check failed item=%s", item_id)


def report_site_holds(runtime: Runtime, settings: AppSettings) -> None:
    """After a round or scan: report every site on hold that was not reported yet."""
    for site in SITES:
        try:
            report_site_hold(runtime, settings, site)
        except Exception:  # noqa: BLE001 - the round's outcome is already recorded
            logger.exception("action-needed check failed site=%s", site)


def report_site_hold(runtime: Runtime, settings: AppSettings, site: str,
                     item_id: int | None = None) -> bool:
    """Publish ``site``'s hold unless it was published already; True if it was now."""
    try:
        base_url = effective_site_settings(runtime.config, settings, site).base_url
    except AniworldError:
        return False  # unusable site settings: that item's own error says so
    hold = SiteLimiter(base_url, runtime.redis).notice()
    if hold is None or not _first(runtime, f"hold:{site}", hold.seconds_left):
        return False
    kind = HOLD_KINDS.get(hold.reason, ActionKind.SITE_CHALLENGE)
    label = SITE_LABELS.get(site, site)
    logger.info("action needed site=%s reason=%s", site, hold.reason)
    message = Phrase("%(site)s: %(hold)s", site=label, hold=hold.message)
    publish(runtime, ActionNeeded(kind, message, site, item_id))
    return True


def _first(runtime: Runtime, name: str, seconds: float) -> bool:
    """Claim the report ``name`` for ``seconds``; False if it is claimed (or Redis is away)."""
    try:
        return bool(runtime.redis.set(_KEY.format(name), 1, nx=True,
                                      px=max(1000, int(seconds * 1000))))
    except redis.RedisError as exc:
        logger.warning("action-needed report skipped name=%s error=%s", name, exc)
        return False
