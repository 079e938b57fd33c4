"""A qBittorrent Web API v2 subset, so Sonarr can send grabs (authenticated by its SID cookie).

The calls and fields are those Sonarr's QBittorrentProxyV2 and the ``qbittorrent-api``
package send: every endpoint takes GET or POST, arguments as query or form fields
(``hashes`` separated by ``|``, ``urls`` by new lines, booleans as ``true``/``True``).
``auth/login`` takes the bridge user name (Settings, default ``aniworld``) and any Aniworld
API key as the password and answers ``Ok.`` with an ``SID`` cookie, or ``Fails.``; a
request without a live session gets 403, which both clients answer by logging in again.
``Authorization: Bearer <API key>`` (qBittorrent 5.2's API keys) works as well.

It claims to be qBittorrent 4.6.7 (Web API 2.9.3): new enough for ``content_path``,
``setShareLimits`` and categories with save paths, old enough that every Sonarr version
knows its state names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from flask import Blueprint, Response, jsonify, request

from aniworld.errors import AniworldError, ConflictError, NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import Priority
from aniworld.services import credentials
from aniworld.services.bridge import categories as category_service
from aniworld.services.bridge import grabs as grab_service
from aniworld.services.bridge import torrents
from aniworld.services.bridge.sessions import SESSION_SECONDS, BridgeSessions
from aniworld.services.settings import load_settings
from aniworld.services.throttle import LoginThrottle
from aniworld.web.resources import get_redis, kick_dispatcher, library_root
from aniworld.web.security import API_KEY_FAILURE_LIMIT
from aniworld.web.settings import integration

logger = logging.getLogger(__name__)

bp = Blueprint("qbittorrent", __name__, url_prefix="/api/v2")

APP_VERSION = "v4.6.7"
WEB_API_VERSION = "2.9.3"
COOKIE = "SID"
BOTH = ("GET", "POST")
TRUE_WORDS = frozenset({"true", "1", "yes"})


def _text(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _arg(name: str, default: str = "") -> str:
    return request.values.get(name, default)


def _flag(name: str) -> bool:
    return _arg(name).strip().lower() in TRUE_WORDS


def _hashes(name: str = "hashes") -> list[str] | None:
    """The hashes a call names (None: ``all``)."""
    value = _arg(name).strip()
    if value.lower() == "all":
        return None
    return [part.strip().lower() for part in value.split("|") if part.strip()]


def _sessions() -> BridgeSessions:
    return BridgeSessions(get_redis())


def _throttle() -> LoginThrottle:
    # Shared with the API's and Torznab's wrong keys: one budget of guesses per address.
    return LoginThrottle(get_redis(), limit=API_KEY_FAILURE_LIMIT, scope="api-key-failures")


@bp.errorhandler(AniworldError)
def _refused(exc: AniworldError) -> Response:
    """Errors as qBittorrent answers them: a status and a line of plain text."""
    db.session.rollback()
    status = 400 if isinstance(exc, ValidationError) else exc.status
    return _text(exc.message, status if status < 500 else 500)


@bp.errorhandler(redis.RedisError)
def _no_sessions(exc: redis.RedisError) -> Response:
    """Sessions live in Redis: without it nobody can log in; say so instead of a 500."""
    logger.warning("bridge sessions unavailable error=%s", exc)
    return _text("Aniworld's Redis is unreachable, and the bridge's logins live there; "
                 "try again in a moment", 503)


@bp.before_request
def _authenticate() -> Response | None:
    """Every call but ``auth/login`` needs a live SID session or a Bearer API key."""
    if request.endpoint == "qbittorrent.login":
        return None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return _bearer(header.removeprefix("Bearer ").strip())
    sid = request.cookies.get(COOKIE, "")
    sessions = _sessions()
    digest = sessions.key_of(sid)
    # The key must still exist before the session's idle timeout starts again.
    if digest is None or credentials.api_key_with_digest(db.session, digest) is None:
        return _text("Forbidden", 403)
    sessions.renew(sid, digest)
    return None


def _bearer(plain: str) -> Response | None:
    """None for a valid API key, unless the address has used up its guesses; else 403."""
    address = request.remote_addr or "unknown"
    throttle = _throttle()
    if throttle.retry_after(address) is not None:
        logger.warning("bridge bearer refused address=%s: too many wrong keys", address)
        return _text("Forbidden", 403)
    if credentials.find_api_key(db.session, plain) is not None:
        db.session.commit()
        return None
    throttle.record_failure(address)
    logger.warning("bridge bearer key rejected address=%s", address)
    return _text("Forbidden", 403)


@bp.route("/auth/login", methods=BOTH)
def login() -> Response:
    """``Ok.`` and an SID cookie for the bridge user and an API key; else ``Fails.``."""
    address = request.remote_addr or "unknown"
    throttle = _throttle()
    if throttle.retry_after(address) is not None:
        return _text("Your IP address has been banned after too many failed attempts", 403)
    username = integration("bridge_username")
    key = credentials.find_api_key(db.session, _arg("password")) if _arg("password") else None
    if key is None or _arg("username") != username:
        throttle.record_failure(address)
        logger.warning("bridge login refused address=%s user=%r", address, _arg("username"))
        db.session.rollback()
        return _text("Fails.")
    db.session.commit()
    response = _text("Ok.")
    response.set_cookie(COOKIE, _sessions().open(key.digest), max_age=SESSION_SECONDS,
                        httponly=True, samesite="Strict")
    logger.info("bridge login address=%s key=%s", address, key.prefix)
    return response


@bp.route("/auth/logout", methods=BOTH)
def logout() -> Response:
    """End the caller's session."""
    _sessions().close(request.cookies.get(COOKIE, ""))
    response = _text("")
    response.delete_cookie(COOKIE)
    return response


