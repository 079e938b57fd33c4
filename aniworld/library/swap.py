"""Replace an episode's file with a better copy without ever losing both (no database).

A language upgrade downloads and verifies the new file into a staging folder inside the
library first; only then does :func:`run_swap` put it in place and move the old copies to
the holding folder ``<data dir>/holding/<YYYY-MM-DD>/<path relative to the library>``,
where :func:`sweep_holding` deletes them after ``holding_days``.

Crash safety: the plan is written to a journal before the first step, every step is
idempotent and each one leaves at least one complete copy of the episode:

- staged file present, nothing moved: the old file is untouched; run again.
- same name: the old file is hard-linked (or copied under a temporary name, then renamed)
  into the holding folder *before* ``os.replace`` swaps the new file in, so one name
  always holds the old bytes. A holding copy that exists is complete (it only ever
  appears by link or rename).
- different names: the new file is placed first, then the old copies move away.
- staged file gone: the new file is in place (``os.replace`` is atomic); only old copies
  with another name may remain, and they are moved on the next run.

Running the journal's plan again finishes any of these states; the worker does so when it
takes over the item, the partial-data sweep for an item cancelled meanwhile (:func:`settle`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from aniworld.downloader.disk import fsync_dir, fsync_file, place
from aniworld.errors import AniworldError
from aniworld.phrases import Phrase

logger = logging.getLogger(__name__)

HOLDING_DIR = "holding"
JOURNAL = "swap.json"
# Link, rename and copy errors that mean "another filesystem" or "no hard links here".
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


class SwapError(AniworldError):
    """The new file could not be put in place; the old one is still there."""

    code = "swap_failed"
    transient = False  # a full or read-only data folder needs the user first


@dataclass(frozen=True)
class SwapPlan:
    """The verified new file, where it goes, and each old copy with its holding place."""

    staged: Path
    final: Path
    moves: tuple[tuple[Path, Path], ...]

    def to_json(self) -> str:
        """The plan as the journal stores it."""
        return json.dumps({"staged": str(self.staged), "final": str(self.final),
                           "moves": [[str(old), str(held)] for old, held in self.moves]})

    @classmethod
    def from_json(cls, text: str) -> SwapPlan:
        """Read a journal's plan; raises ValueError (or KeyError/TypeError) if damaged."""
        data = json.loads(text)
        return cls(Path(data["staged"]), Path(data["final"]),
                   tuple((Path(old), Path(held)) for old, held in data["moves"]))


def holding_root(data_dir: Path) -> Path:
    """The folder replaced files are kept in."""
    return data_dir / HOLDING_DIR


def plan_swap(staged: Path, final: Path, old: Iterable[Path], library: Path, holding: Path,
              day: date) -> SwapPlan:
    """Decide where each old copy is kept: ``holding/<day>/<path relative to the library>``.

    Old copies that no longer exist, appear twice or lie outside the library (left where
    the user put them) are not part of the plan. Whatever already sits at ``final`` is held
    too, named or not: the new file never overwrites a copy that is not kept. A name
    already taken in the holding folder gets a counter, so an earlier copy is never
    overwritten. Raises SwapError if ``final`` is taken by a file outside the library.
    """
    moves: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    final_real = real_path(final)
    for path in [*old, final]:
        real = real_path(path)
        if real in seen or not (real.is_file() or real.is_symlink()):
            continue
        # The path as named first: a series folder may be a link to another disk.
        relative = _library_relative(library, path) or _library_relative(library, real)
        if relative is None:
            if real == final_real:
                raise SwapError(Phrase(
                    "%(path)s exists outside the library; move it away and retry", path=str(final)
                ))
            logger.warning("upgrade leaves a copy outside the library path=%s", path)
            continue
        seen.add(real)
        taken = {held for _, held in moves}
        moves.append((real, _free_name(holding / day.isoformat() / relative, taken)))
    return SwapPlan(staged, final_real, tuple(moves))


def _library_relative(library: Path, path: Path) -> Path | None:
    """``path`` (made absolute, ``..`` folded) relative to the library, or None."""
    relative = relative_to_library(library, Path(os.path.normpath(library / path)))
    return None if relative is None or ".." in relative.parts else relative


