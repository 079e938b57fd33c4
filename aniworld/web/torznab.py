"""The Torznab indexer Sonarr and Prowlarr search (authenticated by its apikey parameter).

``GET /torznab/api?t=caps|search|tvsearch&apikey=<Aniworld API key>``; Sonarr's settings:
URL ``http://<host>:<port>/torznab``, API path ``/api``. Errors are Newznab ``<error>``
documents with status 200, because Sonarr reads the code only from a parsed answer (a 401
would show as "unable to connect" instead of "wrong API key").
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.services import credentials
from aniworld.services.bridge import catalogue, feed
from aniworld.services.bridge.catalogue import Release, TorznabQuery
from aniworld.services.throttle import LoginThrottle
from aniworld.sites import public_series_key
from aniworld.web.resources import get_redis
from aniworld.web.security import API_KEY_FAILURE_LIMIT

logger = logging.getLogger(__name__)

bp = Blueprint("torznab", __name__, url_prefix="/torznab")

RSS_TYPE = "application/rss+xml; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
MAX_QUERY = 200


def _xml(body: bytes, mimetype: str = XML_TYPE) -> Response:
    return Response(body, mimetype=mimetype)


def _error(code: int, description: str) -> Response:
    return _xml(feed.error_xml(code, description))


@bp.get("/api")
def api() -> Response:
    """Answer ``t=caps``, ``t=search`` and ``t=tvsearch``."""
    refused = _authenticate()
    if refused is not None:
        return refused
    function = request.args.get("t", "")
    if function == "caps":
        return _xml(feed.caps_xml())
    if function not in ("search", "tvsearch"):
        return _error(feed.NO_SUCH_FUNCTION, f"No such function {function!r}; use caps, "
                      "search or tvsearch")
    try:
        query = parse_query(request.args)
    except ValidationError as exc:
        return _error(feed.BAD_PARAMETER, exc.message)
    page = catalogue.search(db.session, query) if query is not None else catalogue.ReleasePage()
    return _xml(feed.results_xml(page, _self_url(), _info_url), RSS_TYPE)


def _self_url() -> str:
    """This search's address without the API key (the feed repeats it in ``atom:link``)."""
    query = urlencode([(name, value) for name, value in request.args.items(multi=True)
                       if name.lower() != "apikey"])
    return f"{request.base_url}?{query}" if query else request.base_url


def _authenticate() -> Response | None:
    """None for a valid ``apikey``; else the Newznab error Sonarr shows as a wrong key."""
    throttle = LoginThrottle(get_redis(), limit=API_KEY_FAILURE_LIMIT, scope="api-key-failures")
    address = request.remote_addr or "unknown"
    if throttle.retry_after(address) is not None:
        return _error(feed.REQUEST_LIMIT, "Request limit reached")
    plain = request.args.get("apikey", "")
    key = credentials.find_api_key(db.session, plain) if plain else None
    if key is None:
        throttle.record_failure(address)
        logger.warning("torznab api key rejected address=%s", address)
        return _error(feed.WRONG_KEY, "Incorrect user credentials")
    db.session.commit()  # the key's last use
    return None


def parse_query(args: Mapping[str, str]) -> TorznabQuery | None:
    """The search the arguments ask for; None when it cannot match anything here.

    A daily series' ``ep=MM/DD`` or any non-numeric season or episode names no episode
    of this catalogue: an empty answer, not an error Sonarr would log as a failure.
    """
    text = args.get("q", "")[:MAX_QUERY]
    numbers = {}
    for name in ("season", "ep"):
        value = args.get(name, "").strip()
        if value and not value.isdecimal():
            return None
        numbers[name] = int(value) if value else None
    categories = frozenset(int(c) for c in args.get("cat", "").split(",") if c.strip().isdecimal())
    offset, limit = _whole(args, "offset", 0), _whole(args, "limit", catalogue.MAX_LIMIT)
    return TorznabQuery(text, numbers["season"], numbers["ep"], categories, offset,
                        max(1, min(limit, catalogue.MAX_LIMIT)))


def _whole(args: Mapping[str, str], name: str, default: int) -> int:
    value = args.get(name, "").strip()
    if not value:
        return default
    if not value.isdecimal():
        raise ValidationError(f"Incorrect parameter {name}: use a whole number", name)
    return int(value)


def _info_url(release: Release) -> str:
    key = public_series_key(release.id.site, release.id.slug)
    return url_for("series.show", key=key, season=release.id.season, _external=True)
