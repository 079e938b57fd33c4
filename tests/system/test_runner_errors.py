"""A bug inside a download counts as an attempt and still reaches RQ with its traceback.

Wherever it raises after the claim (settings, the target path, the transfer, the marker),
the item never stays "downloading" without a counted attempt, so it cannot loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from aniworld.config import Config
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, ItemStatus, Series
from aniworld.services import execution
from aniworld.services import queue as queue_service
from aniworld.services.settings import AppSettings, load_settings
from aniworld.tasks.download import runner
from aniworld.tasks.runtime import Runtime, build_runtime
from tests.services.library.conftest import put


def test_unexpected_error_is_counted_then_raised(tmp_path: Path, redis_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = build_runtime(Config.from_env({
        "ANIWORLD_DATA_DIR": str(tmp_path), "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"),
        "REDIS_URL": redis_url}))
    Base.metadata.create_all(runtime.engine)
    with runtime.sessions() as session:
        series = Series(key="k", title="T")
        session.add(series)
        item = queue_service.add_item(session, series, 1, 1, Language.GERMAN_DUB)
        execution.dispatch_candidates(session, 2, lambda item_id: f"download-{item_id}")
        session.commit()
        settings = load_settings(session)

    def broken(*args: object) -> Path:
        raise OSError("disk vanished")

    monkeypatch.setattr(runner, "_download", broken)
    with pytest.raises(OSError):
        runner.run_item(runtime, item.id, f"download-{item.id}")
    with runtime.sessions() as session:
        row = session.get(DownloadItem, item.id)
        assert row.status is ItemStatus.PENDING and row.attempts == 1
        assert "OSError: disk vanished" in row.last_error and row.lease is None
        assert row.not_before is not None
    assert settings.max_attempts > 1
    runtime.engine.dispose()


def _queued(runtime: Runtime) -> int:
    """Queue one episode of a new series; return the item's id."""
    with runtime.sessions() as session:
        series = Series(key="k", title="T")
        session.add(series)
        item = queue_service.add_item(session, series, 1, 1, Language.GERMAN_DUB)
        session.commit()
        return item.id


def _dispatch_now(runtime: Runtime) -> None:
    """Hand the pending item to a job now, as the dispatcher does once ``not_before`` passed."""
    with runtime.sessions() as session:
        session.execute(update(DownloadItem).values(not_before=None))
        execution.dispatch_candidates(session, 2, lambda item_id: f"download-{item_id}")
        session.commit()


def _raise_os_error(*args: object, **kwargs: object) -> None:
    raise OSError("the path check failed")


@pytest.mark.parametrize("where", ["load_settings", "target_path", "adopt_series_folder"])
def test_errors_before_and_after_the_transfer_end_failed(
        tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    runtime = build_runtime(Config.from_env({
        "ANIWORLD_DATA_DIR": str(tmp_path), "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"),
        "REDIS_URL": redis_url}))
    Base.metadata.create_all(runtime.engine)
    item_id = _queued(runtime)
    monkeypatch.setattr(runner, "_download", lambda *args: put(tmp_path / "lib" / "a.mp4"))
    monkeypatch.setattr(runner, where, _raise_os_error)
    max_attempts = AppSettings().max_attempts
    for attempt in range(1, max_attempts + 1):
        _dispatch_now(runtime)
        with pytest.raises(OSError):
            runner.run_item(runtime, item_id, f"download-{item_id}")
        with runtime.sessions() as session:
            row = session.get(DownloadItem, item_id)
            assert row.attempts == attempt and row.lease is None
            assert "OSError: the path check failed" in row.last_error
    assert row.status is ItemStatus.FAILED
    assert f"gave up after {max_attempts} attempts" in row.last_error
    runtime.engine.dispose()
