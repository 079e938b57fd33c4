"""The settings page: one form per section, each posting to its own URL.

Without JavaScript a save redirects back to the page (post/redirect/get); with htmx the
section alone is re-rendered. Field errors are answered with 422 for full pages and with 200
for htmx, because htmx does not swap 4xx answers by default.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from aniworld.config import Config
from aniworld.errors import AniworldError, ValidationError
from aniworld.extensions import db
from aniworld.hosters import supported_hosters
from aniworld.languages import Language
from aniworld.phrases import Phrase, reason_about
from aniworld.services import credentials
from aniworld.services.file_naming import preview_path
from aniworld.services.integration_settings import INTEGRATION_DEFAULTS
from aniworld.services.library.monitoring import load_status as load_monitor_status
from aniworld.services.settings import (
    CONTAINERS,
    MAX_FULL_REFRESH_HOURS,
    MAX_HOLDING_DAYS,
    MAX_MONITOR_INTERVAL_HOURS,
    SITE_OVERRIDES,
    AppSettings,
    effective_library_dir,
    effective_site_settings,
    field_errors,
    integration_value,
    load_settings,
    save_settings,
)
from aniworld.services.settings_changes import cookies_problem, hoster_names
from aniworld.site.doh import CHOICES as DOH_CHOICES
from aniworld.site.settings import TRANSPORT_NAMES
from aniworld.sites import ANIWORLD, DEFAULT_SITE, SITE_LABELS, STO
from aniworld.web.htmx import is_htmx, render
from aniworld.web.i18n import localize
from aniworld.web.resources import end_bridge_sessions, end_site_hold

logger = logging.getLogger(__name__)

bp = Blueprint("settings", __name__, url_prefix="/settings")

MIB = 1024**2
GIB = 1024**3
MAX_MIB_PER_SECOND = 10 * 1024
MAX_RESERVE_GIB = 10 * 1024
SAVED = {
    "library": _l("Library settings saved."),
    "languages": _l("Language preferences saved."),
    "interface": _l("Language and time zone saved."),
    "hosters": _l("Hoster preferences saved."),
    "downloads": _l("Download settings saved."),
    "monitoring": _l("Monitoring settings saved."),
    "naming": _l("Naming template saved."),
    "site": _l("%(site)s settings saved.", site=SITE_LABELS[ANIWORLD]),
    "sto": _l("%(site)s settings saved.", site=SITE_LABELS[STO]),
}
# The settings sections of the sites: section -> site.
SITE_SECTIONS = {"site": ANIWORLD, "sto": STO}
Form = MultiDict[str, str]
# A field's error: a service's phrase (or error), or a text already in the page's language.
Message = str | Phrase | AniworldError
Errors = dict[str, Message]
Parsed = tuple[dict[str, Any], Errors]


def _config() -> Config:
    return current_app.extensions["aniworld.config"]


def integration(name: str) -> Any:
    """The media-stack setting ``name`` in effect: stored, else environment, else default."""
    return integration_value(_config(), load_settings(db.session), name)


@bp.get("/")
def index() -> Response:
    """Show every settings section."""
    return render_section("library", full=True)


def render_section(section: str, *, errors: Mapping[str, Message] | None = None,
                   notice: str | None = None, full: bool = False, **extra: Any) -> Response:
    """The section's partial for htmx, else the whole page; 422 for a full page with errors."""
    errors = {name: _humanize(name, message) for name, message in (errors or {}).items()}
    form = request.form if errors else None
    status = 422 if errors and not is_htmx() else 200
    partial = "settings/index.html" if full else f"settings/_{section}.html"
    return render("settings/index.html", partial, status, section=section, errors=errors,
                  notice=notice, **_page_context(form), **extra)


def saved(section: str, message: str) -> Response:
    """After a successful save: the section with a notice for htmx, else redirect to the page."""
    message = str(message)  # a lazy translation becomes text before it enters the session
    if is_htmx():
        return render_section(section, notice=message)
    flash(message)
    return redirect(url_for("settings.index", _anchor=f"settings-{section}"))


