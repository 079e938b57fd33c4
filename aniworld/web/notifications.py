"""Settings section of the notifications (Apprise URLs, events) and its test button.

The URLs carry tokens, so the page never shows them: only how many are stored and whether
``ANIWORLD_NOTIFY_URLS`` provides some. New text replaces the stored URLs, a checkbox
forgets them (the environment's apply again). The test sends at once, from the request,
and shows what Apprise answered.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from aniworld.config import Config
from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.notifications import messages, sender
from aniworld.phrases import stored
from aniworld.services import notifications
from aniworld.services.integration_settings import NOTIFY_EVENTS, split_notify_urls
from aniworld.services.settings import field_errors, load_settings, save_settings
from aniworld.web.i18n import localize
from aniworld.web.settings import render_section, saved

logger = logging.getLogger(__name__)

bp = Blueprint("notifications", __name__, url_prefix="/settings/notifications")

SECTION = "notifications"
# Seconds one URL may take while the user waits for the test's answer, and all of them
# (well inside gunicorn's 60 s request timeout).
TEST_TIMEOUT = 8.0
TEST_BUDGET = 40.0
EVENT_LABELS = {
    "completed": _l("Download completed (series, episode, language, size, file)"),
    "failed": _l("Download failed for good (with the reason)"),
    "action": _l("Action needed (captcha, site browser check, disk reserve reached)"),
    "monitor": _l("Monitoring queued new episodes (one message per check)"),
    "unmatched": _l("Library scan found folders it could not match"),
}


def _config() -> Config:
    return current_app.extensions["aniworld.config"]


@bp.app_template_global("notification_state")
def notification_state() -> dict[str, Any]:
    """What the section shows: URL counts and source, event switches, the last outcome."""
    settings = load_settings(db.session)
    environment = split_notify_urls(_config().integration("notify_urls") or "")
    status = notifications.load_status(db.session)
    return {"stored": len(split_notify_urls(settings.notify_urls or "")),
            "environment": len(environment),
            "source": notifications.targets(_config(), settings).source,
            "events": [(name, EVENT_LABELS[name], name in settings.notify_events)
                       for name in NOTIFY_EVENTS],
            "status": status, "error": localize(stored(status.error, status.error_phrase)),
            "error_at": status.error_at, "success_at": status.success_at}


@bp.post("/")
def save() -> Response:
    """Store the event switches and, when given, new URLs (or forget the stored ones)."""
    form = request.form
    changes: dict[str, Any] = {"notify_events": [e for e in form.getlist("notify_events")
                                                 if e in NOTIFY_EVENTS]}
    if form.get("notify_urls_clear") == "on":
        changes["notify_urls"] = None
    elif form.get("notify_urls", "").strip():
        changes["notify_urls"] = form["notify_urls"]
    errors = field_errors(**changes)
    if errors:
        return render_section(SECTION, errors=errors, notify_text=form.get("notify_urls", ""))
    try:
        save_settings(db.session, **changes)
    except ValidationError as exc:
        db.session.rollback()
        return render_section(SECTION, errors={exc.field or "form": exc})
    db.session.commit()
    logger.info("settings saved section=notifications fields=%s", ",".join(sorted(changes)))
    return saved(SECTION, _("Notification settings saved."))


@bp.post("/test")
def test() -> Response:
    """Send a test message to every URL in effect now and show the outcome."""
    settings = load_settings(db.session)
    urls = notifications.targets(_config(), settings).urls
    if not urls:
        return render_section(SECTION, test_error=_(
            "No notification URL is set: add one above (or set ANIWORLD_NOTIFY_URLS) and "
            "save first."))
    # Nothing is written while Apprise waits for the services: no transaction stays open.
    db.session.rollback()
    timeout = max(1.0, min(TEST_TIMEOUT, TEST_BUDGET / len(urls)))
    delivery = sender.send(urls, messages.test(notifications.locale(settings)),
                           timeout=timeout)
    notifications.record_delivery(db.session, delivery, "test")
    db.session.commit()
    logger.info("notification test urls=%s ok=%s", len(urls), delivery.ok)
    if not delivery.ok:
        return render_section(SECTION, test_error=_("The test failed: %(error)s",
                                                    error=localize(delivery.phrase)))
    return render_section(SECTION, notice=ngettext(
        "Test sent to %(num)d URL(s).", "Test sent to %(num)d URL(s).", len(urls)))
