"""Everything that imports Flask: extensions wiring, blueprints, request guards, errors."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from aniworld.config import Config
from aniworld.database import configure_engine
from aniworld.extensions import csrf, db, login_manager, migrate
from aniworld.logging_setup import configure_logging
from aniworld.web.ids import IdConverter


def init_web(app: Flask) -> None:
    """Bind extensions, guards, error handlers, CLI commands and blueprints to ``app``."""
    from aniworld.web import (
        api,
        artwork,
        auth,
        bridge,
        cli,
        context,
        errors,
        i18n,
        library,
        media_server,
        metrics,
        notifications,
        pages,
        qbittorrent,
        queue,
        search,
        security,
        series,
        settings,
        status,
        torznab,
        wanted,
    )

    config: Config = app.extensions["aniworld.config"]
    configure_logging(config.data_dir, config.log_level)
    app.wsgi_app = security.SecureCookiesOverHttps(app.wsgi_app)  # type: ignore[method-assign]
    if config.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    context.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    # Before the blueprints: each rule picks its converter when it is added to the map.
    app.url_map.converters["int"] = IdConverter
    for blueprint in (auth.bp, pages.bp, api.bp, library.bp, wanted.bp, search.bp, series.bp,
                      queue.bp, settings.bp, status.bp, notifications.bp, media_server.bp,
                      artwork.bp, torznab.bp, qbittorrent.bp, bridge.bp, metrics.bp, i18n.bp):
        app.register_blueprint(blueprint)


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "migrations"
