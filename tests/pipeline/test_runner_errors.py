"""A bug inside a download counts as an attempt and still reaches RQ with its traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from aniworld.config import Config
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, ItemStatus, Series
from aniworld.services import execution
from aniworld.services import queue as queue_service
from aniworld.services.settings import load_settings
from aniworld.tasks.download import runner
from aniworld.tasks.runtime import build_runtime


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
