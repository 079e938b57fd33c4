"""``flask`` commands: ``init`` (run at every start), ``create-api-key``, ``setup-token``."""

from __future__ import annotations

import logging
import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.services import credentials

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(init_command)
    app.cli.add_command(create_api_key_command)
    app.cli.add_command(setup_token_command)


def initialise_instance(config: Config) -> str | None:
    """Apply ``ANIWORLD_MASTER_PASSWORD`` / ``ANIWORLD_API_KEY`` and return a set-up token.

    The token is None once a master password exists.
    """
    if config.master_password and not credentials.has_password(db.session):
        credentials.set_password(db.session, config.master_password)
        logger.info("master password set from ANIWORLD_MASTER_PASSWORD")
    if config.api_key:
        credentials.provision_api_key(db.session, config.api_key)
    token = credentials.ensure_setup_token(db.session)
    db.session.commit()
    return token


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Prepare the instance at start and print the set-up token while it is unclaimed."""
    token = initialise_instance(current_app.extensions["aniworld.config"])
    click.echo(f"Aniworld will answer at {public_url(os.environ.get('ANIWORLD_BIND', ''))}")
    if token:
        click.echo(f"Aniworld is not set up yet. Set-up token: {token}")
        click.echo("Open the web page, choose /setup, and enter this token with a new password.")
        logger.warning("instance unclaimed; set-up token=%s", token)


def public_url(bind: str) -> str:
    """Return the URL a browser on this machine opens for a gunicorn ``bind`` value."""
    host, _, port = (bind or "0.0.0.0:8000").rpartition(":")
    if host in {"", "0.0.0.0", "[::]"}:
        host = "localhost"
    return f"http://{host}:{port or 8000}/"


@click.command("create-api-key")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the key.")
@with_appcontext
def create_api_key_command(name: str) -> None:
    """Create an API key and print it (it is shown only this once)."""
    _row, plain = credentials.create_api_key(db.session, name)
    db.session.commit()
    click.echo(plain)


@click.command("setup-token")
@with_appcontext
def setup_token_command() -> None:
    """Print the current set-up token (nothing once the instance is claimed)."""
    token = credentials.ensure_setup_token(db.session)
    db.session.commit()
    click.echo(token or "The instance is already set up.")
