"""The embedded Redis process that ``make run`` starts when REDIS_URL is not set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]


def _start(tmp_path: Path, **extra: str) -> subprocess.Popen[bytes]:
    env = {"PATH": os.environ["PATH"], "ANIWORLD_DATA_DIR": str(tmp_path),
           "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"), **extra}
    return subprocess.Popen([sys.executable, "-m", "aniworld.embedded_redis"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition: object, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def _answers(socket: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket)).ping())
    except redis.RedisError:
        return False


def test_embedded_redis_serves_on_a_private_socket_and_stops(tmp_path: Path) -> None:
    process = _start(tmp_path)
    socket = tmp_path / "redis.sock"
    try:
        assert _wait_for(lambda: _answers(socket))
        assert socket.stat().st_mode & 0o077 == 0
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert not socket.exists()


def test_embedded_redis_idles_when_redis_url_is_set(tmp_path: Path) -> None:
    process = _start(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    try:
        time.sleep(1.5)
        assert process.poll() is None
        assert not (tmp_path / "redis.sock").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
