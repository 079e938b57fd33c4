"""Database fixtures: a fresh SQLite file per test, or a throw-away PostgreSQL schema.

Import the fixtures into a folder's ``conftest.py``; tests asking for ``session`` then run
once per backend, the PostgreSQL run marked ``postgres`` and skipped when it is unreachable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
import redis
from sqlalchemy import Engine, event, update
from sqlalchemy.orm import Session, sessionmaker

from aniworld.config import Config
from aniworld.database import make_engine
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, ItemStatus, Series, utcnow
from aniworld.services import catalog, execution
from aniworld.services import queue as queue_service
from aniworld.site import SiteClient
from aniworld.sites import DEFAULT_SITE
from aniworld.tasks.runtime import Runtime, build_runtime

if TYPE_CHECKING:
    from tests.fakesite.server import FakeSite

POSTGRES_HOST = "127.0.0.1:5432"
POSTGRES_DB = "test"
POSTGRES_USERS = ("root", "postgres")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_user() -> str:
    """Name of a user that can log in to the test database, or skip when none can."""
    errors = []
    for user in POSTGRES_USERS:
        try:
            psycopg.connect(_pg_conninfo(user), connect_timeout=2).close()
            return user
        except psycopg.OperationalError as exc:
            errors.append(f"{user}: {str(exc).strip().splitlines()[0]}")
    pytest.skip(f"PostgreSQL unreachable at {POSTGRES_HOST}/{POSTGRES_DB} "
                f"({'; '.join(errors)}); start it to run the postgres variant")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'aniworld.db'}"
        return
    user = request.getfixturevalue("postgres_user")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(user), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield (f"postgresql+psycopg://{user}@{POSTGRES_HOST}/{POSTGRES_DB}"
                   f"?options=-csearch_path%3D{schema}")
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A configured engine on the fresh database, with every table created."""
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Makes further sessions on the test database (e.g. a second worker)."""
    return sessionmaker(engine)


@pytest.fixture
def runtime(engine: Engine, redis_conn: redis.Redis, tmp_path: Path) -> Runtime:
    """What the scheduler or a worker process builds, on the test database and Redis."""
    config = Config.from_env({"ANIWORLD_DATA_DIR": str(tmp_path / "data"),
                              "ANIWORLD_LIBRARY_DIR": str(tmp_path / "library")})
    return Runtime(config, engine, sessionmaker(engine, expire_on_commit=False), redis_conn)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test database; tests commit like a view or job would."""
    with session_factory() as session:
        yield session


@pytest.fixture
def make_series(session: Session) -> Callable[..., Series]:
    """Factory adding a series (flushed, not committed) with sensible defaults."""
    counter = iter(range(1, 1_000_000))

    def make(**fields: Any) -> Series:
        number = next(counter)
        fields.setdefault("key", f"series-{number}")
        fields.setdefault("title", f"Series {number}")
        series = Series(**fields)
        session.add(series)
        session.flush()
        return series

    return make


def claim_item(session: Session, item_id: int) -> execution.Claim:
    """Start the download of a pending item the way a worker does: dispatch, then claim.

    The one way tests build a "downloading" row, so it always carries a lease (no commit).
    """
    job_id = f"download-{item_id}"
    # What dispatch_candidates does for the item it picks, aimed at this item.
    session.execute(update(DownloadItem)
                    .where(DownloadItem.id == item_id, DownloadItem.status == ItemStatus.PENDING)
                    .values(job_id=job_id, dispatched_at=utcnow()))
    claim = execution.claim(session, item_id, job_id)
    assert claim is not None, f"queue item {item_id} is not pending, so no job can claim it"
    return claim


def complete_item(session: Session, item_id: int, file_path: str = "/media/x.mkv") -> None:
    """Download a pending item to ``file_path`` through the leased path (no commit)."""
    claim = claim_item(session, item_id)
    assert execution.complete(session, item_id, claim.lease, file_path)


def fail_item(session: Session, item_id: int, error: str = "boom") -> None:
    """Let the download of a pending item fail for good through the leased path (no commit)."""
    claim = claim_item(session, item_id)
    assert execution.fail(session, item_id, claim.lease, error)


def run_download(runtime: Runtime, series_id: int, season: int, episode: int,
                 language: Language) -> DownloadItem:
    """Queue an episode and run its job in this process to the end; returns the final row."""
    with runtime.sessions() as session:
        series = session.get(Series, series_id)
        assert series is not None
        item = queue_service.add_item(session, series, season, episode, language)
        session.commit()
        return run_job(runtime, item.id)


def run_job(runtime: Runtime, item_id: int) -> DownloadItem:
    """Dispatch the next pending item (``item_id`` when it is the only one) and run the job
    of ``item_id`` in this process to the end; returns its final row."""
    from aniworld.tasks.download import runner

    with runtime.sessions() as session:
        execution.dispatch_candidates(session, 1, lambda item_id: f"download-{item_id}")
        session.commit()
    runner.run_item(runtime, item_id, f"download-{item_id}")
    with runtime.sessions() as session:
        row = session.get(DownloadItem, item_id)
        session.expunge(row)
        return row


def worker_runtime(folder: Path, redis_url: str, fakesite: FakeSite) -> Runtime:
    """A worker's runtime on a fresh SQLite file under ``folder``, reading both stand-in
    sites (library: ``folder/lib``)."""
    runtime = build_runtime(Config.from_env({
        "ANIWORLD_DATA_DIR": str(folder), "ANIWORLD_LIBRARY_DIR": str(folder / "lib"),
        "REDIS_URL": redis_url, "ANIWORLD_SITE_URL": fakesite.url,
        "ANIWORLD_STO_URL": fakesite.sto_url, "ANIWORLD_SITE_TRANSPORT": "requests",
        "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1"}))
    Base.metadata.create_all(runtime.engine)
    return runtime


def store_site_series(runtime: Runtime, key: str, site: str = DEFAULT_SITE) -> None:
    """Read the series ``key`` from the (stand-in) ``site`` and store it, as adding does."""
    with SiteClient(runtime.config.site_settings(site)) as client:
        snapshot = catalog.fetch_series(client, key)
    with runtime.sessions() as session:
        catalog.store_snapshot(session, snapshot)
        session.commit()


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL sent to the database (one entry per cursor execution)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _pg_conninfo(user: str) -> str:
    host, port = POSTGRES_HOST.split(":")
    return f"host={host} port={port} dbname={POSTGRES_DB} user={user}"
