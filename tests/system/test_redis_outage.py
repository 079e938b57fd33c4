"""Redis outages: workers and scheduler wait them out, downloads finish, the banner recovers.

These tests run their own redis-server (so they can freeze, kill and restart it) and
shorten RQ's intervals through the environment: ``ANIWORLD_WORKER_TTL=16`` gives the
workers' Redis connection RQ's socket timeout of 11 s (``worker_ttl - 15 + 10``), and
``ANIWORLD_WORKER_HEARTBEAT_SECONDS=1`` makes the worker write its job heartbeat to Redis
every second (RQ's default: 30 s). Before the fix a timeout made an idle worker quit and a
failed job heartbeat ended a busy one; the outages below outlast both.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq import Worker

from aniworld import create_app
from aniworld.embedded_redis import EmbeddedRedis
from aniworld.web.service_status import service_status
from tests.fakesite.server import FakeSite
from tests.system.conftest import Stack

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
SOCKET_TIMEOUT = 11  # what RQ derives from ANIWORLD_WORKER_TTL=16
OUTAGE_SIGN = "redis unreachable"
SCHEDULER_UP = "scheduler started"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A redis-server of this test alone, on a private unix socket."""
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    yield server
    if server.process is not None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


@pytest.fixture
def outage_stack(stack_env: dict[str, str], own_redis: EmbeddedRedis, tmp_path: Path,
                 fakesite: FakeSite) -> Iterator[Stack]:
    """A stack on ``own_redis`` with RQ's intervals shortened (see the module docstring)."""
    env = {**stack_env, "REDIS_URL": own_redis.url, "ANIWORLD_WORKER_TTL": "16",
           "ANIWORLD_WORKER_HEARTBEAT_SECONDS": "1"}
    running = Stack(env, tmp_path, fakesite)
    running.settings(retry_delays=[1, 1, 1], stall_timeout=30)
    yield running
    running.stop()


def _kill(server: EmbeddedRedis) -> None:
    """Kill redis-server at once (data lost: it keeps nothing on disk)."""
    assert server.process is not None
    server.process.kill()
    server.process.wait()
    server.process = None


def _exited(stack: Stack) -> list[str]:
    """Names of the stack's processes that have exited (empty: all alive)."""
    return [Path(p.args[-1]).name for p in stack.processes if p.poll() is not None]


def _registered_workers(stack: Stack) -> int:
    try:
        return Worker.count(connection=stack.redis())
    except redis.RedisError:
        return 0


def _banner_workers(stack: Stack) -> int:
    """Workers as the web banner counts them (its few-second cache cleared)."""
    app = create_app(stack.config)
    with app.app_context():
        app.extensions.pop("aniworld.service_status", None)
        return service_status().workers


def _noticed(stack: Stack, process: subprocess.Popen[bytes], name: str, sign: str) -> bool:
    """The process logged ``sign`` or exited (the test's alive-check then fails)."""
    return process.poll() is not None or sign in stack.log_text(name)



def _queued_episode_completes(stack: Stack, episode: int) -> None:
    """An episode queued now is downloaded, and no process has exited meanwhile."""
    item = stack.wait_status(stack.queue(KAEMPFER, 1, episode), "completed", "failed",
                             timeout=40)
    assert item.status.value == "completed", item.last_error
    assert _exited(stack) == [], stack.logs()

def test_idle_workers_and_scheduler_outlive_a_frozen_then_restarted_redis(
        outage_stack: Stack, own_redis: EmbeddedRedis) -> None:
    stack = outage_stack
    stack.add_series(KAEMPFER)
    stack.start_workers(2)
    stack.wait_for(lambda: _registered_workers(stack) == 2, 30, "two registered workers")
    # Freeze only once the scheduler runs its ticks: the outage is meant to hit a running loop.
    stack.wait_logged("scheduler", SCHEDULER_UP)
    assert own_redis.process is not None
    # A frozen Redis answers nothing: every command runs into the socket timeout, which
    # made RQ's loop quit ("Redis connection timeout, quitting").
    os.kill(own_redis.process.pid, signal.SIGSTOP)
    workers = stack.processes[:2]
    stack.wait_for(lambda: all(_noticed(stack, p, f"worker-{n}", OUTAGE_SIGN)
                               for n, p in enumerate(workers)),
                   SOCKET_TIMEOUT * 3, "both workers to notice the outage")
    stack.wait_for(lambda: _noticed(stack, stack.processes[2], "scheduler", "tick failed"),
                   30, "the scheduler to notice the outage")
    _kill(own_redis)
    own_redis.start()
    assert _exited(stack) == [], stack.logs()
    stack.wait_for(lambda: _registered_workers(stack) == 2, 20, "the workers to re-register")
    _queued_episode_completes(stack, 1)


def test_download_running_through_an_outage_completes(outage_stack: Stack,
                                                      own_redis: EmbeddedRedis) -> None:
    stack = outage_stack
    stack.add_series(KAEMPFER)
    stack.settings(bandwidth_limit=100_000)
    stack.start_workers(1)
    stack.wait_logged("scheduler", SCHEDULER_UP)
    item_id = stack.queue(KAEMPFER, 1, 10)
    stack.wait_for(lambda: stack.item(item_id).downloaded_bytes > 50_000, 30, "bytes to flow")
    _kill(own_redis)
    before = stack.item(item_id).downloaded_bytes
    worker = stack.processes[0]
    # The worker's job heartbeat (every second here) fails: before the fix that ended it.
    stack.wait_for(lambda: _noticed(stack, worker, "worker-0", OUTAGE_SIGN), 20,
                   "the worker to notice the outage")
    stack.wait_for(lambda: worker.poll() is not None
                   or stack.item(item_id).downloaded_bytes > before + 100_000,
                   30, "the download to go on without Redis")
    assert _exited(stack) == [], stack.logs()
    own_redis.start()
    item = stack.wait_status(item_id, "completed", "failed", timeout=60)
    assert item.status.value == "completed", item.last_error
    stack.settings(bandwidth_limit=0)
    _queued_episode_completes(stack, 2)


def test_banner_sees_workers_again_after_a_redis_restart(outage_stack: Stack,
                                                         own_redis: EmbeddedRedis) -> None:
    stack = outage_stack
    stack.start_workers(2)
    stack.wait_for(lambda: _banner_workers(stack) == 2, 30, "the banner to count two workers")
    stack.wait_logged("scheduler", SCHEDULER_UP)
    _kill(own_redis)
    own_redis.start()
    # Redis came back empty: the workers' registrations went with it.
    stack.wait_for(lambda: _banner_workers(stack) == 2, 20,
                   "the banner to count the workers again")
    assert _exited(stack) == [], stack.logs()
