"""Fixtures for the library services: a library folder on disk, the stand-in sites' clients.

Database fixtures (``session``, ``session_factory``, ``engine``) come from
``tests/db_fixtures.py``: every test asking for them runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library import scan_tree
from aniworld.library.scanner import RACY_WINDOW_NS
from aniworld.models import LibraryFile, LibraryFolder, Series
from aniworld.services import catalog
from aniworld.services.library.folders import StoreResult, previous_scans, store_scans
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.limiter import LocalBackend
from aniworld.sites import ANIWORLD, SITE_ENGINES, STO
from aniworld.tasks.site_clients import ClientFactory
from tests.fakesite.server import FakeSite


def put(path: Path, size: int = 1) -> Path:
    """Create a file of ``size`` bytes, with its parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def age(root: Path, seconds: float = 60) -> None:
    """Move the times of recently changed folders under ``root`` back by ``seconds``.

    A folder changed within two seconds of its reading is read again by the next scan
    (see ``scanner.RACY_WINDOW_NS``); tests that expect "nothing changed" age their folders.
    Folders aged before keep their time, so a scan still sees them unchanged.
    """
    recent = time.time_ns() - 10 * RACY_WINDOW_NS
    for folder, _, _ in os.walk(root):
        mtime_ns = os.stat(folder).st_mtime_ns
        if mtime_ns > recent:
            past = mtime_ns - int(seconds * 1e9)
            os.utime(folder, ns=(past, past))


def store(sessions: sessionmaker[Session], root: Path) -> StoreResult:
    """One scan without site matching, as ``run_library_scan`` does: read, compare, store."""
    with sessions() as session:
        previous = previous_scans(session, root)
    scans = scan_tree(root, previous)
    with sessions() as session:
        result = store_scans(session, root, scans, previous)
        session.commit()
    return result


def folder_named(session: Session, name: str) -> LibraryFolder:
    """The stored folder ``name`` (fresh from the database)."""
    session.expire_all()
    folder = session.scalar(select(LibraryFolder).where(LibraryFolder.name == name))
    assert folder is not None, f"no library_folder row for {name!r}"
    return folder


def store_new(sessions: sessionmaker[Session], root: Path, *files: str,
              size: int = 1) -> StoreResult:
    """Create ``files`` (paths under ``root``, ``size`` bytes each), age the folders, scan."""
    for name in files:
        put(root / name, size)
    age(root)
    return store(sessions, root)


def add_from_site(sessions: sessionmaker[Session], client: SiteClient, key: str,
                  monitored: bool = True) -> int:
    """Add a series of the stand-in as the series page does, (un)monitored; returns its id."""
    snapshot = catalog.fetch_series(client, key)
    with sessions() as session:
        series = catalog.store_snapshot(session, snapshot)
        series.monitored = monitored
        session.commit()
        return series.id


def stored_files(session: Session, name: str) -> list[tuple[int, int, str | None, str]]:
    """(season, episode, language, relative path) of a stored folder's files."""
    session.expire_all()
    rows = session.execute(
        select(LibraryFile.season, LibraryFile.episode, LibraryFile.language, LibraryFile.path)
        .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
        .where(LibraryFolder.name == name)
        .order_by(LibraryFile.season, LibraryFile.episode, LibraryFile.path))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def add_series(sessions: sessionmaker[Session], **fields: Any) -> int:
    """Store a series (committed) and return its id; the key defaults to the title's slug."""
    fields.setdefault("key", fields["title"].lower().replace(" ", "-"))
    with sessions() as session:
        series = Series(**fields)
        session.add(series)
        session.commit()
        return series.id


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable for this process (chmod; ``chattr +i`` as root) meanwhile.

    Root ignores permission bits, so as root the folder is made immutable instead; where
    that is impossible (no ``chattr``, no CAP_LINUX_IMMUTABLE, a file system without the
    flag) the test is skipped.
    """
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root, and without chattr a folder cannot be made unwritable")
    made = subprocess.run([chattr, "+i", str(folder)], capture_output=True, text=True,
                          check=False)
    if made.returncode != 0:
        pytest.skip("running as root, and 'chattr +i' (the only way to make a folder "
                    f"unwritable for root) failed: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def make_client(fakesite: FakeSite, site: str = ANIWORLD, **overrides: Any) -> SiteClient:
    """A client for the stand-in's ``site``: no spacing, fast back-off, requests transport."""
    options: dict[str, Any] = {"base_url": fakesite.sto_url if site == STO else fakesite.url,
                               "engine": SITE_ENGINES[site], "transport": "requests",
                               "min_interval": 0.0, "backoff_base": 0.01, "backoff_cap": 0.05,
                               "max_retries": 1, "timeout": 5.0}
    options.update(overrides)
    return SiteClient(SiteSettings(**options))


def stand_in(fakesite: FakeSite, aniworld: SiteClient | None = None) -> ClientFactory:
    """What a round takes: fresh clients of the stand-in's sites (``aniworld`` stays open)."""

    def open_client(site: str) -> AbstractContextManager[SiteClient]:
        if site == ANIWORLD and aniworld is not None:
            return nullcontext(aniworld)
        return make_client(fakesite, site)

    return open_client


@pytest.fixture(autouse=True)
def quiet_site() -> Iterator[None]:
    """No cool-down of an earlier test's fault (challenge, 503) carries over."""
    LocalBackend.forget_all()
    yield
    LocalBackend.forget_all()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """An empty library folder."""
    root = tmp_path / "library"
    root.mkdir()
    return root


@pytest.fixture
def sessions(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Session factory as the job uses it (each step opens and closes its own session)."""
    return session_factory


@pytest.fixture
def client(fakesite: FakeSite) -> Iterator[SiteClient]:
    """A site client talking to the stand-in site over HTTP."""
    with make_client(fakesite) as site_client:
        yield site_client


@pytest.fixture
def clients(fakesite: FakeSite) -> ClientFactory:
    """What ``run_library_scan`` takes: a factory of fresh clients for the stand-in's sites."""
    return stand_in(fakesite)
