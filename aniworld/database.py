"""Engine creation and the SQLite connection settings that let several processes write."""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

logger = logging.getLogger(__name__)

# Execution option naming the SQLite BEGIN mode of a transaction, e.g.
# ``session.connection(execution_options={BEGIN_MODE: "DEFERRED"})`` for a read-only poller.
BEGIN_MODE = "aniworld_sqlite_begin"
BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})

_PRAGMAS = (
    # WAL lets readers and the single writer proceed side by side.
    "PRAGMA journal_mode=WAL",
    # SQLite ignores ON DELETE CASCADE unless this is on, per connection.
    "PRAGMA foreign_keys=ON",
    # Wait for the write lock instead of failing with "database is locked" at once.
    "PRAGMA busy_timeout=30000",
    # Durable across application crashes under WAL; only a power loss may drop the last commits.
    "PRAGMA synchronous=NORMAL",
)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` and apply :func:`configure_engine` to it."""
    engine = create_engine(url, **kwargs)
    configure_engine(engine)
    return engine


def configure_engine(engine: Engine) -> None:
    """Register the SQLite pragmas and ``BEGIN IMMEDIATE`` hooks; a no-op for other dialects.

    Call it before the engine hands out its first connection: the pragmas are applied in a
    ``connect`` hook, so connections already in the pool would miss them.
    """
    if engine.dialect.name != "sqlite":
        return
    _create_private(engine.url.database)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    logger.info("sqlite configured url=%s sqlite_version=%s",
                engine.url.render_as_string(hide_password=True), sqlite3.sqlite_version)


def _create_private(database: str | None) -> None:
    """Create a missing SQLite database file readable by its owner only.

    SQLite gives the -wal and -shm files the permissions of the database file, so they
    follow; without this all three would be world-readable under the usual umask 022.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)  # whatever the umask
    os.close(fd)


def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Hand transaction control to SQLAlchemy and apply the pragmas."""
    # pysqlite's legacy mode would begin transactions lazily (and never before a SELECT);
    # with isolation_level None it leaves BEGIN to the "begin" hook below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_begin(connection: Connection) -> None:
    """Start every transaction as ``BEGIN IMMEDIATE`` unless the connection asks otherwise."""
    # Under WAL a deferred transaction that reads and then writes fails at once with
    # SQLITE_BUSY (ignoring busy_timeout) when another process committed in between;
    # taking the write lock up front makes writers queue politely behind each other.
    mode = connection.get_execution_options().get(BEGIN_MODE, "IMMEDIATE")
    if mode not in BEGIN_MODES:
        raise ValueError(f"{BEGIN_MODE} must be one of {sorted(BEGIN_MODES)}, not {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")
