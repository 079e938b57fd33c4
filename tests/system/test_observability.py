"""/metrics and /api/v1/status against a real worker process, Redis and the stand-in site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.services import queue as queue_service
from tests.system.conftest import Stack
from tests.web.conftest import api_client
from tests.web.test_metrics import Samples, parse

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
KEY = "observe-key-0123456789abcdef"
VOE = (("hoster", "VOE"), ("site", "aniworld"))


@pytest.fixture
def web(running_stack: Stack) -> Iterator[FlaskClient]:
    """The web app of the running stack (same database and Redis), sending an API key."""
    app, client = api_client(running_stack.env, KEY)
    yield client
    with app.app_context():
        db.engine.dispose()


def counted(stack: Stack, web: FlaskClient, sample: tuple[str, Any]) -> Samples:
    """The parsed /metrics once ``sample`` shows in it (the worker counts after committing)."""
    found: Samples = {}

    def has_sample() -> bool:
        found.clear()
        found.update(parse(web.get("/metrics")))
        return sample in found

    stack.wait_for(has_sample, 30, f"{sample[0]} in /metrics")
    return found


def test_worker_download_is_counted_with_its_bytes(running_stack: Stack,
                                                   web: FlaskClient) -> None:
    stack = running_stack
    stack.add_series(KAEMPFER)
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 1), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    size = (stack.library / item.file_path).stat().st_size
    # The row is committed before the event is published and the subscriber counts it.
    values = counted(stack, web, ("aniworld_downloads_total", VOE))
    assert values[("aniworld_downloads_total", VOE)] == 1
    assert values[("aniworld_downloaded_bytes_total", VOE)] == size > 0
    assert values[("aniworld_queue_items", (("status", "completed"),))] == 1
    assert values[("aniworld_hoster_attempts_total",
                   (("hoster", "VOE"), ("outcome", "success"), ("site", "aniworld")))] == 1
    # The worker's requests to the site (catalog read by the test, episode page, redirect).
    assert values[("aniworld_site_requests_total", (("outcome", "ok"), ("site", "aniworld")))] \
        >= 2
    assert values[("aniworld_workers", ())] == 1
    last = web.get("/api/v1/status").get_json()["last_completed"]
    assert (last["series_key"], last["code"], last["language"]) == (KAEMPFER, "S01E01",
                                                                    "german-dub")


def test_failure_for_good_is_counted_by_hoster(running_stack: Stack, web: FlaskClient) -> None:
    stack = running_stack
    stack.add_series(KAEMPFER)
    stack.settings(max_attempts=1)
    stack.fakesite.set_fault("status", server="hoster", status=503)  # every hoster is down
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 2), "completed", "failed")
    assert item.status.value == "failed" and item.hoster, item.last_error
    last_tried = (("hoster", item.hoster), ("site", "aniworld"))
    values = counted(stack, web, ("aniworld_download_failures_total", last_tried))
    assert values[("aniworld_download_failures_total", last_tried)] == 1
    assert not any(name == "aniworld_downloads_total" for name, _ in values)
    assert values[("aniworld_queue_items", (("status", "failed"),))] == 1
    assert web.get("/api/v1/status").get_json()["failed"] == 1


def test_status_shows_a_running_download(running_stack: Stack, web: FlaskClient) -> None:
    stack = running_stack
    stack.add_series(KAEMPFER)
    stack.settings(bandwidth_limit=60_000)
    item_id = stack.queue(KAEMPFER, 1, 3)
    stack.wait_for(lambda: (stack.item(item_id).speed or 0) > 0, 30, "a measured speed")
    status = web.get("/api/v1/status").get_json()
    assert status["active"] == 1 and status["pending"] == 0
    assert 0 < status["progress"] < 100 and 0 < status["speed"] <= 200_000
    assert status["eta_seconds"] is None or status["eta_seconds"] > 0
    values = parse(web.get("/metrics"))
    assert values[("aniworld_queue_items", (("status", "downloading"),))] == 1
    with stack.sessions() as session:
        queue_service.cancel_item(session, item_id)
        session.commit()
    stack.wait_for(lambda: stack.item(item_id).lease is None, 10, "the job to let go")
    assert web.get("/api/v1/status").get_json()["active"] == 0
