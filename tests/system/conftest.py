"""Whole-system tests: real ``rq worker`` processes, the scheduler process, a real
redis-server, a SQLite file and the stand-in site with its hosters.

Two ways to get a stack:

- ``stack``: a fresh stack per test; the test starts the processes it needs (and may kill
  them, restart them or give them a special environment).
- ``running_stack``: one worker and the scheduler, started once per module on a
  redis-server of their own, with the database, the library, Redis and the stand-in site
  reset before each test. For tests that only queue work and watch it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.embedded_redis import EmbeddedRedis
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, ItemStatus, Priority
from aniworld.services import queue as queue_service
from aniworld.sites import DEFAULT_SITE
from tests.fakesite.server import FakeSite
from tests.harness import SCHEDULER_MODULE, WORKER_MODULE, Instance, process_env

TEST_SETTINGS = {"retry_delays": [1, 1, 1], "stall_timeout": 5}
# Redis keys that belong to the running workers, not to a test: kept by the reset.
WORKER_KEYS = ("rq:worker:*", "rq:workers*")
# Items a late work horse could still be working on.
RUNNING = (ItemStatus.PENDING, ItemStatus.DOWNLOADING, ItemStatus.PAUSED)


class Stack(Instance):
    """Processes and handles of one test's running Aniworld."""

    def __init__(self, env: dict[str, str], tmp_path: Path, fakesite: FakeSite) -> None:
        super().__init__(env, tmp_path)
        self.tmp_path = tmp_path
        self.fakesite = fakesite
        Base.metadata.create_all(self.engine)

    def start(self, module: str, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Start ``python -m module args...`` in its own process group, logging to a file."""
        return self.start_module(module, name, *args)

    def start_workers(self, count: int = 1, scheduler: bool = True) -> None:
        """Start ``count`` RQ workers and (normally) the scheduler."""
        for number in range(count):
            self.start(WORKER_MODULE, f"worker-{number}")
        if scheduler:
            self.start(SCHEDULER_MODULE, "scheduler")

    def queue(self, key: str, season: int, episode: int,
              language: Language = Language.GERMAN_DUB,
              priority: Priority = Priority.NORMAL, site: str = DEFAULT_SITE,
              **options: bool) -> int:
        """Queue an episode of the ``site`` series ``key``, wake the dispatcher, as the API does."""
        from aniworld.services.series import get_series
        from aniworld.tasks import dispatch

        with self.sessions() as session:
            series = get_series(session, key, site)
            item = queue_service.add_item(session, series, season, episode, language, priority,
                                          **options)
            session.commit()
        dispatch.pump(self.sessions, self.redis())
        return item.id

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

    def wait_status(self, item_id: int, *statuses: str, timeout: float = 60.0) -> DownloadItem:
        """Wait until the item reaches one of ``statuses``; return it."""
        self.wait_for(lambda: self.item(item_id).status.value in statuses, timeout,
                      f"item {item_id} to become {'/'.join(statuses)}")
        return self.item(item_id)

    def partial_files(self) -> list[Path]:
        """Files left in the library's partial-download area."""
        root = self.library / ".aniworld"
        return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []

    def reset(self) -> None:
        """Bring a running stack back to a fresh one: no work, no rows, no files, no keys.

        The work still running is stopped first, so that nothing of the last test writes
        into the next one (SQLite hands out the same item ids again after the delete).
        """
        self._quiesce()
        with self.sessions() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())
            session.commit()
        connection = self.redis()
        keep = {key for pattern in WORKER_KEYS for key in connection.scan_iter(match=pattern)}
        for key in connection.scan_iter():
            if key not in keep:
                connection.delete(key)
        connection.close()
        shutil.rmtree(self.library, ignore_errors=True)
        self.fakesite.reset()
        self.settings(**TEST_SETTINGS)

    def _quiesce(self) -> None:
        """Pause the queue, drop queued jobs, cancel what runs until the workers are idle."""
        from aniworld.tasks import dispatch

        with self.sessions() as session:
            queue_service.pause_queue(session)
            session.commit()
        connection = self.redis()
        for name in dispatch.QUEUE_NAMES:
            dispatch.make_queue(connection, name).empty()
        self.wait_for(lambda: self._idle(connection), 30, "the last test's work to stop")
        connection.close()

    def _idle(self, connection: redis.Redis) -> bool:
        """Cancel items that still run (a horse may claim one late); True once all is quiet."""
        with self.sessions() as session:
            running = session.scalars(select(DownloadItem.id).where(
                DownloadItem.status.in_(RUNNING))).all()
            for item_id in running:
                queue_service.cancel_item(session, item_id)
            session.commit()
        busy = [w for w in Worker.all(connection=connection) if w.get_state() == "busy"]
        return not running and not busy and all(i.lease is None for i in self.items())


def played_duration(path: Path) -> float:
    """Duration ffmpeg reads from a finished file (proves it is a playable container)."""
    from aniworld.downloader.ffmpeg import probe

    return probe(path)[0]


def session_scope(stack: Stack) -> Session:
    """A session on the stack's database."""
    return stack.sessions()


@pytest.fixture
def stack_env(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> dict[str, str]:
    """Environment for the stack's processes."""
    return process_env(tmp_path, redis_url, fakesite.url, fakesite.sto_url)


@pytest.fixture
def stack(stack_env: dict[str, str], tmp_path: Path, fakesite: FakeSite) -> Iterator[Stack]:
    """A stack with fast retries; tests start the workers they need."""
    running = Stack(stack_env, tmp_path, fakesite)
    running.settings(**TEST_SETTINGS)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def _module_stack(tmp_path_factory: pytest.TempPathFactory,
                  fakesite_server: FakeSite) -> Iterator[Stack]:
    """One worker and the scheduler for a whole module, on a redis-server of their own.

    Their own Redis: the session's is flushed by every test that asks for ``redis_url``,
    and a worker on it would take the jobs of another test's stack.
    """
    folder = tmp_path_factory.mktemp("running-stack")
    server = EmbeddedRedis(folder / "redis")
    server.start()
    running = Stack(process_env(folder, server.url, fakesite_server.url,
                                fakesite_server.sto_url), folder,
                    fakesite_server)
    running.settings(**TEST_SETTINGS)
    running.start_workers(1)
    yield running
    running.stop()
    server.stop()


@pytest.fixture
def running_stack(_module_stack: Stack, fakesite: FakeSite) -> Stack:
    """A running worker and scheduler, with everything else as fresh as ``stack``'s."""
    _module_stack.reset()
    return _module_stack
