"""Media-server refresh end to end: real RQ workers download, record the files, and the
scheduler process tells the Jellyfin or Plex stand-in, one call per series.

The once-a-minute rule is checked with a clock the test sets (``flush(now=…)``) on the data
the real workers recorded, instead of sleeping for a minute.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aniworld.models import MediaRefreshPath, MediaRefreshSeries
from aniworld.tasks import media_refresh
from aniworld.tasks.runtime import Runtime
from tests.harness import SCHEDULER_MODULE
from tests.mediaserver.fixtures import THEIR_LIBRARY, TOKEN
from tests.mediaserver.standins import Call, FakeJellyfin, FakePlex
from tests.system.conftest import Stack

pytestmark = pytest.mark.slow

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"
CAT = "dr-who-s-cat"


def use_server(stack: Stack, kind: str, url: str) -> None:
    """Choose the stand-in in Settings, with the library mapped to its path."""
    stack.settings(media_server=kind, media_server_url=url, media_server_token=TOKEN,
                   media_server_path=THEIR_LIBRARY)


def download(stack: Stack, key: str, *episodes: int) -> list[str]:
    """Queue episodes of season 1, wait for them; their paths as the media server sees them."""
    ids = [stack.queue(key, 1, episode) for episode in episodes]
    paths = []
    for item_id in ids:
        item = stack.wait_status(item_id, "completed", "failed")
        assert item.status.value == "completed", item.last_error
        relative = Path(item.file_path).relative_to(stack.library)
        paths.append(f"{THEIR_LIBRARY}/{relative.as_posix()}")
    return paths


def pending(stack: Stack) -> int:
    """Files recorded and not yet announced."""
    with stack.sessions() as session:
        return session.scalar(select(func.count(MediaRefreshPath.id))) or 0


def updated(call: Call) -> list[str]:
    """The paths a ``/Library/Media/Updated`` call carries."""
    return [update["Path"] for update in call.json()["Updates"]]


def test_a_burst_per_series_is_one_jellyfin_call_and_the_next_waits_a_minute(
        stack: Stack, fake_jellyfin: FakeJellyfin) -> None:
    stack.add_series(KAEMPFER)
    stack.add_series(CAT)
    use_server(stack, "jellyfin", fake_jellyfin.url)
    stack.start_workers(2, scheduler=False)
    burst = download(stack, KAEMPFER, 1, 2, 3)
    other = download(stack, CAT, 1)
    stack.wait_for(lambda: pending(stack) == 4, 10, "the workers to record the four files")
    assert fake_jellyfin.calls == []  # recorded durably; only the scheduler sends

    scheduler = stack.start(SCHEDULER_MODULE, "scheduler")
    calls = fake_jellyfin.wait_calls(2, lambda call: call.path == "/Library/Media/Updated")
    # Two workers: the files of a call come in the order they finished.
    assert sorted(sorted(updated(call)) for call in calls) == sorted([sorted(burst), other])
    assert all(call.headers["authorization"] == f'MediaBrowser Token="{TOKEN}"'
               for call in calls)
    assert pending(stack) == 0

    later = download(stack, KAEMPFER, 4)
    stack.wait_for(lambda: pending(stack) == 1, 10, "the fourth episode to be recorded")
    stack.kill(scheduler)  # from here on the test keeps the clock
    with stack.sessions() as session:
        sent_at = session.scalars(select(MediaRefreshSeries.sent_at)
                                  .order_by(MediaRefreshSeries.sent_at)).first()
        assert sent_at is not None
        # However long the download took: both series were refreshed at sent_at and the
        # fourth episode arrived 20 s later (so it settled 10 s after that).
        for row in session.scalars(select(MediaRefreshSeries)):
            row.sent_at = sent_at
        for path in session.scalars(select(MediaRefreshPath)):
            path.recorded_at = sent_at + timedelta(seconds=20)
        session.commit()
    runtime = Runtime(stack.config, stack.engine, stack.sessions, stack.redis())
    assert media_refresh.flush(runtime, sent_at + timedelta(seconds=59)) == 0
    assert len(fake_jellyfin.refreshes()) == 2
    assert media_refresh.flush(runtime, sent_at + timedelta(seconds=75)) == 1
    assert updated(fake_jellyfin.refreshes()[-1]) == later
    runtime.redis.close()


def test_plex_refreshes_the_series_folder_in_its_section(running_stack: Stack,
                                                         fake_plex: FakePlex) -> None:
    stack = running_stack
    stack.add_series(CAT)
    use_server(stack, "plex", fake_plex.url)
    [path] = download(stack, CAT, 2)
    [call] = fake_plex.wait_calls(1, lambda call: call.path.endswith("/refresh"))
    folder = path.rsplit("/", 2)[0]  # <their library>/<series folder>/Season 01/<file>
    assert folder.count("/") == THEIR_LIBRARY.count("/") + 1
    assert (call.method, call.path, call.query) == ("GET", "/library/sections/7/refresh",
                                                    {"path": [folder]})
    assert call.headers["x-plex-token"] == TOKEN
