"""Events reach every subscriber, and a failing subscriber never stops the others."""

from __future__ import annotations

from typing import Any

import pytest

from aniworld.tasks import events
from aniworld.tasks.events import DownloadFailed, DownloadFinished


def test_publish_reaches_each_subscriber_even_after_one_fails(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[str, Any]] = []

    def broken(runtime: Any, event: Any) -> None:
        raise RuntimeError("notifier down")

    def recording(runtime: Any, event: Any) -> None:
        seen.append(("recorded", event))

    monkeypatch.setattr(events, "_subscribers", lambda: (broken, recording))
    event = DownloadFinished(7, "/lib/a.mp4")
    events.publish(None, event)  # type: ignore[arg-type]
    assert seen == [("recorded", event)]
    assert "event subscriber failed" in caplog.text


def test_the_real_subscribers_import_and_accept_every_event() -> None:
    for subscriber in events._subscribers():
        assert callable(subscriber)
    assert DownloadFailed(1, "gone").reason == "gone"