@bp.route("/app/version", methods=BOTH)
def version() -> Response:
    """The qBittorrent version this bridge behaves like."""
    return _text(APP_VERSION)


@bp.route("/app/webapiVersion", methods=BOTH)
def web_api_version() -> Response:
    """The Web API version this bridge speaks."""
    return _text(WEB_API_VERSION)


@bp.route("/app/buildInfo", methods=BOTH)
def build_info() -> Response:
    """Build details some clients ask for."""
    return jsonify({"qt": "6.4.2", "libtorrent": "2.0.10.0", "boost": "1.83.0",
                    "openssl": "3.0.13", "zlib": "1.3", "bitness": 64, "platform": "linux"})


@bp.route("/app/preferences", methods=BOTH)
def preferences() -> Response:
    """What Sonarr checks: the default save path, ratio limits, queueing and DHT."""
    settings = load_settings(db.session)
    bridge = category_service.load_bridge(db.session)
    return jsonify({
        "save_path": str(bridge.default_path(library_root())), "temp_path_enabled": False,
        "temp_path": "", "auto_tmm_enabled": True,
        "web_ui_username": integration("bridge_username"),
        # Ratio 0 is reached at once: Sonarr may remove (move) a finished grab after import.
        # Action 0 (pause) keeps Sonarr from warning that grabs vanish on their own.
        "max_ratio_enabled": True, "max_ratio": 0, "max_ratio_act": 0,
        "max_seeding_time_enabled": False, "max_seeding_time": -1,
        "max_inactive_seeding_time_enabled": False, "max_inactive_seeding_time": -1,
        "queueing_enabled": True, "max_active_downloads": settings.parallel_downloads,
        "max_active_torrents": settings.parallel_downloads, "max_active_uploads": 0,
        "dht": True, "pex": False, "lsd": False, "locale": "en",
    })


@bp.route("/app/setPreferences", methods=BOTH)
def set_preferences() -> Response:
    """Accepted and ignored: the bridge is configured on Aniworld's Settings page."""
    return _text("")


@bp.route("/app/defaultSavePath", methods=BOTH)
def default_save_path() -> Response:
    """Where grabs without a category go."""
    bridge = category_service.load_bridge(db.session)
    return _text(str(bridge.default_path(library_root())))


@bp.route("/torrents/categories", methods=BOTH)
def categories() -> Response:
    """Every category with the folder its grabs are saved in."""
    bridge = category_service.load_bridge(db.session)
    library = library_root()
    return jsonify({c.name: {"name": c.name, "savePath": str(bridge.path_of(c.name, library))}
                    for c in bridge.categories})


@bp.route("/torrents/createCategory", methods=BOTH)
def create_category() -> Response:
    """Add a category (409 if it exists, as qBittorrent)."""
    category_service.create_category(db.session, _arg("category"), _arg("savePath"))
    db.session.commit()
    return _text("")


@bp.route("/torrents/editCategory", methods=BOTH)
def edit_category() -> Response:
    """Change a category's save path (409 if there is no such category)."""
    try:
        category_service.edit_category(db.session, _arg("category"), _arg("savePath"))
    except NotFoundError as exc:
        raise ConflictError(exc.message) from None
    db.session.commit()
    return _text("")


@bp.route("/torrents/removeCategories", methods=BOTH)
def remove_categories() -> Response:
    """Delete categories (new-line separated names)."""
    category_service.remove_categories(db.session, _arg("categories").splitlines())
    db.session.commit()
    return _text("")


