"""Library scan benchmark: 1,000 series folders with 100,000 episode files.

Run from the project root: ``.venv/bin/python -m bench.library_scan``. Prints figures only.
Targets: full scan < 3 s, no-change rescan < 0.5 s. The scanner alone is measured first,
then the whole scan as the job runs it (scanner + storing folders and files in a SQLite
database + reading the previous scan back), without the site search.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from aniworld.database import make_engine
from aniworld.library import scanner
from aniworld.models import Base
from aniworld.tasks.scan import run_library_scan

SERIES = 1_000
SEASONS = 4
EPISODES_PER_SEASON = 25
FULL_TARGET = 3.0
RESCAN_TARGET = 0.5
TOUCHED = 10
LANGUAGES = ("German Dub", "German Sub", "English Sub")


def build(root: Path) -> int:
    """Create the synthetic library (one byte per file); return the number of files."""
    count = 0
    for index in range(SERIES):
        series = f"Series {index:04d} ({1990 + index % 35})"
        for season in range(1, SEASONS + 1):
            folder = root / series / f"Season {season:02d}"
            folder.mkdir(parents=True)
            for episode in range(1, EPISODES_PER_SEASON + 1):
                language = LANGUAGES[(index + episode) % len(LANGUAGES)]
                name = (f"Series {index:04d} - S{season:02d}E{episode:02d} - "
                        f"Episode Title {episode} [{language}].mkv")
                (folder / name).write_bytes(b"x")
                count += 1
    return count


def timed(root: Path, previous: dict[str, scanner.FolderScan] | None) -> tuple[float, dict]:
    """Run one scan and return (seconds, result)."""
    started = time.perf_counter()
    result = scanner.scan_tree(root, previous)
    return time.perf_counter() - started, result


def report(label: str, seconds: float, target: float, result: dict) -> None:
    """Print one figure against its target."""
    files = sum(len(scan.files) for scan in result.values())
    print(f"{label:<28} {seconds:7.3f} s  target {target:.1f} s  ratio {seconds / target:5.2f}"
          f"  folders={len(result)} files={files}")


def touch_some(root: Path, result: dict[str, scanner.FolderScan]) -> None:
    """Add one file to a season folder of TOUCHED series."""
    for name in sorted(result)[:TOUCHED]:
        target = root / name / "Season 01" / f"{name} - S01E99 - Extra [German Dub].mkv"
        target.write_bytes(b"x")


def with_database(root: Path) -> None:
    """The scan job's path: scan + store in SQLite, then rescans reading the database."""
    engine = make_engine(f"sqlite:///{root / '.bench.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)

    def no_site() -> object:
        raise RuntimeError("the benchmark does not search the site")

    for label, target in (("job: full scan + store", FULL_TARGET),
                          ("job: no-change rescan", RESCAN_TARGET)):
        started = time.perf_counter()
        summary = run_library_scan(sessions, root, no_site, match=False)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        print(f"{label:<28} {seconds:7.3f} s  target {target:.1f} s  ratio "
              f"{seconds / target:5.2f}  folders={summary.folders} re-read={summary.reread}")
    engine.dispose()


def main() -> None:
    """Build, scan three ways, print, clean up."""
    root = Path(tempfile.mkdtemp(prefix="aniworld-bench-library-"))
    try:
        started = time.perf_counter()
        files = build(root)
        print(f"built {SERIES} folders, {files} files in {time.perf_counter() - started:.1f} s"
              f" ({os.cpu_count()} CPUs)")
        # Let the folder times leave the scanner's "racy" window, as for a library at rest.
        time.sleep(scanner.RACY_WINDOW_NS / 1e9 + 0.2)
        seconds, result = timed(root, None)
        report("full scan", seconds, FULL_TARGET, result)
        seconds, result = timed(root, result)
        report("no-change rescan", seconds, RESCAN_TARGET, result)
        touch_some(root, result)
        seconds, result = timed(root, result)
        report(f"rescan, {TOUCHED} folders touched", seconds, RESCAN_TARGET, result)
        time.sleep(scanner.RACY_WINDOW_NS / 1e9 + 0.2)  # the touched folders settle too
        with_database(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
