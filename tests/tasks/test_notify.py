"""Background events become notification jobs; the job delivers, records and retries.

Real jobs run in-process against the stand-in site and hosters over HTTP, with the
session's Redis (the ``notify`` queue is inspected, then its jobs are delivered to a
real local JSON endpoint).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rq.job import Job

from aniworld.config import Config
from aniworld.languages import Language
from aniworld.models import Base, DownloadItem, ItemStatus, Series
from aniworld.notifications import Message
from aniworld.notifications.messages import human_size
from aniworld.services import notifications
from aniworld.services.settings import load_settings, save_settings
from aniworld.site.limiter import SiteLimiter
from aniworld.tasks import attention, dispatch, notify
from aniworld.tasks.events import (
    ActionKind,
    ActionNeeded,
    DownloadFinished,
    MonitorQueued,
    UnmatchedFolders,
    publish,
)
from aniworld.tasks.runtime import Runtime, build_runtime
from tests.db_fixtures import run_download
from tests.fakenotify import NotifyEndpoint, closed_port
from tests.fakesite.server import FakeSite

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


def make_runtime(tmp_path: Path, redis_url: str, site_url: str) -> Runtime:
    """A worker's runtime on a fresh SQLite file with one series stored."""
    runtime = build_runtime(Config.from_env({
        "ANIWORLD_DATA_DIR": str(tmp_path), "ANIWORLD_LIBRARY_DIR": str(tmp_path / "lib"),
        "REDIS_URL": redis_url, "ANIWORLD_SITE_URL": site_url,
        "ANIWORLD_SITE_TRANSPORT": "requests", "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1"}))
    Base.metadata.create_all(runtime.engine)
    with runtime.sessions() as session:
        session.add(Series(key=KAEMPFER, title="Kämpfer des Lichts"))
        save_settings(session, hoster_order=["VOE", "Vidmoly"])
        session.commit()
    return runtime


@pytest.fixture
def runtime(tmp_path: Path, redis_url: str, fakesite: FakeSite,
            notify_endpoint: NotifyEndpoint) -> Iterator[Runtime]:
    """The runtime with the endpoint as its one notification URL."""
    runtime = make_runtime(tmp_path, redis_url, fakesite.url)
    settings(runtime, notify_urls=notify_endpoint.url())
    yield runtime
    runtime.engine.dispose()


def settings(runtime: Runtime, **changes: object) -> None:
    with runtime.sessions() as session:
        save_settings(session, **changes)
        session.commit()


def download(runtime: Runtime, episode: int) -> DownloadItem:
    with runtime.sessions() as session:
        series_id = session.query(Series.id).filter_by(key=KAEMPFER).scalar()
    return run_download(runtime, series_id, 1, episode, Language.GERMAN_DUB)


def queued(runtime: Runtime) -> list[Job]:
    """The notification jobs waiting on the notify queue, oldest first."""
    return dispatch.make_queue(runtime.redis, dispatch.NOTIFY_QUEUE).get_jobs()


def events_queued(runtime: Runtime) -> list[str]:
    return [job.args[0] for job in queued(runtime)]


def deliver_all(runtime: Runtime) -> None:
    """Run each queued notification job's delivery in this process."""
    for job in queued(runtime):
        notify.deliver(runtime, Message(*job.args), job)


def test_completed_download_enqueues_one_retried_job_that_delivers_its_fields(
        runtime: Runtime, notify_endpoint: NotifyEndpoint) -> None:
    item = download(runtime, 1)
    assert item.status is ItemStatus.COMPLETED, item.last_error
    [job] = queued(runtime)
    assert job.retries_left == len(dispatch.NOTIFY_RETRY_INTERVALS)
    assert job.retry_intervals == list(dispatch.NOTIFY_RETRY_INTERVALS)
    deliver_all(runtime)
    [received] = notify_endpoint.received
    assert received.title == "Downloaded: Kämpfer des Lichts S01E01"
    size = Path(item.file_path).stat().st_size
    assert f"Size: {human_size(size)}" in received.message
    assert f"File: {item.file_path}" in received.message
    assert "Language: German Dub" in received.message
    with runtime.sessions() as session:
        status = notifications.load_status(session)
    assert status.success_at and not status.broken


def test_switched_off_event_or_no_url_enqueues_nothing(runtime: Runtime) -> None:
    settings(runtime, notify_events=["failed"])
    assert download(runtime, 1).status is ItemStatus.COMPLETED
    assert queued(runtime) == []
    settings(runtime, notify_events=["completed"], notify_urls=None)
    assert download(runtime, 2).status is ItemStatus.COMPLETED
    assert queued(runtime) == []


def test_a_file_already_present_sends_nothing(runtime: Runtime) -> None:
    publish(runtime, DownloadFinished(1, "/lib/x.mkv", already_present=True))
    assert queued(runtime) == []


