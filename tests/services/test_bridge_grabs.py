"""Sonarr's grabs as queue items, and the bridge's categories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, Priority, Series
from aniworld.services import queue
from aniworld.services.bridge import categories as cats
from aniworld.services.bridge import grabs
from aniworld.services.bridge.releases import ReleaseId, ReleaseLinkError, magnet_link
from aniworld.services.library.upgrades import held_episodes
from aniworld.services.settings_store import set_setting
from tests.db_fixtures import claim_item, complete_item, fail_item

GER, GSUB = Language.GERMAN_DUB, Language.GERMAN_SUB
LIBRARY = Path("/srv/anime")


@pytest.fixture
def series(session: Session, make_series: Callable[..., Series]) -> Series:
    series = make_series(key="frieren", title="Frieren")
    for number in (1, 2, 3):
        episode = Episode(series_id=series.id, season=1, number=number)
        episode.language_set = (GER,) if number != 3 else (GSUB,)
        session.add(episode)
    session.flush()
    return series


def link(episode: int = 1, language: Language = GER, slug: str = "frieren") -> str:
    release = ReleaseId("aniworld", slug, 1, episode, language)
    return magnet_link(release, f"Frieren S01E{episode:02d} GERMAN 1080p WEB-DL")


def test_a_grab_is_a_queue_item_with_its_bridge_columns(session: Session,
                                                        series: Series) -> None:
    cats.create_category(session, "tv-sonarr", "/downloads/sonarr", Priority.HIGH)
    item = grabs.add_grab(session, link(), "tv-sonarr", LIBRARY)
    session.commit()
    assert (item.season, item.episode, item.language, item.status) == \
        (1, 1, GER, ItemStatus.PENDING)
    assert item.priority is Priority.HIGH and item.force and not item.language_fallback
    assert item.bridge_category == "tv-sonarr" and item.save_path == "/downloads/sonarr"
    assert item.bridge_name == f"Frieren S01E01 GERMAN 1080p WEB-DL [{item.bridge_hash[:8]}]"
    assert item.bridge_hash == ReleaseId("aniworld", "frieren", 1, 1, GER).info_hash
    assert [i.id for i in queue.pending_items(session)] == [item.id]


def test_save_paths_default_category_folder_and_explicit(session: Session,
                                                         series: Series) -> None:
    plain = grabs.add_grab(session, link(1), "", LIBRARY)
    named = grabs.add_grab(session, link(2), "anime", LIBRARY)
    explicit = grabs.add_grab(session, link(3, GSUB), "anime", LIBRARY, "/data/elsewhere")
    assert plain.save_path == "/srv/anime/.aniworld/bridge" and plain.bridge_category == ""
    assert named.save_path == "/srv/anime/.aniworld/bridge/anime"
    assert explicit.save_path == "/data/elsewhere"
    assert cats.load_bridge(session).find("anime") == cats.Category("anime")  # created
    cats.set_default_path(session, "/downloads")
    assert cats.load_bridge(session).path_of("anime", LIBRARY) == Path("/downloads/anime")


def test_adding_the_same_release_again_keeps_or_retries_it(session: Session,
                                                           series: Series) -> None:
    first = grabs.add_grab(session, link(), "", LIBRARY)
    assert grabs.add_grab(session, link(), "", LIBRARY).id == first.id
    fail_item(session, first.id)
    again = grabs.add_grab(session, link(), "", LIBRARY)
    assert again.id == first.id and again.status is ItemStatus.PENDING


def test_a_finished_grab_whose_file_is_gone_is_grabbed_anew(session: Session, series: Series,
                                                           tmp_path: Path) -> None:
    first = grabs.add_grab(session, link(), "", LIBRARY)
    complete_item(session, first.id, str(tmp_path / "kept.mkv"))
    (tmp_path / "kept.mkv").write_bytes(b"x")
    assert grabs.add_grab(session, link(), "", LIBRARY).id == first.id
    (tmp_path / "kept.mkv").unlink()
    new = grabs.add_grab(session, link(), "", LIBRARY)
    assert new is not first and new.status is ItemStatus.PENDING
    assert grabs.grabs(session) == [new]  # one row per hash: the finished one is gone


@pytest.mark.parametrize(("bad", "error"), [
    (link(slug="gone"), NotFoundError),
    (link(3, GER), ValidationError),  # S01E03 is offered only subbed
    ("magnet:?xt=urn:btih:" + "a" * 40, ReleaseLinkError),
])
def test_refused_grabs(session: Session, series: Series, bad: str,
                       error: type[Exception]) -> None:
    with pytest.raises(error):
        grabs.add_grab(session, bad, "", LIBRARY)


def test_an_episode_queued_outside_the_bridge_conflicts(session: Session,
                                                        series: Series) -> None:
    queue.add_item(session, series, 1, 1, GER)
    with pytest.raises(ConflictError):
        grabs.add_grab(session, link(), "", LIBRARY)


def test_delete_removes_waiting_grabs_and_hides_running_ones(session: Session, series: Series,
                                                            tmp_path: Path) -> None:
    waiting = grabs.add_grab(session, link(1), "", LIBRARY)
    running = grabs.add_grab(session, link(2), "", LIBRARY)
    done = grabs.add_grab(session, link(3, GSUB), "", LIBRARY, str(tmp_path))
    claim_item(session, running.id)
    finished = tmp_path / "done.mkv"
    finished.write_bytes(b"x")
    complete_item(session, done.id, str(finished))
    # A finished grab whose recorded file lies outside its save path: the file stays.
    fourth = Episode(series_id=series.id, season=1, number=4)
    fourth.language_set = (GER,)
    session.add(fourth)
    elsewhere = grabs.add_grab(session, link(4), "", LIBRARY, str(tmp_path / "grabs"))
    stranger = tmp_path / "library-copy.mkv"
    stranger.write_bytes(b"the user's")
    complete_item(session, elsewhere.id, str(stranger))
    doomed = grabs.delete_grabs(session, None, delete_files=True)
    session.commit()
    assert doomed == [finished] and stranger.is_file()
    assert session.get(DownloadItem, waiting.id) is None
    assert session.get(DownloadItem, done.id) is None
    hidden = session.get(DownloadItem, running.id)
    assert hidden is not None and hidden.status is ItemStatus.CANCELLED
    assert hidden.bridge_hash is None and hidden.bridge_category == ""
    assert grabs.grabs(session) == []
    grabs.delete_files(doomed + [tmp_path / "already-gone.mkv"])
    assert not finished.exists()


def test_the_name_is_built_not_taken_from_the_link(session: Session, series: Series) -> None:
    release = ReleaseId("aniworld", "frieren", 1, 2, GER)
    evil = grabs.add_grab(session, magnet_link(release, "../../../etc/cron.d/evil"), "", LIBRARY)
    assert evil.bridge_name == f"Frieren S01E02 GERMAN 1080p WEB-DL [{release.info_hash[:8]}]"
    # The same series title on s.to is another release with another name.
    other = ReleaseId("sto", "frieren", 1, 2, GER)
    assert grabs.grab_name(other, ["Frieren"]) != evil.bridge_name


@pytest.mark.parametrize("save_path", ["/srv/anime", "/srv/anime/Frieren",
                                       "/srv/anime/.aniworld/partial"])
def test_save_paths_in_the_library_outside_the_bridge_folder_are_refused(
        session: Session, series: Series, save_path: str) -> None:
    with pytest.raises(ValidationError, match="inside the Aniworld library"):
        grabs.add_grab(session, link(), "", LIBRARY, save_path)
    assert session.scalars(select(DownloadItem)).all() == []
    inside = grabs.add_grab(session, link(), "", LIBRARY, "/srv/anime/.aniworld/bridge/mine")
    assert inside.save_path == "/srv/anime/.aniworld/bridge/mine"


def test_pause_resume_priority_and_label(session: Session, series: Series) -> None:
    item = grabs.add_grab(session, link(), "", LIBRARY)
    hashes = [item.bridge_hash or ""]
    grabs.pause_grabs(session, hashes)
    assert item.status is ItemStatus.PAUSED
    grabs.resume_grabs(session, hashes)
    assert item.status is ItemStatus.PENDING
    grabs.prioritise_grabs(session, hashes, Priority.HIGH)
    assert item.priority is Priority.HIGH
    with pytest.raises(ConflictError):
        grabs.label_grabs(session, hashes, "imported")
    cats.create_category(session, "imported")
    grabs.label_grabs(session, [h.upper() for h in hashes], "imported")
    assert grabs.grabs(session, category="imported") == [item]


def test_a_finished_grab_is_no_library_copy_to_upgrade(session: Session, series: Series,
                                                       tmp_path: Path) -> None:
    item = grabs.add_grab(session, link(), "", LIBRARY)
    finished = tmp_path / "grab.mkv"
    finished.write_bytes(b"x")
    complete_item(session, item.id, str(finished))
    assert held_episodes(session) == {}


def test_category_rules(session: Session) -> None:
    cats.create_category(session, "tv-sonarr")
    with pytest.raises(ConflictError):
        cats.create_category(session, "tv-sonarr")
    for name in ("", " x", "a//b", "../x", "x" * 65):
        with pytest.raises(ValidationError):
            cats.create_category(session, name)
    with pytest.raises(ValidationError):
        cats.create_category(session, "rel", "relative/path")
    cats.create_category(session, "tv/anime", "/srv/anime-dl/")
    assert cats.edit_category(session, "tv-sonarr", "/dl", Priority.LOW) == \
        cats.Category("tv-sonarr", "/dl", Priority.LOW)
    with pytest.raises(NotFoundError):
        cats.edit_category(session, "missing", "/x")
    assert cats.remove_categories(session, ["tv-sonarr", "missing"]) == ["tv-sonarr"]
    assert cats.load_bridge(session).categories == (cats.Category("tv/anime", "/srv/anime-dl"),)


def test_damaged_stored_categories_are_skipped(session: Session) -> None:
    set_setting(session, cats.BRIDGE_KEY, {"save_path": "relative", "categories": [
        {"name": "ok", "save_path": "", "priority": "low"}, {"name": "../bad"}, "junk",
        {"name": "bad-path", "save_path": 7}, {"name": "bad-priority", "priority": "urgent"}]})
    bridge = cats.load_bridge(session)
    assert bridge == cats.BridgeSettings(None, (cats.Category("ok", "", Priority.LOW),))
    assert session.scalars(select(DownloadItem)).all() == []