def _humanize(name: str, message: Message) -> str:
    """The message in the page's language without the leading field name (it is shown
    beside the field already), starting with a capital."""
    if isinstance(message, AniworldError):
        message = message.phrase
    text = localize(reason_about(message, name))
    for prefix in (f"{name}: ", f"{name} "):  # English text of a caller that kept no phrase
        if text.startswith(prefix):
            text = text.removeprefix(prefix)
            break
    return text[:1].upper() + text[1:]


def _page_context(form: Form | None) -> dict[str, Any]:
    settings = load_settings(db.session)
    values = _values(settings)
    if form is not None:
        _overlay(values, form)
    path, preview_error = _preview(values["naming_template"])
    return {"settings": settings, "values": values, "config": _config(),
            "languages": list(Language), "hosters": supported_hosters(),
            "containers": CONTAINERS, "transports": TRANSPORT_NAMES, "doh_choices": DOH_CHOICES,
            "site_forms": _site_forms(settings), "api_keys": credentials.list_api_keys(
                db.session), "preview_path": path, "preview_error": preview_error,
            "library_dir": effective_library_dir(_config(), settings),
            "max_holding_days": MAX_HOLDING_DAYS,
            "monitor": _monitor_state(settings),
            "integrations": {name: integration_value(_config(), settings, name)
                             for name in INTEGRATION_DEFAULTS}}


def _values(settings: AppSettings) -> dict[str, Any]:
    """What each form field shows (never the cookies or a password)."""
    return {
        "library_dir": settings.library_dir or "",
        "language_order": [language.value for language in settings.language_order],
        "language_fallback": settings.language_fallback,
        "hoster_order": "\n".join(settings.hoster_order),
        "parallel_downloads": settings.parallel_downloads,
        "bandwidth_limit": _trim(settings.bandwidth_limit / MIB),
        "disk_reserve": _trim(settings.disk_reserve / GIB),
        "container": settings.container,
        "max_attempts": settings.max_attempts,
        "breaker_failures": settings.breaker_failures,
        "breaker_cooldown_minutes": settings.breaker_cooldown_minutes,
        "monitor_interval_hours": settings.monitor_interval_hours,
        "holding_days": settings.holding_days,
        "monitor_full_refresh_hours": settings.monitor_full_refresh_hours,
        "naming_template": settings.naming_template,
        **{name: "" if getattr(settings, name) is None else getattr(settings, name)
           for fields in SITE_OVERRIDES.values() for name, target in fields.items()
           if target != "cookies"},
        "name": "",
    }


def _overlay(values: dict[str, Any], form: Form) -> None:
    """Show the submitted values again in the section that failed."""
    for name in values:
        if name in form:
            values[name] = form.getlist(name) if name == "language_order" else form[name]
    if "language_order" in form:
        values["language_fallback"] = form.get("language_fallback") == "on"


def _monitor_state(settings: AppSettings) -> dict[str, Any]:
    """When monitoring last checked and checks next, and what the last check found."""
    status = load_monitor_status(db.session)
    last = status.last_round()
    interval = settings.monitor_interval_hours
    upcoming = None
    if interval:
        upcoming = "soon" if last is None else last + timedelta(hours=interval)
    return {"last": last, "next": upcoming,
            "message": status.sentence, "failed": status.failed, "running": status.running,
            "max_hours": MAX_MONITOR_INTERVAL_HOURS, "max_full_hours": MAX_FULL_REFRESH_HOURS}


