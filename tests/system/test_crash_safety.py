"""Crash safety: a killed worker and a flushed Redis lose nothing and duplicate nothing."""

from __future__ import annotations

import pytest

from tests.harness import LEASE_SECONDS, WORKER_MODULE, children, gone
from tests.system.conftest import Stack

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


def test_kill_9_mid_download_resumes_and_completes_once(stack: Stack) -> None:
    stack.add_series(KAEMPFER)
    stack.settings(bandwidth_limit=60_000)
    stack.start_workers(0, scheduler=True)
    victim = stack.start(WORKER_MODULE, "victim")
    item_id = stack.queue(KAEMPFER, 1, 10)
    stack.wait_for(lambda: stack.item(item_id).downloaded_bytes > 50_000, 30, "bytes to flow")
    horses = children(victim.pid)
    assert horses, "the worker should be running the download in a work horse"
    stack.kill(victim)
    stack.wait_for(lambda: all(gone(pid) for pid in horses), 10, "the work horse to die")
    assert stack.item(item_id).status.value == "downloading"
    stack.settings(bandwidth_limit=0)
    stack.start(WORKER_MODULE, "rescuer")
    item = stack.wait_status(item_id, "completed", "failed", timeout=LEASE_SECONDS * 3 + 60)
    assert item.status.value == "completed", item.last_error
    ranges = [r.headers.get("Range", "") for r in stack.fakesite.hoster_requests]
    assert any(v.startswith("bytes=") and not v.startswith("bytes=0-") for v in ranges), ranges
    files = [p for p in stack.library.rglob("*.mp4") if ".aniworld" not in p.parts]
    assert len(files) == 1
    assert stack.partial_files() == []


def test_redis_flush_mid_queue_loses_nothing(stack: Stack) -> None:
    stack.add_series(KAEMPFER)
    stack.settings(parallel_downloads=1, bandwidth_limit=150_000)
    ids = [stack.queue(KAEMPFER, 3, n) for n in range(1, 5)]
    stack.start_workers(1)
    stack.wait_for(lambda: stack.item(ids[0]).downloaded_bytes > 0, 30, "the first download")
    stack.redis().flushall()
    stack.settings(bandwidth_limit=0)
    for item_id in ids:
        item = stack.wait_status(item_id, "completed", "failed", timeout=90)
        assert item.status.value == "completed", item.last_error
    paths = [stack.item(i).file_path for i in ids]
    assert len(set(paths)) == 4
