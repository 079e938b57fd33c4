"""What a scan and a monitoring round report for their notifications."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from aniworld.services.library import monitoring
from aniworld.services.settings import AppSettings
from aniworld.site import SiteClient
from aniworld.tasks import monitor
from aniworld.tasks.scan import run_library_scan
from tests.fakesite.languages import GERMAN_SUB
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import (
    ClientFactory,
    add_from_site,
    age,
    put,
    stand_in,
    store,
)
from tests.services.library.monitor_helpers import only_new

BLAU = "blauer-drache"


def test_scan_names_the_folders_it_newly_left_unmatched(
        sessions: sessionmaker[Session], library: Path, clients: ClientFactory) -> None:
    put(library / "Blauer Drache" / "Blauer Drache - S01E01.mkv")
    put(library / "Gibt Es Nicht" / "Gibt Es Nicht - S01E01.mkv")
    put(library / "Auch Nicht" / "Auch Nicht - S01E02.mkv")
    age(library)
    summary = run_library_scan(sessions, library, clients)
    assert summary.new_unmatched == ("Auch Nicht", "Gibt Es Nicht")
    # Still unmatched, but not new: the next scan has nothing to report.
    age(library)
    store(sessions, library)
    assert run_library_scan(sessions, library, clients).new_unmatched == ()


def test_round_counts_the_queued_episodes_per_series(
        sessions: sessionmaker[Session], client: SiteClient, fakesite: FakeSite) -> None:
    only_new(sessions, add_from_site(sessions, client, BLAU))
    fakesite.release(BLAU, 1, languages=[GERMAN_SUB])
    summary = monitor.run_monitor_round(sessions, stand_in(fakesite, client), AppSettings())
    assert summary.queued == 1
    assert summary.queued_series == {"Blauer Drache": 1}
    with sessions() as session:  # the stored status reads back
        stored = monitoring.load_status(session).figures()
    assert stored.queued_series == {"Blauer Drache": 1}