def _trim(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _site_forms(settings: AppSettings) -> dict[str, dict[str, Any]]:
    """Per site section: its site, field names, environment settings and cookie state."""
    forms = {}
    for section, site in SITE_SECTIONS.items():
        names = _site_names(site)
        environment = _config().site_settings(site)
        cookies = ("stored" if getattr(settings, names["cookies"])
                   else "environment" if environment.cookies else None)
        forms[section] = {"site": site, "names": names, "env": environment,
                          "cookies_state": cookies}
    return forms


def _site_names(site: str) -> dict[str, str]:
    """The stored settings' field of each SiteSettings field a site overrides (base_url → …)."""
    return {target: name for name, target in SITE_OVERRIDES[site].items()}


def _save(section: str, parse: Callable[[Form], Parsed]) -> Response:
    """Parse the section's form, validate every field, store and answer."""
    changes, errors = parse(request.form)
    errors = {**field_errors(**changes), **errors}
    if not errors:
        errors = _store(changes, SITE_SECTIONS.get(section, DEFAULT_SITE))
    if errors:
        return render_section(section, errors=errors)
    db.session.commit()
    logger.info("settings saved section=%s fields=%s", section, ",".join(sorted(changes)))
    return saved(section, SAVED[section])


def _store(changes: dict[str, Any], site: str) -> Errors:
    try:
        settings = save_settings(db.session, **changes)
        # Combinations (a SOCKS proxy with 'requests', env + stored values) only show here.
        effective_site_settings(_config(), settings, site)
    except ValidationError as exc:
        db.session.rollback()
        return {exc.field or "form": exc.phrase}
    return {}


@bp.post("/library")
def library() -> Response:
    """Store the library folder (blank: ANIWORLD_LIBRARY_DIR) and the holding days."""
    def parse(form: Form) -> Parsed:
        changes: dict[str, Any] = {"library_dir": _text(form, "library_dir")}
        errors: Errors = {}
        if "holding_days" in form:
            _whole(form, "holding_days", changes, errors)
        return changes, errors

    return _save("library", parse)


@bp.post("/languages")
def languages() -> Response:
    """Store the language preference order and the fallback default."""
    return _save("languages", lambda form: ({
        "language_order": form.getlist("language_order"),
        "language_fallback": form.get("language_fallback") == "on"}, {}))


@bp.post("/interface")
def interface() -> Response:
    """Store the pages' default language and time zone."""
    return _save("interface", lambda form: ({
        "ui_language": form.get("ui_language", ""),
        "ui_timezone": form.get("ui_timezone", "").strip()}, {}))


@bp.post("/hosters")
def hosters() -> Response:
    """Store the hoster preference order."""
    return _save("hosters", _parse_hosters)


@bp.post("/downloads")
def downloads() -> Response:
    """Store parallel downloads, bandwidth limit, disk reserve, container and attempts."""
    return _save("downloads", _parse_downloads)


@bp.post("/monitoring")
def monitoring() -> Response:
    """Store the hours between two checks (0 = off) and between two full reads of a series."""
    def parse(form: Form) -> Parsed:
        changes: dict[str, Any] = {}
        errors: Errors = {}
        for name in ("monitor_interval_hours", "monitor_full_refresh_hours"):
            if name in form:  # a client that sends one field leaves the other as it is
                _whole(form, name, changes, errors)
        return changes, errors

    return _save("monitoring", parse)


@bp.post("/naming")
def naming() -> Response:
    """Store the naming template."""
    return _save("naming", lambda form: ({"naming_template": form.get("naming_template", "")},
                                         {}))


@bp.post("/naming/preview")
def naming_preview() -> Response:
    """Render the path a real episode would get with the submitted template."""
    path, error = _preview(request.form.get("naming_template", ""))
    return render("settings/_naming_preview.html", "settings/_naming_preview.html",
                  preview_path=path, preview_error=error)


@bp.post("/site")
def site() -> Response:
    """Store aniworld.to's overrides (blank: the ANIWORLD_SITE_* value); ends its hold."""
    return _save_site("site")


@bp.post("/sto")
def sto() -> Response:
    """Store s.to's overrides (blank: the ANIWORLD_STO_* / site value); ends its hold."""
    return _save_site("sto")


def _save_site(section: str) -> Response:
    site = SITE_SECTIONS[section]
    end_site_hold(site)  # new cookies or a proxy are what the hold's message asks for
    return _save(section, lambda form: _parse_site(form, site))


def _text(form: Form, name: str) -> str | None:
    return form.get(name, "").strip() or None


def _parse_hosters(form: Form) -> Parsed:
    changes: dict[str, Any] = {}
    errors: Errors = {}
    for name in ("breaker_failures", "breaker_cooldown_minutes"):
        if name in form:
            _whole(form, name, changes, errors)
    names = [n.strip() for n in form.get("hoster_order", "").replace(",", "\n").splitlines()]
    try:
        changes["hoster_order"] = hoster_names([name for name in names if name])
    except ValidationError as exc:
        errors["hoster_order"] = exc.phrase
    return changes, errors


def _parse_downloads(form: Form) -> Parsed:
    changes: dict[str, Any] = {"container": form.get("container", "")}
    errors: Errors = {}
    for name in ("parallel_downloads", "max_attempts"):
        _whole(form, name, changes, errors)
    _scaled(form, "bandwidth_limit", MIB, MAX_MIB_PER_SECOND, "MB/s", changes, errors)
    _scaled(form, "disk_reserve", GIB, MAX_RESERVE_GIB, "GiB", changes, errors)
    return changes, errors


def _whole(form: Form, name: str, changes: dict[str, Any], errors: Errors) -> None:
    """Read a whole number into ``changes`` (blank is None) or an error into ``errors``."""
    text = form.get(name, "").strip()
    try:
        changes[name] = int(text) if text else None
    except ValueError:
        errors[name] = _("Enter a whole number")


def _scaled(form: Form, name: str, unit: int, maximum: int, label: str,
            changes: dict[str, Any], errors: Errors) -> None:
    """Read a decimal number of ``label`` units (0 to ``maximum``) as a whole number of bytes."""
    text = form.get(name, "").strip().replace(",", ".") or "0"
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not 0 <= number <= maximum:
        errors[name] = _("Enter a number of %(unit)s from 0 to %(maximum)d", unit=label,
                         maximum=maximum)
        return
    changes[name] = round(number * unit)


def _parse_site(form: Form, site: str) -> Parsed:
    """The section of ``site``: the overrides its form sends (blank: the environment's).

    Only fields present in the form change, so a section never clears a shared override
    it does not show. Cookies are replaced only by new text, or forgotten on request.
    """
    names = _site_names(site)
    url, cookies, ttl = names["base_url"], names["cookies"], names["cache_ttl"]
    changes: dict[str, Any] = {name: _text(form, name) for name in names.values()
                               if name in form and name not in (cookies, ttl)}
    errors: Errors = {}
    if ttl in form:
        _whole(form, ttl, changes, errors)
    if form.get(f"{cookies}_clear") == "on":
        changes[cookies] = None
    elif form.get(cookies, "").strip():
        changes[cookies] = form[cookies].strip()
        urls = changes[url] if url in changes else getattr(load_settings(db.session), url)
        problem = cookies_problem(changes[cookies],
                                  urls or _config().site_settings(site).base_url)
        if problem:
            errors[cookies] = problem
    return changes, errors


@bp.post("/api-keys")
def create_api_key() -> Response:
    """Create an API key and show the plain key this one time."""
    try:
        row, plain = credentials.create_api_key(db.session, request.form.get("name", ""))
    except ValidationError as exc:
        return render_section("api_keys", errors={exc.field or "name": exc.phrase})
    db.session.commit()
    logger.info("api key created id=%s prefix=%s", row.id, row.prefix)
    # Rendered, not redirected: a flash would put the key into the (only signed) cookie.
    response = render_section("api_keys", new_key=plain, new_key_name=row.name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api-keys/<int:key_id>", methods=["POST", "DELETE"])
def revoke_api_key(key_id: int) -> Response:
    """Revoke an API key (DELETE from htmx, POST from a plain form)."""
    digest = credentials.revoke_api_key(db.session, key_id)
    db.session.commit()
    end_bridge_sessions(digest)
    logger.info("api key revoked id=%s", key_id)
    return saved("api_keys", _("API key revoked."))


def _preview(template: str) -> tuple[Path | None, str | None]:
    """(path, None) for a usable template, else (None, message)."""
    settings = load_settings(db.session)
    try:
        settings = replace(settings, naming_template=template)
        library = effective_library_dir(_config(), settings)
        return preview_path(db.session, library, settings), None
    except ValidationError as exc:
        return None, _humanize("naming_template", exc.phrase)
