"""``GET /api/v1/health``: database and Redis reachability, no secrets."""

from __future__ import annotations

import logging

import redis
from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from aniworld.extensions import db
from aniworld.web.api import bp
from aniworld.web.resources import get_redis

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as exc:
        logger.warning("health database error=%s", exc)
        db.session.rollback()
        return False


def _redis_ok() -> bool:
    try:
        return bool(get_redis().ping())
    except redis.RedisError as exc:
        logger.warning("health redis error=%s", exc)
        return False


@bp.get("/health")
def health() -> tuple[Response, int]:
    """Report database and Redis status; 503 when either is down."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "degraded"}
    body.update({name: "ok" if ok else "unreachable" for name, ok in checks.items()})
    return jsonify(body), 200 if healthy else 503
