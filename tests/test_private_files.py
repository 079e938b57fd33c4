"""The data folder, database, logs and secret key are private whatever the umask."""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from aniworld import logging_setup
from aniworld.extensions import db
from tests.web.conftest import build_app


@pytest.fixture
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let this test configure process logging anew, and undo it afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    monkeypatch.setattr(logging_setup, "_configured", False)
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under this umask."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_files_are_owner_only(app_env: dict[str, str], umask: int,
                                       fresh_logging: None) -> None:
    app = build_app(app_env)
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # WAL mode: -wal and -shm exist from here
        data = Path(app_env["ANIWORLD_DATA_DIR"])
        files = [data / name for name in ("aniworld.db", "aniworld.db-wal", "aniworld.db-shm",
                                          "secret_key", "logs/aniworld.log")]
        modes = {path.name: oct(_mode(path)) for path in files}
        db.session.rollback()
        db.engine.dispose()
    assert _mode(data) == 0o700
    assert _mode(data / "logs") == 0o700
    assert modes == {path.name: oct(0o600) for path in files}


def test_setup_token_is_printed_but_never_logged(app_env: dict[str, str],
                                                 fresh_logging: None) -> None:
    app = build_app(app_env)
    output = app.test_cli_runner().invoke(args=["init"]).output
    token = re.search(r"Set-up token: (\S+)", output)
    assert token, output
    again = app.test_cli_runner().invoke(args=["setup-token"]).output
    assert again.strip() == token.group(1)
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = (Path(app_env["ANIWORLD_DATA_DIR"]) / "logs" / "aniworld.log").read_text()
    assert "instance unclaimed" in log
    assert token.group(1) not in log
    with app.app_context():
        db.engine.dispose()
