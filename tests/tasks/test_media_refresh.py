"""Media-server refresh: finished files recorded, sent batched per series once a minute.

The clock is the ``now`` the scheduler passes to ``flush``, so the minute passes without
sleeping; the server is the loopback Jellyfin or Plex stand-in, reached over real HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from aniworld.languages import Language
from aniworld.models import DownloadItem, MediaRefreshPath, Series
from aniworld.services import media_refresh
from aniworld.services import queue as queue_service
from aniworld.services.settings import save_settings
from aniworld.tasks import media_refresh as task
from aniworld.tasks.events import DownloadFailed, DownloadFinished
from aniworld.tasks.runtime import Runtime
from tests.mediaserver.fixtures import THEIR_LIBRARY, TOKEN
from tests.mediaserver.standins import FakeJellyfin, FakePlex

T0 = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)


def configure(runtime: Runtime, kind: str, url: str, **changes: object) -> None:
    """Store the media-server settings as the Settings page does."""
    with runtime.sessions() as session:
        save_settings(session, media_server=kind, media_server_url=url,
                      media_server_token=TOKEN, media_server_path=THEIR_LIBRARY, **changes)
        session.commit()


def add_series(runtime: Runtime, title: str) -> int:
    """A series row; returns its id."""
    with runtime.sessions() as session:
        series = Series(key=title.lower().replace(" ", "-"), title=title)
        session.add(series)
        session.commit()
        return series.id


def ours(runtime: Runtime, title: str, episode: int) -> str:
    """Our absolute path of an episode file."""
    return str(runtime.config.library_dir / title / "Season 01" / f"{title} - S01E{episode:02}.mkv")


def theirs(title: str, episode: int) -> str:
    """The same file as the media server sees it."""
    return f"{THEIR_LIBRARY}/{title}/Season 01/{title} - S01E{episode:02}.mkv"


def record(runtime: Runtime, series_id: int, path: str, at: datetime) -> None:
    """A finished download's file, recorded at ``at``."""
    with runtime.sessions() as session:
        media_refresh.record(session, series_id, path, at)
        session.commit()


def pending(runtime: Runtime) -> int:
    """Files still waiting to be announced."""
    with runtime.sessions() as session:
        return session.scalar(select(func.count(MediaRefreshPath.id))) or 0


def sent_paths(server: FakeJellyfin) -> list[list[str]]:
    """The paths of each accepted refresh, per call."""
    return [[update["Path"] for update in call.json()["Updates"]] for call in server.refreshes()]


