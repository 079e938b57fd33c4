"""Aniworld: keep a local anime library complete. ``create_app`` builds the web app."""

from __future__ import annotations

from flask import Flask

from aniworld.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the Flask app from ``config`` (default: the environment)."""
    from aniworld.web import init_web

    config = config or Config.from_env()
    app = Flask(
        __name__,
        instance_path=str(config.data_dir),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(flask_settings(config))
    app.extensions["aniworld.config"] = config
    init_web(app)
    return app


def flask_settings(config: Config) -> dict[str, object]:
    """Translate Aniworld's settings into Flask and extension settings."""
    return {
        "SECRET_KEY": config.secret_key,
        "SQLALCHEMY_DATABASE_URI": config.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "aniworld_session",
        "REMEMBER_COOKIE_NAME": "aniworld_remember",
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 30 * 24 * 3600,
        # Checked explicitly in the request guard: API-key requests are exempt, cookies are not.
        "WTF_CSRF_CHECK_DEFAULT": False,
        # A queue tab stays open for days; tie the token to the session, not to the clock.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
    }
