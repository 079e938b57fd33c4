"""A running stack for pipeline tests: real ``rq worker`` processes, the scheduler process,
the session's redis-server, a SQLite file and the stand-in site with its hosters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.config import Config
from aniworld.database import make_engine
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, Priority
from aniworld.services import catalog
from aniworld.services import queue as queue_service
from aniworld.services.settings import save_settings
from aniworld.site import SiteClient
from tests.fakesite.server import FakeSite

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 4


class Stack:
    """Processes and handles of one test's running Aniworld."""

    def __init__(self, env: dict[str, str], tmp_path: Path, fakesite: FakeSite) -> None:
        self.env = env
        self.tmp_path = tmp_path
        self.fakesite = fakesite
        self.config = Config.from_env(env)
        self.library = self.config.library_dir
        self.engine = make_engine(self.config.database_url)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, module: str, name: str) -> subprocess.Popen[bytes]:
        """Start ``python -m module`` in its own process group, logging to a file."""
        log = open(self.tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen([sys.executable, "-m", module], cwd=ROOT, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def start_workers(self, count: int = 1, scheduler: bool = True) -> None:
        """Start ``count`` RQ workers and (normally) the scheduler."""
        for number in range(count):
            self.start("aniworld.tasks.worker", f"worker-{number}")
        if scheduler:
            self.start("aniworld.tasks.scheduler", "scheduler")

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Signal a worker and its work horses (RQ starts each horse in a session of its own)."""
        for pid in [process.pid, *_children(process.pid)]:
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)

    def stop(self) -> None:
        """Stop every process (TERM, then KILL) and close the logs."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(process)
            process.log.close()  # type: ignore[attr-defined]
        self.engine.dispose()

    def logs(self) -> str:
        """Every process log, for assertion messages."""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted(self.tmp_path.glob("*.log")))

    def settings(self, **changes: Any) -> None:
        """Change run-time settings, as the settings page would."""
        with self.sessions() as session:
            save_settings(session, **changes)
            session.commit()

    def add_series(self, key: str) -> None:
        """Put a series of the stand-in site into the library."""
        with SiteClient(self.config.site) as client:
            snapshot = catalog.fetch_series(client, key)
        with self.sessions() as session:
            catalog.store_snapshot(session, snapshot)
            session.commit()

    def queue(self, key: str, season: int, episode: int,
              language: Language = Language.GERMAN_DUB,
              priority: Priority = Priority.NORMAL, **options: bool) -> int:
        """Queue an episode and wake the dispatcher, as the API does."""
        from aniworld.services.series import get_series
        from aniworld.tasks import dispatch

        with self.sessions() as session:
            item = queue_service.add_item(session, get_series(session, key), season, episode,
                                          language, priority, **options)
            session.commit()
        dispatch.pump(self.sessions, self.redis())
        return item.id

    def redis(self) -> Any:
        """A client for the stack's Redis."""
        import redis

        return redis.Redis.from_url(self.config.redis_url)

    def item(self, item_id: int) -> DownloadItem:
        """Fresh copy of a queue item."""
        with self.sessions() as session:
            item = session.get(DownloadItem, item_id)
            assert item is not None
            return item

    def items(self) -> list[DownloadItem]:
        """Every queue item, fresh."""
        with self.sessions() as session:
            return list(session.scalars(select(DownloadItem).order_by(DownloadItem.id)))

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60.0,
                 what: str = "condition") -> None:
        """Poll ``condition`` until true, failing with the process logs on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        pytest.fail(f"timed out after {timeout}s waiting for {what}\n{self.logs()}")

    def wait_status(self, item_id: int, *statuses: str, timeout: float = 60.0) -> DownloadItem:
        """Wait until the item reaches one of ``statuses``; return it."""
        self.wait_for(lambda: self.item(item_id).status.value in statuses, timeout,
                      f"item {item_id} to become {'/'.join(statuses)}")
        return self.item(item_id)

    def partial_files(self) -> list[Path]:
        """Files left in the library's partial-download area."""
        root = self.library / ".aniworld"
        return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _children(pid: int) -> list[int]:
    """Child process ids of ``pid`` (from /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in path.read_text().split()]
    except OSError:
        return []


@pytest.fixture
def stack_env(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> dict[str, str]:
    """Environment for the stack's processes."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "ANIWORLD_DATA_DIR": str(tmp_path / "instance"),
        "ANIWORLD_LIBRARY_DIR": str(tmp_path / "library"),
        "REDIS_URL": redis_url,
        "ANIWORLD_SITE_URL": fakesite.url,
        "ANIWORLD_SITE_TRANSPORT": "requests",
        "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1",
        "ANIWORLD_LEASE_SECONDS": str(LEASE_SECONDS),
        "ANIWORLD_LOG_LEVEL": "INFO",
    }


@pytest.fixture
def stack(stack_env: dict[str, str], tmp_path: Path, fakesite: FakeSite) -> Iterator[Stack]:
    """A stack with fast retries; tests start the workers they need."""
    running = Stack(stack_env, tmp_path, fakesite)
    running.settings(retry_delays=[1, 1, 1], stall_timeout=5)
    yield running
    running.stop()


def played_duration(path: Path) -> float:
    """Duration ffmpeg reads from a finished file (proves it is a playable container)."""
    from aniworld.downloader.ffmpeg import probe

    return probe(path)[0]


def session_scope(stack: Stack) -> Session:
    """A session on the stack's database."""
    return stack.sessions()
