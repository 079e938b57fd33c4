"""Start-up probe of Redis: it never hangs on a Redis that accepts but does not answer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from aniworld.tasks import runtime


@pytest.fixture
def frozen_redis() -> Iterator[str]:
    """A TCP listener that accepts connections and never answers (a SIGSTOPped Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_probe_gives_up_on_a_frozen_redis_instead_of_hanging(
        frozen_redis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "REDIS_PROBE_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(SystemExit, match="unreachable"):
        runtime.wait_for_redis(frozen_redis, timeout=1.0)
    # One probe past the deadline at most: the socket timeout bounds each PING.
    assert time.monotonic() - started < 10


def test_probe_returns_a_client_once_redis_answers(redis_url: str) -> None:
    client = runtime.wait_for_redis(redis_url, timeout=5)
    assert client.ping()
    client.close()


def test_probe_without_a_deadline_keeps_waiting_and_warns(
        frozen_redis: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(runtime, "REDIS_PROBE_TIMEOUT", 0.2)
    probes = iter(range(3))

    def sleep_or_give_up(seconds: float) -> None:
        # Third retry: stop the endless wait from the inside, as SIGTERM would.
        if next(probes) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(runtime.time, "sleep", sleep_or_give_up)
    with caplog.at_level("WARNING"), pytest.raises(KeyboardInterrupt):
        runtime.wait_for_redis(frozen_redis)
    assert "redis unreachable" in caplog.text
