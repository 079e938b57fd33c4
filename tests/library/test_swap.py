"""Swapping a verified new file in: old copies to the holding folder, never both lost."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

import pytest

from aniworld.library import swap
from aniworld.library.swap import SwapError, plan_swap, read_journal, run_swap, settle

DAY = date(2026, 11, 30)
SUB = "Blauer Drache/Season 01/Blauer Drache - S01E01 - Eins [German Sub].mp4"
DUB = "Blauer Drache/Season 01/Blauer Drache - S01E01 - Eins [German Dub].mp4"


Places = tuple[Path, Path, Path]


class Crash(Exception):
    """Stands for the worker dying at this point."""


@pytest.fixture
def places(tmp_path: Path) -> Places:
    """(library, holding folder, staged new file)."""
    library, holding = tmp_path / "library", tmp_path / "data" / "holding"
    staged = library / ".aniworld" / "partial" / "7" / "upgrade" / "new.mp4"
    staged.parent.mkdir(parents=True)
    staged.write_bytes(b"new dub")
    return library, holding, staged


def _old(library: Path, name: str, data: bytes = b"old sub") -> Path:
    path = library / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _episode_files(library: Path) -> list[str]:
    folder = library / "Blauer Drache"
    return sorted(str(p.relative_to(library)) for p in folder.rglob("*.mp4"))


def _journal(staged: Path) -> Path:
    return staged.parent / swap.JOURNAL


def test_different_names_place_the_new_file_then_hold_the_old(places: Places) -> None:
    library, holding, staged = places
    old = _old(library, SUB)
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)
    run_swap(plan, _journal(staged))
    assert _episode_files(library) == [DUB]
    assert (library / DUB).read_bytes() == b"new dub"
    assert (holding / "2026-11-30" / SUB).read_bytes() == b"old sub"
    assert not staged.exists()


def test_same_name_keeps_the_old_bytes_in_holding(places: Places) -> None:
    library, holding, staged = places
    old = _old(library, DUB, b"untagged template, old bytes")
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)
    run_swap(plan, _journal(staged))
    assert _episode_files(library) == [DUB]
    assert (library / DUB).read_bytes() == b"new dub"
    assert (holding / "2026-11-30" / DUB).read_bytes() == b"untagged template, old bytes"


def test_crash_before_the_replace_keeps_both_and_a_rerun_finishes(
        places: Places, monkeypatch: pytest.MonkeyPatch) -> None:
    library, holding, staged = places
    old = _old(library, DUB)
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)
    real_place = swap.place

    def crash(source: Path, final: Path) -> None:
        raise Crash

    monkeypatch.setattr(swap, "place", crash)
    with pytest.raises(Crash):
        run_swap(plan, _journal(staged))
    # The old bytes are in the library and in holding, the new ones still staged.
    assert (library / DUB).read_bytes() == b"old sub" and staged.read_bytes() == b"new dub"
    assert (holding / "2026-11-30" / DUB).read_bytes() == b"old sub"
    monkeypatch.setattr(swap, "place", real_place)
    resumed = read_journal(_journal(staged))
    assert resumed == plan
    run_swap(resumed, _journal(staged))
    assert (library / DUB).read_bytes() == b"new dub"
    assert (holding / "2026-11-30" / DUB).read_bytes() == b"old sub"  # not the new bytes


def test_crash_after_placing_is_settled_by_the_sweep(
        places: Places, monkeypatch: pytest.MonkeyPatch) -> None:
    library, holding, staged = places
    old = _old(library, SUB)
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)

    def crash(old: Path, held: Path) -> None:
        raise Crash

    monkeypatch.setattr(swap, "_keep", crash)
    with pytest.raises(Crash):
        run_swap(plan, _journal(staged))
    assert _episode_files(library) == [DUB, SUB]  # never none: new first, then the old away
    monkeypatch.undo()
    assert settle(_journal(staged))
    assert _episode_files(library) == [DUB]
    assert (holding / "2026-11-30" / SUB).read_bytes() == b"old sub"


def test_settle_leaves_a_swap_that_never_placed_its_file(places: Places) -> None:
    library, holding, staged = places
    _old(library, SUB)
    plan = plan_swap(staged, library / DUB, [library / SUB], library, holding, DAY)
    _journal(staged).write_text(plan.to_json())
    assert not settle(_journal(staged))
    assert _episode_files(library) == [SUB]
    assert not settle(staged.parent / "no-journal.json")


def test_another_filesystem_gets_a_complete_copy(
        places: Places, monkeypatch: pytest.MonkeyPatch) -> None:
    library, holding, staged = places
    old = _old(library, SUB)

    def no_link(source: Path, target: Path) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    run_swap(plan_swap(staged, library / DUB, [old], library, holding, DAY), _journal(staged))
    kept = holding / "2026-11-30" / SUB
    assert kept.read_bytes() == b"old sub"
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]  # no temporary copy left


def test_plan_skips_gone_repeated_and_outside_copies_and_never_overwrites(places: Places,
                                                                          tmp_path) -> None:
    library, holding, staged = places
    old = _old(library, SUB)
    earlier = holding / "2026-11-30" / SUB
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"kept this morning")
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"x")
    plan = plan_swap(staged, library / DUB,
                     [old, library / "Blauer Drache" / ".." / SUB, library / "gone.mp4", outside],
                     library, holding, DAY)
    assert [held.name for _, held in plan.moves] == [
        "Blauer Drache - S01E01 - Eins [German Sub] (2).mp4"]
    run_swap(plan, _journal(staged))
    assert earlier.read_bytes() == b"kept this morning" and outside.exists()


def test_lost_new_file_is_an_error_with_the_old_one_in_place(places: Places) -> None:
    library, holding, staged = places
    old = _old(library, SUB)
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)
    staged.unlink()
    with pytest.raises(SwapError, match="old file is still in place"):
        run_swap(plan, _journal(staged))
    assert old.read_bytes() == b"old sub"


def test_sweep_deletes_only_expired_day_folders(tmp_path: Path) -> None:
    holding = tmp_path / "holding"
    for name in ("2026-11-01", "2026-11-16", "2026-11-29", "notes"):
        (holding / name).mkdir(parents=True)
        (holding / name / "file.mp4").write_bytes(b"x")
    removed = swap.sweep_holding(holding, 14, DAY)
    assert [path.name for path in removed] == ["2026-11-01"]
    assert sorted(p.name for p in holding.iterdir()) == ["2026-11-16", "2026-11-29", "notes"]
    assert swap.sweep_holding(tmp_path / "none", 14, DAY) == []


def test_a_file_at_the_target_that_the_item_does_not_name_is_held_too(places: Places) -> None:
    library, holding, staged = places
    old = _old(library, SUB)
    dropped_bytes = b"a dub the user dropped in after the last scan"
    _old(library, DUB, dropped_bytes)
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)
    run_swap(plan, _journal(staged))
    assert _episode_files(library) == [DUB] and (library / DUB).read_bytes() == b"new dub"
    assert (holding / "2026-11-30" / DUB).read_bytes() == dropped_bytes
    assert (holding / "2026-11-30" / SUB).read_bytes() == b"old sub"


def test_a_series_folder_linked_to_another_disk_keeps_its_copy(places: Places,
                                                               tmp_path: Path) -> None:
    library, holding, staged = places
    elsewhere = tmp_path / "disk2" / "Blauer Drache"
    (elsewhere / "Season 01").mkdir(parents=True)
    (library / "Blauer Drache").symlink_to(elsewhere, target_is_directory=True)
    old = _old(library, DUB, b"old bytes behind a link")
    plan = plan_swap(staged, library / DUB, [old], library, holding, DAY)
    run_swap(plan, _journal(staged))
    assert (library / DUB).read_bytes() == b"new dub"
    assert (holding / "2026-11-30" / DUB).read_bytes() == b"old bytes behind a link"