def read_journal(journal: Path) -> SwapPlan | None:
    """The plan of a swap that was started, or None (none started, or unreadable)."""
    try:
        return SwapPlan.from_json(journal.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("swap journal unreadable path=%s error=%s", journal, exc)
        return None


def run_swap(plan: SwapPlan, journal: Path) -> None:
    """Carry out (or finish) ``plan``; raises SwapError with the old copies still safe.

    The journal stays: the caller removes it with the staging folder once the database
    knows about the new file, so a crash before that finds the swap done, not to do.
    """
    try:
        if not journal.exists():
            _write_atomically(journal, plan.to_json())
        _swap(plan)
    except OSError as exc:
        raise SwapError(Phrase(
            "could not replace %(name)s: %(error)s (%(file)s); the old file is still in place, "
            "fix the folder and retry the item",
            name=plan.final.name, error=str(exc.strerror or exc), file=str(exc.filename),
        )) from exc
    logger.info("upgrade swapped path=%s kept=%s", plan.final,
                [str(held) for _, held in plan.moves])


def settle(journal: Path) -> bool:
    """Finish a swap whose new file is already in place (True); leave any other alone.

    For the partial-data sweep: an item cancelled mid-swap must not leave the old copy
    next to the new one, while a swap that never placed its file simply did not happen.
    """
    plan = read_journal(journal)
    if plan is None or plan.staged.exists() or not plan.final.is_file():
        return False
    run_swap(plan, journal)
    return True


def sweep_holding(holding: Path, days: int, today: date) -> list[Path]:
    """Delete the day folders older than ``days`` days; return them."""
    if not holding.is_dir():
        return []
    expired = []
    for folder in holding.iterdir():
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue  # not ours
        if folder.is_dir() and (today - day).days > days:
            shutil.rmtree(folder, ignore_errors=True)
            expired.append(folder)
    if expired:
        logger.info("holding folder swept removed=%s", [folder.name for folder in expired])
    return expired


def _swap(plan: SwapPlan) -> None:
    same = [(old, held) for old, held in plan.moves if old == plan.final]
    aside = [(old, held) for old, held in plan.moves if old != plan.final]
    if plan.staged.exists():
        for old, held in same:
            if old.exists() and not held.exists():
                _keep(old, held)  # before the replace: then the name still holds the old bytes
        place(plan.staged, plan.final)
    elif not plan.final.is_file():
        raise FileNotFoundError(errno.ENOENT, "the verified new file is gone", str(plan.staged))
    # Different names: the new file is visible before the old one leaves, so a media
    # server watching the folder never sees the episode vanish (and drop its watch state);
    # for a moment it sees two files, which its next scan merges again.
    for old, held in aside:
        if old.exists() or old.is_symlink():
            if not held.exists():
                _keep(old, held)
            old.unlink()
            fsync_dir(old.parent)


def _keep(old: Path, held: Path) -> None:
    """Put a complete copy of ``old`` at ``held``; ``old`` stays where it is."""
    held.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, held)
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        # The data folder is on another filesystem (or has no hard links): copy under a
        # temporary name, so ``held`` only ever appears complete.
        partial = held.with_name(f".{held.name}.aniworld-tmp")
        shutil.copy2(old, partial)
        fsync_file(partial)
        os.replace(partial, held)
    fsync_dir(held.parent)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text)
    fsync_file(partial)
    os.replace(partial, path)
    fsync_dir(path.parent)


def real_path(path: Path) -> Path:
    """``path`` with its folders' symbolic links resolved (the file itself is not followed)."""
    return Path(os.path.realpath(path.parent)) / path.name


def relative_to_library(library: Path, path: Path) -> Path | None:
    """``path`` relative to the library, or None if it lies elsewhere.

    Paths are built below the *resolved* library folder, while the setting may name it
    through a symbolic link (``/srv/anime`` -> ``/mnt/nas/anime``): both count.
    """
    for root in (library, Path(os.path.realpath(library))):
        try:
            return path.relative_to(root)
        except ValueError:
            continue
    return None


def _free_name(path: Path, taken: set[Path]) -> Path:
    candidate, number = path, 1
    while candidate.exists() or candidate in taken:
        number += 1
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
    return candidate