@bp.route("/torrents/add", methods=BOTH)
def add() -> Response:
    """Queue the releases of the magnet links in ``urls``; ``Ok.``, or ``Fails.`` if none."""
    links = [line.strip() for line in _arg("urls").splitlines() if line.strip()]
    if request.files or not links:
        logger.warning("bridge add refused: torrent files or no urls")
        return _text("Fails.")
    added = 0
    for link in links:
        try:
            item = grab_service.add_grab(db.session, link, _arg("category").strip(),
                                         library_root(), _arg("savepath"))
            if _flag("paused") or _flag("stopped"):
                grab_service.pause_grabs(db.session, [item.bridge_hash or ""])
            db.session.commit()
            added += 1
        except AniworldError as exc:
            db.session.rollback()
            logger.warning("bridge add refused link=%.80s error=%s", link, exc.message)
    if added:
        kick_dispatcher()
    return _text("Ok." if added else "Fails.")


@bp.route("/torrents/info", methods=BOTH)
def info() -> Response:
    """The grabs, filtered by ``filter``, ``category`` and ``hashes``, sorted and paged."""
    category = request.values.get("category")
    hashes = _hashes() if "hashes" in request.values else None
    items = grab_service.grabs(db.session, hashes, category)
    limit, offset = _int_arg("limit"), _int_arg("offset") or 0
    return jsonify(torrents.select_torrents(
        map(torrents.torrent_info, items), _arg("filter") or None, _arg("sort") or None,
        _flag("reverse"), limit, offset))


def _int_arg(name: str) -> int | None:
    value = _arg(name).strip()
    try:
        return int(value) if value else None
    except ValueError:
        raise ValidationError(f"{name} must be a whole number", name) from None


def _one() -> Any:
    """The grab named by ``hash`` (404 as qBittorrent when there is none)."""
    item = grab_service.find_grab(db.session, _arg("hash").strip())
    if item is None:
        raise NotFoundError("Not Found")
    return item


@bp.route("/torrents/properties", methods=BOTH)
def properties() -> Response:
    """One grab's properties (Sonarr reads ``save_path``)."""
    return jsonify(torrents.torrent_properties(_one()))


@bp.route("/torrents/files", methods=BOTH)
def files() -> Response:
    """One grab's file."""
    return jsonify(torrents.torrent_files(_one()))


def _on_grabs(change: Callable[..., object], *args: object, dispatch: bool = False) -> Response:
    """Apply ``change(session, hashes, *args)`` to the grabs the call names and commit."""
    change(db.session, _hashes(), *args)
    db.session.commit()
    if dispatch:
        kick_dispatcher()
    return _text("")


@bp.route("/torrents/delete", methods=BOTH)
def delete() -> Response:
    """Remove grabs; ``deleteFiles=true`` deletes their finished files too."""
    doomed = grab_service.delete_grabs(db.session, _hashes(), _flag("deleteFiles"))
    db.session.commit()
    grab_service.delete_files(doomed)
    kick_dispatcher()
    return _text("")


@bp.route("/torrents/pause", methods=BOTH)
@bp.route("/torrents/stop", methods=BOTH)
def pause() -> Response:
    """Hold grabs (``pause`` before Web API 2.11, ``stop`` after)."""
    return _on_grabs(grab_service.pause_grabs)


@bp.route("/torrents/resume", methods=BOTH)
@bp.route("/torrents/start", methods=BOTH)
def resume() -> Response:
    """Resume held grabs and retry failed ones."""
    return _on_grabs(grab_service.resume_grabs, dispatch=True)


@bp.route("/torrents/setCategory", methods=BOTH)
def set_category() -> Response:
    """Relabel grabs (Sonarr's "post-import category"); the files stay."""
    return _on_grabs(grab_service.label_grabs, _arg("category").strip())


@bp.route("/torrents/topPrio", methods=BOTH)
@bp.route("/torrents/bottomPrio", methods=BOTH)
def priority() -> Response:
    """``topPrio`` (Sonarr's "first" priority): high priority; ``bottomPrio``: low."""
    top = request.path.endswith("/topPrio")
    return _on_grabs(grab_service.prioritise_grabs, Priority.HIGH if top else Priority.LOW)


@bp.route("/torrents/setShareLimits", methods=BOTH)
@bp.route("/torrents/setForceStart", methods=BOTH)
@bp.route("/torrents/increasePrio", methods=BOTH)
@bp.route("/torrents/decreasePrio", methods=BOTH)
@bp.route("/torrents/addTags", methods=BOTH)
@bp.route("/torrents/removeTags", methods=BOTH)
def accepted() -> Response:
    """Calls Sonarr makes that mean nothing here (no seeding, no tags): accepted."""
    return _text("")


@bp.route("/torrents/tags", methods=BOTH)
def tags() -> Response:
    """No tags."""
    return jsonify([])


@bp.route("/torrents/count", methods=BOTH)
def count() -> Response:
    """How many grabs Sonarr sees."""
    return _text(str(len(grab_service.grabs(db.session))))
