"""``flask`` commands: ``init`` (run at every start), ``create-api-key``, ``setup-token``, ``scan``.

``scan`` runs the library scan in this process, e.g. before the first worker is up.
"""

from __future__ import annotations

import logging
import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import sessionmaker

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.services import credentials
from aniworld.services.library import scan_state
from aniworld.services.settings import effective_library_dir, load_settings
from aniworld.tasks.scan import run_library_scan
from aniworld.web.library_actions import start_scan
from aniworld.web.resources import make_site_client

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(init_command)
    app.cli.add_command(create_api_key_command)
    app.cli.add_command(setup_token_command)
    app.cli.add_command(scan_command)


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
        # The token stays on the console: log files outlive it and reach other readers.
        logger.warning("instance unclaimed; `flask --app wsgi setup-token` prints the token")


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


@click.command("scan")
@click.option("--no-match", is_flag=True,
              help="Only read the folders; do not search the site for new ones.")
@click.option("--queue", "queue_only", is_flag=True,
              help="Hand the scan to the library worker instead of running it here.")
@with_appcontext
def scan_command(no_match: bool, queue_only: bool) -> None:
    """Scan the library folder now and print what was found."""
    if queue_only:
        if no_match:
            raise click.UsageError("--no-match applies only to a scan run here, not --queue")
        status = start_scan()
        click.echo(f"Library scan {status.state}: {status.phase or status.message}")
        return
    status = scan_state.load_status(db.session)
    if status.state == scan_state.RUNNING and not status.stale():
        # Two scans writing the same folder rows would trip over each other.
        raise click.ClickException("a library scan is running already; wait for it to finish")
    root = effective_library_dir(current_app.extensions["aniworld.config"],
                                 load_settings(db.session))
    db.session.rollback()  # the scan uses sessions of its own; hold no snapshot meanwhile
    sessions = sessionmaker(db.engine)
    try:
        summary = run_library_scan(sessions, root, make_site_client, match=not no_match)
    except OSError:
        # run_library_scan stored a sentence naming the folder and the cause; show the same one.
        with sessions() as session:
            raise click.ClickException(scan_state.load_status(session).message) from None
    click.echo(summary.message)
