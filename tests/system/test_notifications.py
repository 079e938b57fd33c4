"""Notifications end to end: real worker and scheduler processes post to a local JSON endpoint.

The endpoint (``tests/fakenotify.py``) is what Apprise's ``json://`` URL talks to; each
test stores it as the notification URL, makes something happen and reads what arrived.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import update

from aniworld.extensions import db
from aniworld.models import Episode
from aniworld.services import notifications
from aniworld.services import queue as queue_service
from aniworld.services.library import scan_state
from aniworld.tasks import dispatch
from tests.fakenotify import NotifyEndpoint, Received
from tests.fakesite.languages import GERMAN_SUB
from tests.services.library.conftest import put
from tests.system.conftest import Stack
from tests.system.test_monitoring import monitor_new
from tests.web.conftest import AuthActions, build_app

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
CAT = "dr-who-s-cat"
BLAU = "blauer-drache"


@pytest.fixture
def stack(running_stack: Stack, notify_endpoint: NotifyEndpoint) -> Stack:
    """The running stack with the endpoint as its notification URL."""
    running_stack.settings(notify_urls=notify_endpoint.url("/aniworld"))
    return running_stack


def arrived(stack: Stack, endpoint: NotifyEndpoint, count: int) -> list[Received]:
    return endpoint.wait_for(count, timeout=60, details=stack.logs)


def test_completed_download_arrives_with_its_fields(stack: Stack,
                                                    notify_endpoint: NotifyEndpoint) -> None:
    stack.add_series(KAEMPFER)
    item = stack.wait_status(stack.queue(KAEMPFER, 1, 1), "completed", "failed")
    assert item.status.value == "completed", item.last_error
    [received] = arrived(stack, notify_endpoint, 1)
    path = Path(item.file_path)
    size = path.stat().st_size
    assert received.path == "/aniworld" and received.body["type"] == "success"
    assert received.title == "Downloaded: Kämpfer des Lichts: Die Rückkehr S01E01"
    lines = received.message.splitlines()
    assert lines[:3] == ["Series: Kämpfer des Lichts: Die Rückkehr", "Episode: S01E01",
                         "Language: German Dub"]
    assert lines[3].startswith("Size: ") and lines[3].endswith("KiB" if size < 2**20 else "MiB")
    assert lines[4] == f"File: {item.file_path}"


def test_failed_for_good_and_the_captcha_arrive_once_each(
        stack: Stack, notify_endpoint: NotifyEndpoint) -> None:
    stack.add_series(CAT)
    stack.fakesite.set_fault("captcha", prefix="/redirect/")
    item = stack.wait_status(stack.queue(CAT, 1, 1), "failed", "completed")
    assert item.status.value == "failed"
    action, failed = sorted(arrived(stack, notify_endpoint, 2), key=lambda r: r.title)
    assert action.title == "Action needed: AniWorld shows a captcha"
    assert "import your browser's cookies" in action.message.lower()
    assert failed.title == "Download failed: Dr. Who's Cat S01E01"
    assert f"Reason: {item.last_error}" in failed.message
    assert failed.body["type"] == "failure"


def test_switched_off_events_are_not_sent(stack: Stack,
                                          notify_endpoint: NotifyEndpoint) -> None:
    stack.settings(notify_events=["failed"])
    stack.add_series(KAEMPFER)
    stack.add_series("hell-s-kitchen-mage")
    done = stack.wait_status(stack.queue(KAEMPFER, 1, 2), "completed", "failed")
    assert done.status.value == "completed", done.last_error
    with stack.sessions() as session:  # no language known: the job stays strict and fails
        session.execute(update(Episode).values(languages=""))
        session.commit()
    failing = stack.wait_status(stack.queue("hell-s-kitchen-mage", 1, 1), "failed", "completed")
    assert failing.status.value == "failed"
    arrived(stack, notify_endpoint, 1)
    assert notify_endpoint.titles() == ["Download failed: Hell's Kitchen Mage S01E01"]


def test_a_failed_send_is_retried_by_rq_and_arrives_once_everywhere(
        stack: Stack, notify_endpoint: NotifyEndpoint) -> None:
    second = NotifyEndpoint()
    try:
        stack.settings(notify_urls=f"{notify_endpoint.url('/a')} {second.url('/b')}")
        second.fail(1, status=503)
        connection = stack.redis()
        job_id = dispatch.enqueue_notification(connection, "test", "Retry me", "body", "info",
                                               retry_intervals=(1, 1))
        second.wait_for(1, timeout=60, details=stack.logs)
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        stack.wait_for(lambda: job.get_status(refresh=True) == "finished", 30, "the job to end")
        assert second.attempts == 2  # failed once, then RQ's retry delivered it
        assert [r.path for r in notify_endpoint.received] == ["/a"]  # not sent twice
        with stack.sessions() as session:
            assert not notifications.load_status(session).broken
    finally:
        second.close()


def test_a_broken_notifier_shows_its_last_error_on_the_settings_page(
        stack: Stack, notify_endpoint: NotifyEndpoint) -> None:
    notify_endpoint.fail(10, status=500)
    dispatch.enqueue_notification(stack.redis(), "test", "Broken", "body", "info",
                                  retry_intervals=())

    def broken() -> bool:
        with stack.sessions() as session:
            return notifications.load_status(session).broken

    stack.wait_for(broken, 30, "the failure to be recorded")
    app = build_app(stack.env)
    client = app.test_client()
    auth = AuthActions(app, client)
    auth.set_password()
    auth.login()
    html = client.get("/settings/").get_data(as_text=True)
    assert "A notifier is broken. Last failure (" in html
    # The moment in the Settings time zone (UTC by default), then the failure as Apprise said it.
    assert (f"): JSON json://127.0.0.1:{notify_endpoint.port} (URL 1): Failed to send JSON "
            "POST notification: Internal server error., error=500.") in html
    with app.app_context():
        db.engine.dispose()


def test_a_monitoring_round_sends_one_message_with_its_series(
        stack: Stack, notify_endpoint: NotifyEndpoint) -> None:
    stack.settings(notify_events=["monitor"])
    with stack.sessions() as session:  # the round only queues: nothing downloads meanwhile
        queue_service.pause_queue(session)
        session.commit()
    stack.add_series(BLAU)
    monitor_new(stack, BLAU)
    stack.fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    assert dispatch.enqueue_monitor(stack.redis())
    [received] = arrived(stack, notify_endpoint, 1)
    assert received.title == "Monitoring queued 1 new episode(s)"
    assert received.message == "Blauer Drache: 1"


def test_a_scan_that_leaves_folders_unmatched_says_which(
        stack: Stack, notify_endpoint: NotifyEndpoint) -> None:
    put(stack.library / "Gibt Es Nicht" / "Gibt Es Nicht - S01E01.mkv")
    with stack.sessions() as session:
        scan_state.request_scan(session)
        session.commit()
    assert dispatch.enqueue_scan(stack.redis())
    [received] = arrived(stack, notify_endpoint, 1)
    assert received.title == "Library scan: 1 folder(s) need your choice"
    assert received.message.splitlines()[0] == "Gibt Es Nicht"
