"""One harness for the tests that run Aniworld's processes (tests/system, tests/browser).

An :class:`Instance` is one Aniworld installation under a test folder: its environment, its
database, and the processes started for it (each in a session of its own, logging to
``<folder>/<name>.log``). Stopping or killing a worker always takes its RQ work horses with
it: RQ starts every horse in a session of its own, so signalling the worker's process group
alone would leave a horse downloading into the next test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aniworld.config import Config
from aniworld.database import make_engine
from aniworld.services import catalog
from aniworld.services.settings import save_settings
from aniworld.site import SiteClient
from aniworld.sites import DEFAULT_SITE
from tests.fakesite import tls

ROOT = Path(__file__).resolve().parents[1]
# The processes' modules, named once: `python -m WORKER_MODULE [queue ...]`.
WORKER_MODULE = "aniworld.tasks.worker"
SCHEDULER_MODULE = "aniworld.tasks.scheduler"
LEASE_SECONDS = 4
LOG_TAIL = 4000
STOP_SECONDS = 10.0


def instance_env(folder: Path, redis_url: str, site_url: str,
                 sto_url: str | None = None) -> dict[str, str]:
    """ANIWORLD_* of one instance: data dir and library under ``folder``, Redis, sites."""
    env = {
        "ANIWORLD_DATA_DIR": str(folder / "instance"),
        "ANIWORLD_LIBRARY_DIR": str(folder / "library"),
        "REDIS_URL": redis_url,
        "ANIWORLD_SITE_URL": site_url,
    }
    if sto_url:
        env["ANIWORLD_STO_URL"] = sto_url
    return env


def fakesite_env(site_url: str, sto_url: str | None = None) -> dict[str, str]:
    """What an instance needs to use the stand-in sites and their loopback hosters."""
    env = {"ANIWORLD_SITE_URL": site_url, "ANIWORLD_SITE_TRANSPORT": "requests",
           "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1",
           # The downloader trusts the stand-in's test CA (HTTPS media), and only in tests.
           tls.ENV: tls.ca_bundle()}
    if sto_url:
        env["ANIWORLD_STO_URL"] = sto_url
    return env


def process_env(folder: Path, redis_url: str, site_url: str, sto_url: str | None = None,
                **extra: str) -> dict[str, str]:
    """Environment of the processes of an instance on the stand-in sites, plus ``extra``."""
    return {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT),
        **instance_env(folder, redis_url, site_url),
        **fakesite_env(site_url, sto_url),
        "ANIWORLD_LEASE_SECONDS": str(LEASE_SECONDS),
        "ANIWORLD_LOG_LEVEL": "INFO",
        **extra,
    }


def wait_until(condition: Callable[[], object], timeout: float, what: str,
               details: Callable[[], str] = lambda: "", interval: float = 0.1) -> None:
    """Poll ``condition`` until it is true; fail naming ``what`` (and ``details()``) if not.

    The condition is checked once more at the deadline, so a slow machine that got there
    just in time still passes.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{details()}")
        time.sleep(interval)


def children(pid: int) -> list[int]:
    """Child process ids of ``pid`` (from /proc; empty once it is gone)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in path.read_text().split()]
    except OSError:
        return []


def gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (a zombie awaiting its reaper counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (OSError, IndexError):
        return True


def signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the process group led by ``pid``, if it still exists."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


class Instance:
    """One installation under ``folder``: environment, database, processes and their logs."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.config = Config.from_env(env)
        self.library = self.config.library_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self._logs: dict[int, IO[bytes]] = {}
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        """The instance's database engine (created on first use)."""
        if self._engine is None:
            self._engine = make_engine(self.config.database_url)
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        """Session factory on the instance's database."""
        if self._sessions is None:
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    def log_path(self, name: str) -> Path:
        """The log file of the process started as ``name``."""
        return self.folder / f"{name}.log"

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        """Run ``command`` in a session of its own, appending its output to its log."""
        log = open(self.log_path(name), "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self._logs[process.pid] = log
        self.processes.append(process)
        return process

    def start_module(self, module: str, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Start ``python -m module args...`` as ``name``."""
        return self.spawn(name, [sys.executable, "-m", module, *args])

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Signal a process group and its work horses' groups, and reap it."""
        for pid in [process.pid, *children(process.pid)]:
            signal_group(pid, sig)
        process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """Stop every process: work horses first (KILL), then TERM, then KILL the stragglers."""
        running = [process for process in self.processes if process.poll() is None]
        for process in running:
            # A TERMed RQ worker waits for its horse's download: the test is over, end it.
            for horse in children(process.pid):
                signal_group(horse, signal.SIGKILL)
            signal_group(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill(process)
            self._logs.pop(process.pid).close()
        self.processes.clear()
        if self._engine is not None:
            self._engine.dispose()

    def logs(self) -> str:
        """The tail of every process log, for assertion messages."""
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-LOG_TAIL:]}"
                         for path in sorted(self.folder.glob("*.log")))

    def wait_for(self, condition: Callable[[], object], timeout: float = 60.0,
                 what: str = "condition") -> None:
        """Poll ``condition`` until true, failing with the process logs on timeout."""
        wait_until(condition, timeout, what, self.logs)

    def log_text(self, name: str) -> str:
        """Everything the process started as ``name`` logged so far."""
        path = self.log_path(name)
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_logged(self, name: str, text: str, timeout: float = 60.0) -> None:
        """Wait until the process started as ``name`` logged ``text`` (e.g. that it is up)."""
        self.wait_for(lambda: text in self.log_text(name), timeout, f"{name} to log {text!r}")

    def settings(self, **changes: Any) -> None:
        """Change run-time settings in the database, as the settings page would."""
        with self.sessions() as session:
            save_settings(session, **changes)
            session.commit()

    def add_series(self, key: str, site: str = DEFAULT_SITE) -> None:
        """Put a series of a (stand-in) site into the library, as "Add to library" does."""
        with SiteClient(self.config.site_settings(site)) as client:
            snapshot = catalog.fetch_series(client, key)
        with self.sessions() as session:
            catalog.store_snapshot(session, snapshot)
            session.commit()

    def redis(self) -> redis.Redis:
        """A client for the instance's Redis."""
        return redis.Redis.from_url(self.config.redis_url)
