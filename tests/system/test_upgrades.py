"""Language upgrade end to end: scheduler → monitoring round on a real RQ worker → upgrade
item → download and check → swap, the old file in the holding folder."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from aniworld.models import DownloadItem, LibraryFile
from aniworld.services.library import monitoring
from aniworld.services.library.upgrades import find_upgrades
from aniworld.services.series import get_series
from aniworld.services.settings import load_settings
from aniworld.tasks.scan import run_library_scan
from tests.fakesite.languages import GERMAN_DUB, GERMAN_SUB
from tests.fakesite.media_files import language_dir
from tests.system.conftest import Stack, played_duration

pytestmark = pytest.mark.slow

BLAU = "blauer-drache"  # German Sub only on the stand-in
HELD = Path("Blauer Drache") / "Season 01" / "Blauer Drache - S01E01 [German Sub].mp4"


def no_site(site: str) -> object:
    raise AssertionError(f"the folder links by its title; no {site} search expected")


def test_published_dub_is_upgraded_once_and_the_sub_is_held(stack: Stack) -> None:
    held = stack.library / HELD
    held.parent.mkdir(parents=True)
    shutil.copyfile(language_dir(GERMAN_SUB) / "video.mp4", held)
    sub_bytes = held.read_bytes()
    stack.add_series(BLAU)
    with stack.sessions() as session:
        series = get_series(session, BLAU)
        series.monitored, series.monitor_scope = True, "new"  # the upgrade, not the gaps
        session.commit()
    run_library_scan(stack.sessions, stack.library, no_site)  # type: ignore[arg-type]
    stack.fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    stack.start_workers(1)  # the scheduler finds a round due at once: none ran yet

    def items() -> list[DownloadItem]:
        with stack.sessions() as session:
            return list(session.scalars(select(DownloadItem)))

    stack.wait_for(lambda: len(items()) == 1, what="the monitoring round to queue")
    [queued] = items()
    assert (queued.upgrade_from.value, queued.language.value) == (GERMAN_SUB, GERMAN_DUB)
    item = stack.wait_status(queued.id, "completed", "failed")
    assert item.status.value == "completed", item.last_error

    files = sorted((stack.library / "Blauer Drache").rglob("*.mp4"))
    assert [str(path) for path in files] == [item.file_path], stack.logs()
    assert "S01E01" in files[0].name and "[German Dub]" in files[0].name
    assert played_duration(files[0]) > 1 and files[0].read_bytes() != sub_bytes
    day = datetime.now(UTC).date().isoformat()
    kept = stack.config.data_dir / "holding" / day / HELD
    assert kept.read_bytes() == sub_bytes
    with stack.sessions() as session:
        assert session.execute(select(LibraryFile.episode, LibraryFile.language)).all() == [
            (1, GERMAN_DUB)]
        status = monitoring.load_status(session)
        assert find_upgrades(session, load_settings(session)) == []  # nothing left to do
    assert "1 queued" in status.message, status.message
