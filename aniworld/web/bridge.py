"""Settings section of the Sonarr bridge: user name, save paths, categories, a self-test.

The section (``templates/settings/_bridge.html``) reads its data through the
``bridge_section()`` template function, so the settings page needs no knowledge of it.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _

from aniworld.errors import AniworldError, ValidationError
from aniworld.extensions import db
from aniworld.models import Priority
from aniworld.phrases import phrase_of
from aniworld.services import credentials
from aniworld.services.bridge import catalogue, feed
from aniworld.services.bridge import categories as category_service
from aniworld.services.bridge.catalogue import TorznabQuery
from aniworld.services.settings import field_errors, save_settings
from aniworld.web.i18n import localize
from aniworld.web.resources import library_root
from aniworld.web.settings import integration, render_section, saved

logger = logging.getLogger(__name__)

bp = Blueprint("bridge", __name__, url_prefix="/settings/bridge")

SECTION = "bridge"
TEST_RELEASES = 5


@bp.app_context_processor
def _template_functions() -> dict[str, Any]:
    return {"bridge_section": bridge_section}


def bridge_section() -> dict[str, Any]:
    """What the settings section shows: settings, categories, and the values for Sonarr."""
    bridge = category_service.load_bridge(db.session)
    library = library_root()
    root = urlsplit(request.url_root)
    port = root.port or (443 if root.scheme == "https" else 80)
    return {
        "username": integration("bridge_username"),
        "save_path": bridge.save_path or "",
        "default_path": str(bridge.default_path(library)),
        "categories": [{"name": c.name, "save_path": c.save_path,
                        "path": str(bridge.path_of(c.name, library)),
                        "priority": c.priority.label} for c in bridge.categories],
        "priorities": [priority.label for priority in Priority],
        "torznab_url": request.url_root.rstrip("/") + "/torznab",
        "api_path": "/api",
        "host": root.hostname, "port": port, "ssl": root.scheme == "https",
        "url_base": request.script_root or "",
        "has_keys": bool(credentials.list_api_keys(db.session)),
    }


@bp.post("/")
def save() -> Response:
    """Store the user name Sonarr logs in with and the default save path."""
    username = request.form.get("bridge_username", "").strip()
    errors = field_errors(bridge_username=username)
    try:
        category_service.check_save_path(request.form.get("save_path", ""), "save_path")
    except ValidationError as exc:
        errors["save_path"] = localize(exc)
    if errors:
        return render_section(SECTION, errors=errors)
    save_settings(db.session, bridge_username=username)
    category_service.set_default_path(db.session, request.form.get("save_path") or None)
    db.session.commit()
    logger.info("bridge settings saved user=%s", username)
    return saved(SECTION, _("Sonarr bridge settings saved."))


@bp.post("/categories")
def add_category() -> Response:
    """Add a category with its save path (blank: the default's sub-folder) and priority."""
    form = request.form
    try:
        priority = Priority.parse(form.get("priority", "normal"))
        category_service.create_category(db.session, form.get("category", "").strip(),
                                         form.get("category_path", ""), priority)
    except ValueError as exc:
        return render_section(SECTION, errors={"priority": phrase_of(exc)})
    except AniworldError as exc:
        db.session.rollback()
        field = "category_path" if getattr(exc, "field", "") == "savePath" else "category"
        return render_section(SECTION, errors={field: localize(exc)})
    db.session.commit()
    return saved(SECTION, _("Category “%(category)s” added.",
                             category=form.get("category", "").strip()))


@bp.post("/categories/edit")
def edit_category() -> Response:
    """Change a category's save path and priority."""
    form = request.form
    name = form.get("category", "")
    try:
        category_service.edit_category(db.session, name, form.get("category_path", ""),
                                       Priority.parse(form.get("priority", "normal")))
    except (ValueError, AniworldError) as exc:
        db.session.rollback()
        problem = exc if isinstance(exc, AniworldError) else phrase_of(exc)
        return render_section(SECTION, errors={"form": localize(problem)})
    db.session.commit()
    return saved(SECTION, _("Category “%(category)s” saved.", category=name))


@bp.post("/categories/remove")
def remove_category() -> Response:
    """Delete a category (its grabs keep their folder)."""
    name = request.form.get("category", "")
    category_service.remove_categories(db.session, [name])
    db.session.commit()
    return saved(SECTION, _("Category “%(category)s” removed.", category=name))


@bp.post("/test")
def test() -> Response:
    """Run the indexer's caps and a search here, read the XML as Sonarr would, and report."""
    try:
        message = run_self_test()
    except (AniworldError, ET.ParseError, KeyError) as exc:
        logger.warning("bridge self-test failed error=%s", exc)
        return render_section(SECTION, errors={"form": _(
            "The Torznab test failed: %(error)s", error=exc)})
    return render_section(SECTION, notice=message)


def run_self_test() -> str:
    """Caps and the newest releases, parsed back from the XML; a sentence for the user."""
    caps = ET.fromstring(feed.caps_xml())
    tv_search = caps.find("searching/tv-search")
    if tv_search is None or tv_search.get("available") != "yes":
        raise KeyError("tv-search is not offered")
    categories = [c.get("id") for c in caps.iter() if c.tag in ("category", "subcat")]
    page = catalogue.search(db.session, TorznabQuery(limit=TEST_RELEASES))
    rss = ET.fromstring(feed.results_xml(page, url_for("torznab.api", _external=True),
                                         lambda release: ""))
    items = rss.findall("channel/item")
    found = (_("the newest search found %(num)s releases, e.g. “%(title)s”", num=len(items),
               title=items[0].findtext("title")) if items else
             _("the newest search found nothing: add a series to the library first (Sonarr "
               "only finds series that are in Aniworld)"))
    keys = "" if credentials.list_api_keys(db.session) else " " + _(
        "Create an API key below: Sonarr needs one as the indexer's key and the password.")
    return _("Torznab works: categories %(categories)s, tv-search with %(params)s; %(found)s.",
             categories=", ".join(filter(None, categories)),
             params=tv_search.get("supportedParams"), found=found) + keys
