"""A Vidara-only episode travels queue → RQ worker → site → Vidara API → HLS → library."""

from __future__ import annotations

import pytest

from tests.pipeline.conftest import Stack, played_duration

pytestmark = pytest.mark.slow

SERIES = "nebelufer"


def test_vidara_only_episode_arrives_in_the_library(stack: Stack) -> None:
    stack.add_series(SERIES)
    stack.start_workers(1)
    item = stack.wait_status(stack.queue(SERIES, 1, 1), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    path = stack.library / item.file_path
    assert item.hoster == "Vidara" and path.name.startswith("Nebelufer - S01E01 - ")
    assert played_duration(path) > 1
    posts = stack.fakesite.requests_to("/api/stream", server="hoster")
    assert posts and {r.method for r in posts} == {"POST"}