def test_round_and_scan_events_enqueue_their_messages(runtime: Runtime) -> None:
    publish(runtime, MonitorQueued(3, {"Blauer Drache": 2, "Roter Mond": 1}))
    publish(runtime, UnmatchedFolders(("Gibt Es Nicht",)))
    monitor_job, unmatched_job = queued(runtime)
    assert monitor_job.args[:3] == ["monitor", "Monitoring queued 3 new episode(s)",
                                    "Blauer Drache: 2\nRoter Mond: 1"]
    assert unmatched_job.args[0] == "unmatched" and "Gibt Es Nicht" in unmatched_job.args[2]


def test_messages_speak_the_settings_language_german_only_for_de(runtime: Runtime) -> None:
    settings(runtime, ui_language="de")
    publish(runtime, UnmatchedFolders(("Gibt Es Nicht",)))
    settings(runtime, ui_language="auto")
    publish(runtime, UnmatchedFolders(("Gibt Es Nicht",)))
    german, english = queued(runtime)
    assert german.args[1] == "Bibliotheksscan: 1 Ordner warten auf deine Wahl"
    assert english.args[1] == "Library scan: 1 folder(s) need your choice"


def test_redis_down_drops_the_message_without_failing_the_publisher(
        tmp_path: Path, fakesite: FakeSite, caplog: pytest.LogCaptureFixture) -> None:
    runtime = make_runtime(tmp_path, f"redis://127.0.0.1:{closed_port()}/0", fakesite.url)
    settings(runtime, notify_urls="json://127.0.0.1:9/x")
    notify.on_event(runtime, ActionNeeded(ActionKind.DISK_RESERVE, "free some space"))
    assert "notification dropped event=action: redis unavailable" in caplog.text
    runtime.engine.dispose()


def test_a_captcha_hold_is_reported_once_not_per_item(
        runtime: Runtime, fakesite: FakeSite) -> None:
    fakesite.set_fault("captcha")
    first, second = download(runtime, 1), download(runtime, 2)
    assert first.status is ItemStatus.FAILED  # the captcha itself: the user must act
    assert second.status is ItemStatus.PENDING  # waits for the hold to end
    assert events_queued(runtime) == ["action", "failed"]
    action = queued(runtime)[0]
    assert action.args[1] == "Action needed: AniWorld shows a captcha"
    assert "AniWorld: the site showed a captcha" in action.args[2]
    # The same hold met again by the next round: still one message.
    with runtime.sessions() as session:
        attention.report_site_holds(runtime, load_settings(session))
    assert events_queued(runtime) == ["action", "failed"]


def test_a_new_hold_after_the_last_ended_is_reported_again(runtime: Runtime,
                                                           fakesite: FakeSite) -> None:
    limiter = SiteLimiter(fakesite.url, runtime.redis)
    # Long holds: a slow machine must not see one end between the calls. Its report's claim
    # lasts as long as the hold; deleting the claim stands for the hold's time running out.
    limiter.hold(600, "site_challenge")
    with runtime.sessions() as session:
        loaded = load_settings(session)
    assert attention.report_site_hold(runtime, loaded, "aniworld")
    assert not attention.report_site_hold(runtime, loaded, "aniworld")
    runtime.redis.delete("aniworld:attention:hold:aniworld")  # the hold's time ran out
    limiter.release_hold()
    limiter.hold(600, "site_challenge")
    assert attention.report_site_hold(runtime, loaded, "aniworld")
    titles = [job.args[1] for job in queued(runtime)]
    assert titles == ["Action needed: AniWorld asks for a browser check"] * 2


def test_the_disk_reserve_is_reported_once_for_every_item_it_stops(runtime: Runtime) -> None:
    settings(runtime, disk_reserve=10 * 1024**4)
    assert download(runtime, 1).status is ItemStatus.FAILED
    assert download(runtime, 2).status is ItemStatus.FAILED
    assert events_queued(runtime) == ["action", "failed", "failed"]
    assert queued(runtime)[0].args[1] == "Action needed: the disk reserve is reached"


def test_failed_delivery_is_recorded_and_raised_then_cleared_by_the_next_success(
        runtime: Runtime, notify_endpoint: NotifyEndpoint) -> None:
    notify_endpoint.fail(1, status=503)
    message = Message("failed", "Download failed: X S01E01", "Reason: gone", "failure")
    with pytest.raises(notify.NotificationFailed, match="error=503"):
        notify.deliver(runtime, message)
    with runtime.sessions() as session:
        status = notifications.load_status(session)
    assert status.broken and status.event == "failed" and status.error_at
    assert status.target == f"JSON json://127.0.0.1:{notify_endpoint.port} (URL 1)"
    assert notify.deliver(runtime, message) == "delivered to 1 URL(s)"
    with runtime.sessions() as session:
        status = notifications.load_status(session)
    assert not status.broken and status.success_at
    assert notify_endpoint.titles() == ["Download failed: X S01E01"]


def test_a_url_apprise_cannot_use_is_recorded_but_not_retried(runtime: Runtime) -> None:
    settings(runtime, notify_urls="discord://only-an-id")
    result = notify.deliver(runtime, Message("test", "t", "b"))
    assert result.startswith("URL 1 (discord://…): Apprise cannot use this URL")
    with runtime.sessions() as session:
        assert notifications.load_status(session).broken
