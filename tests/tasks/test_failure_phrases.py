"""A failed item keeps its error as a phrase, so pages show it in the reader's language.

Real jobs run in-process against the fake site and hosters over HTTP, on a fresh SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aniworld.languages import Language
from aniworld.models import DownloadItem, HosterHealth, ItemStatus, Series
from aniworld.phrases import Phrase, render
from aniworld.services.settings import save_settings
from aniworld.tasks.runtime import Runtime
from tests.db_fixtures import run_download, worker_runtime
from tests.fakesite.server import FakeSite

KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


@pytest.fixture
def runtime(tmp_path: Path, redis_url: str, fakesite: FakeSite) -> Iterator[Runtime]:
    """A worker's runtime on a fresh SQLite file with the fake site's series."""
    runtime = worker_runtime(tmp_path, redis_url, fakesite)
    with runtime.sessions() as session:
        session.add(Series(key=KAEMPFER, title="Kämpfer des Lichts"))
        save_settings(session, hoster_order=["VOE", "Vidmoly"])
        session.commit()
    yield runtime
    runtime.engine.dispose()


def _download(runtime: Runtime) -> DownloadItem:
    with runtime.sessions() as session:
        series_id = session.query(Series.id).filter_by(key=KAEMPFER).scalar()
    return run_download(runtime, series_id, 1, 1, Language.GERMAN_DUB)


def _german(raw: str | None) -> str:
    phrase = Phrase.from_json(raw)
    assert phrase is not None, raw
    return render(phrase, "de")


def test_a_failed_item_stores_its_error_as_a_phrase(runtime: Runtime,
                                                    fakesite: FakeSite) -> None:
    fakesite.set_fault("status", server="hoster", status=404)
    item = _download(runtime)
    assert item.status is ItemStatus.FAILED
    assert item.last_error is not None
    # English stays exactly what it was before phrases.
    assert item.last_error.startswith("no hoster could deliver Kämpfer des Lichts S01E01 in ")
    assert "VOE no longer has this file (deleted or not found); try another hoster; Vidmoly (" \
        in item.last_error
    german = _german(item.last_error_phrase)
    assert german.startswith("kein Hoster konnte Kämpfer des Lichts S01E01 auf ")
    assert "VOE hat diese Datei nicht mehr (gelöscht oder nicht gefunden)" in german
    assert "Vidmoly hat diese Datei nicht mehr" in german
    assert str(Phrase.from_json(item.last_error_phrase)) == item.last_error


def test_a_retried_item_and_the_hoster_keep_their_phrases(runtime: Runtime,
                                                          fakesite: FakeSite) -> None:
    fakesite.set_fault("status", server="hoster", status=503)
    item = _download(runtime)
    assert item.status is ItemStatus.PENDING and item.last_error is not None
    assert "every hoster failed for" in item.last_error and "(attempt 1 of " in item.last_error
    german = _german(item.last_error_phrase)
    assert "jeder Hoster ist gescheitert bei" in german and "(Versuch 1 von " in german
    assert "antwortet gerade nicht richtig (HTTP 503)" in german
    with runtime.sessions() as session:
        voe = session.query(HosterHealth).filter_by(hoster="voe").one()
        assert voe.last_error is not None and voe.last_error.startswith(
            "VOE is not answering properly right now (HTTP 503)")
        assert _german(voe.last_error_phrase).startswith(
            "VOE antwortet gerade nicht richtig (HTTP 503)")
