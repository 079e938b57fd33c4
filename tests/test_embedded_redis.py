"""The embedded Redis process that ``make run`` starts when REDIS_URL is not set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.harness import wait_until

ROOT = Path(__file__).resolve().parents[1]
IDLE_SIGN = "REDIS_URL is set; not starting the embedded redis"


def _start(tmp_path: Path, **extra: str) -> subprocess.Popen[bytes]:
    env = {"PATH": os.environ["PATH"], "ANIWORLD_DATA_DIR": str(tmp_path),
           "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"), **extra}
    return subprocess.Popen([sys.executable, "-m", "aniworld.embedded_redis"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _log(data_dir: Path) -> str:
    path = data_dir / "logs" / "aniworld.log"
    return path.read_text(errors="replace") if path.exists() else ""


def _answers(socket: Path) -> bool:
    return _server_pid(socket) is not None


def test_embedded_redis_serves_on_a_private_socket_and_stops(tmp_path: Path) -> None:
    process = _start(tmp_path)
    socket = tmp_path / "redis.sock"
    try:
        wait_until(lambda: _answers(socket), 15, "the embedded redis to answer")
        assert socket.stat().st_mode & 0o077 == 0
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert not socket.exists()


def test_embedded_redis_idles_when_redis_url_is_set(tmp_path: Path) -> None:
    process = _start(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    try:
        # Logged after the signal handlers are in place: a SIGTERM before it would kill the
        # process with the default action (exit status -15) on a busy machine.
        wait_until(lambda: IDLE_SIGN in _log(tmp_path), 30, "the process to say it idles")
        # The interval is the claim under test: it stays up instead of exiting.
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1.0)
        assert not (tmp_path / "redis.sock").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def _server_pid(socket: Path) -> int | None:
    try:
        return int(redis.Redis(unix_socket_path=str(socket)).info("server")["process_id"])
    except redis.RedisError:
        return None


def test_embedded_redis_starts_the_server_again_when_it_dies(tmp_path: Path) -> None:
    process = _start(tmp_path)
    socket = tmp_path / "redis.sock"
    try:
        wait_until(lambda: _server_pid(socket) is not None, 15, "the embedded redis to answer")
        first = _server_pid(socket)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: _server_pid(socket) not in (None, first), 30,
                   "a new redis-server to answer on the same socket")
        assert process.poll() is None, "the redis process must not exit (honcho would stop all)"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