def at(seconds: float) -> datetime:
    """``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


def test_a_burst_of_one_series_is_one_call_with_every_path(
        runtime: Runtime, fake_jellyfin: FakeJellyfin) -> None:
    configure(runtime, "jellyfin", fake_jellyfin.url)
    drache = add_series(runtime, "Blauer Drache")
    for second, episode in ((0, 1), (3, 2), (6, 3)):
        record(runtime, drache, ours(runtime, "Blauer Drache", episode), at(second))
    assert task.flush(runtime, at(10)) == 0  # still arriving: the burst has not settled
    assert fake_jellyfin.calls == []
    assert task.flush(runtime, at(16)) == 1
    assert sent_paths(fake_jellyfin) == [[theirs("Blauer Drache", n) for n in (1, 2, 3)]]
    assert pending(runtime) == 0
    assert task.flush(runtime, at(30)) == 0 and len(fake_jellyfin.calls) == 1


def test_each_series_gets_its_own_call(runtime: Runtime, fake_jellyfin: FakeJellyfin) -> None:
    configure(runtime, "jellyfin", fake_jellyfin.url)
    drache, fuchs = add_series(runtime, "Blauer Drache"), add_series(runtime, "Roter Fuchs")
    record(runtime, drache, ours(runtime, "Blauer Drache", 1), at(0))
    record(runtime, fuchs, ours(runtime, "Roter Fuchs", 4), at(1))
    record(runtime, drache, ours(runtime, "Blauer Drache", 2), at(2))
    assert task.flush(runtime, at(15)) == 2
    assert sent_paths(fake_jellyfin) == [[theirs("Blauer Drache", 1), theirs("Blauer Drache", 2)],
                                         [theirs("Roter Fuchs", 4)]]


def test_a_series_is_refreshed_at_most_once_a_minute(
        runtime: Runtime, fake_jellyfin: FakeJellyfin) -> None:
    configure(runtime, "jellyfin", fake_jellyfin.url)
    drache = add_series(runtime, "Blauer Drache")
    record(runtime, drache, ours(runtime, "Blauer Drache", 1), at(0))
    assert task.flush(runtime, at(10)) == 1
    record(runtime, drache, ours(runtime, "Blauer Drache", 2), at(20))
    for second in (35, 50, 69.9):
        assert task.flush(runtime, at(second)) == 0, f"sent again {second - 10} s later"
    assert task.flush(runtime, at(70)) == 1
    assert sent_paths(fake_jellyfin) == [[theirs("Blauer Drache", 1)],
                                         [theirs("Blauer Drache", 2)]]


def test_a_steady_stream_is_not_held_for_ever(runtime: Runtime,
                                              fake_jellyfin: FakeJellyfin) -> None:
    configure(runtime, "jellyfin", fake_jellyfin.url)
    drache = add_series(runtime, "Blauer Drache")
    sent_at = []
    for episode, second in enumerate(range(0, 130, 5), 1):
        record(runtime, drache, ours(runtime, "Blauer Drache", episode), at(second))
        if task.flush(runtime, at(second)):
            sent_at.append(second)
    # Each time the oldest file has waited a minute (the first after a refresh came 5 s later).
    assert sent_at == [60, 125]
    assert [len(paths) for paths in sent_paths(fake_jellyfin)] == [13, 13]


def test_a_failed_refresh_keeps_its_paths_and_backs_off(
        runtime: Runtime, fake_jellyfin: FakeJellyfin) -> None:
    configure(runtime, "jellyfin", fake_jellyfin.url)
    drache = add_series(runtime, "Blauer Drache")
    record(runtime, drache, ours(runtime, "Blauer Drache", 1), at(0))
    fake_jellyfin.fail_with = 500
    assert task.flush(runtime, at(10)) == 0
    with runtime.sessions() as session:
        status = media_refresh.load_status(session)
    assert status.last_error == ("Jellyfin answered HTTP 500 to POST /Library/Media/Updated: "
                                 "stand-in fault")
    assert status.retry_at == at(40).isoformat() and pending(runtime) == 1
    fake_jellyfin.reset()
    assert task.flush(runtime, at(39)) == 0 and fake_jellyfin.calls == []
    assert task.flush(runtime, at(40)) == 1
    assert sent_paths(fake_jellyfin) == [[theirs("Blauer Drache", 1)]]
    with runtime.sessions() as session:
        status = media_refresh.load_status(session)
    assert (status.failures, status.retry_at, status.last_success_at) == (0, None,
                                                                          at(40).isoformat())


def test_back_off_doubles_up_to_an_hour() -> None:
    assert [media_refresh.backoff(n) for n in (1, 2, 3, 7, 8, 20)] == [30, 60, 120, 1920,
                                                                       3600, 3600]


def test_plex_gets_the_series_folder_in_its_section_and_a_lost_one_waits_alone(
        runtime: Runtime, fake_plex: FakePlex) -> None:
    configure(runtime, "plex", fake_plex.url)
    drache, fuchs = add_series(runtime, "Blauer Drache"), add_series(runtime, "Roter Fuchs")
    for episode in (1, 2):
        record(runtime, drache, ours(runtime, "Blauer Drache", episode), at(0))
    record(runtime, fuchs, "/mnt/other/Roter Fuchs/e.mkv", at(0))  # no longer in the library
    assert task.flush(runtime, at(15)) == 2
    assert [(call.path, call.query) for call in fake_plex.refreshes()] == [
        ("/library/sections/7/refresh", {"path": [f"{THEIR_LIBRARY}/Blauer Drache"]})]
    assert pending(runtime) == 0


def test_a_folder_plex_does_not_hold_backs_off_that_series_only(
        runtime: Runtime, fake_plex: FakePlex) -> None:
    configure(runtime, "plex", fake_plex.url)
    fake_plex.libraries[1].locations = ["/media/anime/Blauer Drache"]
    drache, fuchs = add_series(runtime, "Blauer Drache"), add_series(runtime, "Roter Fuchs")
    record(runtime, fuchs, ours(runtime, "Roter Fuchs", 1), at(0))
    record(runtime, drache, ours(runtime, "Blauer Drache", 1), at(1))
    assert task.flush(runtime, at(15)) == 1
    assert len(fake_plex.refreshes()) == 1 and pending(runtime) == 1
    with runtime.sessions() as session:
        status = media_refresh.load_status(session)
    assert status.last_error.startswith("No Plex library holds /media/anime/Roter Fuchs")
    assert status.retry_at is None  # the server is fine; only that series waits


def test_missing_url_is_reported_and_nothing_is_lost(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        save_settings(session, media_server="emby")
        session.commit()
    record(runtime, add_series(runtime, "Blauer Drache"), ours(runtime, "Blauer Drache", 1),
           at(0))
    assert task.flush(runtime, at(15)) == 0
    with runtime.sessions() as session:
        status = media_refresh.load_status(session)
    assert status.last_error == ("Emby is chosen but no URL is set: enter the server's "
                                 "address in Settings → Media server or set "
                                 "ANIWORLD_MEDIA_SERVER_URL")
    assert pending(runtime) == 1


def queued_item(runtime: Runtime, series_id: int) -> int:
    """A queue item of the series (the events name items)."""
    with runtime.sessions() as session:
        series = session.get(Series, series_id)
        item = queue_service.add_item(session, series, 1, 1, Language.GERMAN_DUB)
        session.commit()
        return item.id


def test_on_event_records_new_library_files_only(runtime: Runtime) -> None:
    drache = add_series(runtime, "Blauer Drache")
    item_id = queued_item(runtime, drache)
    path = ours(runtime, "Blauer Drache", 1)
    task.on_event(runtime, DownloadFinished(item_id, path))
    assert pending(runtime) == 0, "no media server chosen: nothing to remember"
    configure(runtime, "jellyfin", "http://jellyfin.local:8096")
    for event in (DownloadFinished(item_id, path, already_present=True),
                  DownloadFinished(item_id, "/downloads/sonarr/x.mkv"),
                  DownloadFailed(item_id, "gone"), DownloadFinished(item_id + 99, path)):
        task.on_event(runtime, event)
    assert pending(runtime) == 0
    task.on_event(runtime, DownloadFinished(item_id, path))
    with runtime.sessions() as session:
        row = session.scalars(select(MediaRefreshPath)).one()
    assert (row.series_id, row.path) == (drache, path)


def test_on_event_skips_bridge_grabs_and_the_hidden_work_area(runtime: Runtime) -> None:
    drache = add_series(runtime, "Blauer Drache")
    configure(runtime, "jellyfin", "http://jellyfin.local:8096")
    item_id = queued_item(runtime, drache)
    hidden = str(runtime.config.library_dir / ".aniworld" / "bridge" / "tv" / "x.mkv")
    task.on_event(runtime, DownloadFinished(item_id, hidden))
    with runtime.sessions() as session:
        session.get(DownloadItem, item_id).save_path = "/srv/grabs"
        session.commit()
    task.on_event(runtime, DownloadFinished(item_id, ours(runtime, "Blauer Drache", 1)))
    assert pending(runtime) == 0


def test_off_in_settings_overrides_the_environment(runtime: Runtime) -> None:
    from dataclasses import replace

    env = replace(runtime.config, integrations=(("media_server", "plex"),))
    with runtime.sessions() as session:
        settings = save_settings(session)
        assert media_refresh.server_kind(env, settings) == "plex"
        settings = save_settings(session, media_server="off")
        assert media_refresh.server_kind(env, settings) is None


def test_an_environment_token_http_cannot_send_is_recorded_not_raised(
        runtime: Runtime, fake_jellyfin: FakeJellyfin) -> None:
    from dataclasses import replace

    # The environment's token skips the Settings validator: a pasted zero-width space.
    env = replace(runtime.config, integrations=(("media_server", "jellyfin"),
                                                ("media_server_url", fake_jellyfin.url),
                                                ("media_server_token", TOKEN + "\u200b")))
    broken = Runtime(env, runtime.engine, runtime.sessions, runtime.redis)
    record(broken, add_series(broken, "Blauer Drache"), ours(broken, "Blauer Drache", 1), at(0))
    assert task.flush(broken, at(15)) == 0
    with runtime.sessions() as session:
        status = media_refresh.load_status(session)
    assert status.last_error.startswith("Jellyfin: the token holds a character HTTP cannot send")
    assert status.retry_at == at(45).isoformat() and pending(broken) == 1
    assert fake_jellyfin.calls == []
