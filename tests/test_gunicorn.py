"""gunicorn as Procfile runs it: no shared control socket, keep-alive longer than a poll."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gunicorn.config import Config as GunicornConfig

from tests.harness import wait_until

ROOT = Path(__file__).resolve().parents[1]
# The queue and scan partials poll with hx-trigger="every 2s".
POLL_SECONDS = 2.0


def _poll_interval_in_templates() -> float:
    found = set(re.findall(r"every (\d+)s", (ROOT / "templates/queue/_queue.html").read_text()))
    assert found == {"2"}, found
    return POLL_SECONDS


def _load_config() -> GunicornConfig:
    settings: dict[str, object] = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # as gunicorn -c does
    config = GunicornConfig()
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_config_disables_the_control_socket_and_outlasts_a_poll() -> None:
    config = _load_config()
    assert config.control_socket_disable is True
    assert config.keepalive >= 10 * _poll_interval_in_templates()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory: pytest.TempPathFactory,
                    redis_server: object) -> Iterator[tuple[int, Path]]:
    """gunicorn serving ``wsgi:app`` on loopback with a private HOME; yields (port, tmp)."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
    env.update(HOME=str(tmp / "home"), PYTHONPATH=str(ROOT),
               ANIWORLD_DATA_DIR=str(tmp / "instance"), ANIWORLD_LIBRARY_DIR=str(tmp / "lib"),
               REDIS_URL=redis_server.url, ANIWORLD_BIND=f"127.0.0.1:{port}",  # type: ignore[attr-defined]
               ANIWORLD_WEB_WORKERS="1", ANIWORLD_SITE_URL="http://127.0.0.1:9",
               # Debug level makes the master log its control socket decision either way.
               GUNICORN_CMD_ARGS="--log-level debug")
    (tmp / "home").mkdir()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                   env=env, capture_output=True, timeout=120, check=True)
    with open(tmp / "web.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                    "wsgi:app"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_serving(port, tmp / "web.log")
        yield port, tmp
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait_until_serving(port: int, log: Path) -> None:
    wait_until(lambda: _listens(port), 60, "gunicorn to start",
               lambda: log.read_text(errors="replace"), interval=0.2)


CONTROL_SOCKET = re.compile(r"Control socket (disabled|listening at \S+)")


def _control_socket_decision(log: Path) -> str:
    """Wait for the master's line about the control socket (it comes after the workers)."""
    wait_until(lambda: CONTROL_SOCKET.search(log.read_text()), 60,
               "gunicorn to decide on its control socket", log.read_text, interval=0.2)
    match = CONTROL_SOCKET.search(log.read_text())
    assert match is not None
    return match.group(1)


def test_no_control_socket_is_created(gunicorn_server: tuple[int, Path]) -> None:
    _port, tmp = gunicorn_server
    assert _control_socket_decision(tmp / "web.log") == "disabled"
    assert not (tmp / "home" / ".gunicorn").exists()
    assert not [path for path in tmp.rglob("*.ctl")]


def test_a_client_polling_every_two_seconds_keeps_its_connection(
        gunicorn_server: tuple[int, Path]) -> None:
    port, _tmp = gunicorn_server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        first_socket = None
        for round_number in range(3):
            if round_number:
                # The interval is the condition under test: a poll arriving just after the
                # server's keep-alive ran out finds the connection closed.
                time.sleep(_poll_interval_in_templates() + 0.5)
            connection.request("GET", "/api/v1/health")
            response = connection.getresponse()
            response.read()
            assert response.status in (200, 503)
            first_socket = first_socket or connection.sock
            assert connection.sock is first_socket, "the server closed the connection"
    finally:
        connection.close()


def test_the_access_log_leaves_out_query_strings_with_api_keys(
        gunicorn_server: tuple[int, Path]) -> None:
    port, tmp = gunicorn_server
    secret = "aw_never-in-the-log-0123456789"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", f"/torznab/api?t=caps&apikey={secret}")
        connection.getresponse().read()
    finally:
        connection.close()
    log = tmp / "web.log"
    wait_until(lambda: '"GET /torznab/api HTTP/1.1" 200' in log.read_text(), 30,
               "the access log line", log.read_text, interval=0.2)
    assert secret not in log.read_text()
