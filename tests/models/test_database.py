"""Engine settings: SQLite pragmas, BEGIN IMMEDIATE, and nothing of that on PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from aniworld import database
from aniworld.database import BEGIN_MODE, make_engine
from aniworld.models import Base, Setting


def sqlite_engine(tmp_path: Path) -> Engine:
    """A configured engine on a new SQLite file with the tables created."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    Base.metadata.create_all(engine)
    return engine


def test_sqlite_pragmas_applied(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path)
    with engine.connect() as conn:
        pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000,
                      "synchronous": 1}


def test_transactions_begin_immediate_unless_asked_otherwise(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
    with Session(engine) as session:
        session.connection(execution_options={BEGIN_MODE: "DEFERRED"})
    engine.dispose()
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def test_read_then_write_waits_instead_of_failing(tmp_path: Path) -> None:
    """A writer that read first must not die with "database is locked" (SQLITE_BUSY_SNAPSHOT)."""
    engine = sqlite_engine(tmp_path)
    errors: list[BaseException] = []

    other_begins = threading.Event()

    def note_begin(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("BEGIN") and threading.current_thread().name == "other-writer":
            other_begins.set()

    event.listen(engine, "before_cursor_execute", note_begin)

    def other_writer() -> None:
        try:
            with Session(engine) as other:
                other.add(Setting(key="b", value="2"))
                other.commit()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    with Session(engine) as session:
        session.get(Setting, "a")
        thread = threading.Thread(target=other_writer, name="other-writer")
        thread.start()
        # The other writer is at its BEGIN while this session holds the write lock (no
        # fixed sleep hoping the thread got there).
        assert other_begins.wait(timeout=30)
        session.add(Setting(key="a", value="1"))
        session.commit()
    thread.join(timeout=10)
    engine.dispose()
    assert errors == []


def test_hooks_registered_for_sqlite_only(tmp_path: Path) -> None:
    sqlite = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    postgres = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    registered = {engine.dialect.name: (event.contains(engine, "connect", database._on_connect),
                                        event.contains(engine, "begin", database._on_begin))
                  for engine in (sqlite, postgres)}
    assert registered == {"sqlite": (True, True), "postgresql": (False, False)}
