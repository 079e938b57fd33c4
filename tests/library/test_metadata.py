"""Metadata files beside the videos: written atomically, never over the user's own files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

from aniworld.library.metadata import (
    LOCK_NAME,
    RECORD_NAME,
    Outcome,
    folder_record,
    follow_replaced,
    series_folder,
    write_episode,
    write_show,
)
from aniworld.library.nfo import EpisodeNfo, ShowNfo, episode_nfo, tvshow_nfo
from aniworld.library.scanner import scan_tree
from tests.fakesite.covers import JPEG

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "lib" / "Demo (2020)"
    video = folder / "Season 01" / "Demo - S01E01.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"video")
    return folder, video


def test_series_folder_is_the_top_level_folder_of_the_library(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    assert series_folder(library, library / "Demo" / "S1" / "e.mp4") == library / "Demo"
    assert series_folder(library, library / "e.mp4") is None  # no folder of its own
    assert series_folder(library, tmp_path / "downloads" / "tv" / "e.mp4") is None


def test_show_and_episode_files_are_written_and_rewritten_while_ours(tmp_path: Path) -> None:
    folder, video = _folder(tmp_path)
    report = write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    report.merge(write_episode(folder, video, episode_nfo(EpisodeNfo("Demo", 1, 1, "Anfang"))))
    assert (report.written, report.unchanged, report.kept) == (3, 0, [])
    assert (folder / "poster.jpg").read_bytes() == JPEG
    assert ET.parse(folder / "tvshow.nfo").getroot().findtext("title") == "Demo"
    nfo = video.with_suffix(".nfo")
    assert ET.parse(nfo).getroot().findtext("title") == "Anfang"
    record = json.loads((folder / RECORD_NAME).read_text())["files"]
    assert set(record) == {"tvshow.nfo", "poster.jpg", "Season 01/Demo - S01E01.nfo"}

    again = write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    assert (again.written, again.unchanged) == (0, 2)
    renamed = write_show(folder, tvshow_nfo(ShowNfo("Demo 2")), (JPEG, "jpg"))
    assert renamed.written == 1
    assert ET.parse(folder / "tvshow.nfo").getroot().findtext("title") == "Demo 2"
    assert not list(folder.rglob(".*.tmp"))  # temporary files of the atomic writes are gone


def test_a_file_the_user_wrote_or_edited_is_never_overwritten(tmp_path: Path) -> None:
    folder, video = _folder(tmp_path)
    (folder / "poster.jpg").write_bytes(b"my own poster")
    write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    assert (folder / "poster.jpg").read_bytes() == b"my own poster"

    edited = (folder / "tvshow.nfo").read_text().replace("Demo", "Mein Titel")
    (folder / "tvshow.nfo").write_text(edited)
    report = write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    assert (folder / "tvshow.nfo").read_text() == edited
    assert report.kept == [folder / "tvshow.nfo", folder / "poster.jpg"]


def test_a_lost_record_leaves_every_existing_file_alone(tmp_path: Path) -> None:
    folder, _video = _folder(tmp_path)
    write_show(folder, tvshow_nfo(ShowNfo("Demo")), None)
    (folder / RECORD_NAME).write_text("{ not json")
    report = write_show(folder, tvshow_nfo(ShowNfo("Other")), None)
    assert report.kept == [folder / "tvshow.nfo"]


def test_a_cover_of_another_kind_replaces_our_poster_not_the_users(tmp_path: Path) -> None:
    folder, _video = _folder(tmp_path)
    write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    write_show(folder, tvshow_nfo(ShowNfo("Demo")), (PNG, "png"))
    assert not (folder / "poster.jpg").exists() and (folder / "poster.png").read_bytes() == PNG
    (folder / "poster.gif").write_bytes(b"GIF89a mine")
    write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    assert (folder / "poster.gif").exists() and not (folder / "poster.png").exists()


def test_replaced_copies_nfo_goes_or_follows_the_new_file(tmp_path: Path) -> None:
    folder, old = _folder(tmp_path)
    write_episode(folder, old, episode_nfo(EpisodeNfo("Demo", 1, 1, "Alt")))
    new = old.with_name("Demo - S01E01 [German Dub].mp4")
    new.write_bytes(b"better")
    old.unlink()  # the swap moved it to the holding folder
    follow_replaced(folder, [old], new)
    assert not old.with_suffix(".nfo").exists()  # ours: deleted, the new file gets a fresh one

    mine = folder / "Season 01" / "Demo - S01E02.mp4"
    (mine.with_suffix(".nfo")).write_text("<episodedetails><title>Meins</title></episodedetails>")
    newer = mine.with_name("Demo - S01E02 [German Dub].mp4")
    newer.write_bytes(b"better")
    follow_replaced(folder, [mine], newer)
    assert newer.with_suffix(".nfo").read_text().endswith("<title>Meins</title></episodedetails>")
    report = write_episode(folder, newer, episode_nfo(EpisodeNfo("Demo", 1, 2, "Neu")))
    assert report.kept == [newer.with_suffix(".nfo")]  # the user's file followed and stays


def test_concurrent_writers_keep_every_record_entry(tmp_path: Path) -> None:
    folder, _video = _folder(tmp_path)
    videos = [folder / f"Demo - S01E{n:02}.mp4" for n in range(1, 21)]

    def write(video: Path) -> None:
        write_episode(folder, video, episode_nfo(EpisodeNfo("Demo", 1, 1, video.stem)))

    threads = [threading.Thread(target=write, args=(video,)) for video in videos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    record = json.loads((folder / RECORD_NAME).read_text())["files"]
    assert len(record) == 20
    with folder_record(folder) as held:
        assert all(held.write(v.with_suffix(".nfo"), b"x") is Outcome.WRITTEN for v in videos)


HOLD_LOCK = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.lockf(descriptor, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_writer_in_another_process_waits_for_the_lock_file(tmp_path: Path) -> None:
    # How a worker on another host holds the folder: a POSIX record lock of the lock file,
    # which NFS and CIFS pass to the server (a flock of the folder would not be seen there).
    folder, video = _folder(tmp_path)
    writer = threading.Thread(target=write_episode, args=(
        folder, video, episode_nfo(EpisodeNfo("Demo", 1, 1, "Anfang"))))
    with subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder / LOCK_NAME)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as other:
        assert other.stdout is not None and other.stdout.readline() == "locked\n"
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and not video.with_suffix(".nfo").exists()
        # Leaving the block closes its stdin: the other process ends and its lock goes.
    writer.join(10)
    assert not writer.is_alive() and video.with_suffix(".nfo").is_file()


def test_scanner_counts_videos_only_never_metadata_files(tmp_path: Path) -> None:
    folder, video = _folder(tmp_path)
    write_show(folder, tvshow_nfo(ShowNfo("Demo")), (JPEG, "jpg"))
    write_episode(folder, video, episode_nfo(EpisodeNfo("Demo", 1, 1, "Anfang")))
    (folder / "Demo - S01E02.jpg").write_bytes(JPEG)  # even episode-like names
    scans = scan_tree(str(tmp_path / "lib"), {})
    assert [Path(f.path).name for f in scans[folder.name].files] == [video.name]
