"""Helpers of the monitoring tests: per-series options and what a round asked the stand-in."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aniworld.models import Series
from aniworld.services.library.preferences import apply_preferences
from tests.fakesite.server import FakeSite


def set_options(sessions: sessionmaker[Session], series_id: int, **options: Any) -> int:
    """Store a series' preferences as the series page does (committed); returns its id."""
    with sessions() as session:
        apply_preferences(session.get(Series, series_id), options)
        session.commit()
    return series_id


def only_new(sessions: sessionmaker[Session], series_id: int) -> int:
    """Monitor only the episodes that appear from now on; returns the series id."""
    return set_options(sessions, series_id, monitor_scope="new")


def paths(fakesite: FakeSite, server: str = "site") -> list[str]:
    """Paths the stand-in's ``server`` answered, in order."""
    return [record.path for record in fakesite.logs[server].snapshot()]
