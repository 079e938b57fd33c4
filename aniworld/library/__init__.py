"""The local library: recognise episode files, scan series folders, match and compare."""

from aniworld.library.filenames import EpisodeFile, parse_file
from aniworld.library.marker import Marker, read_marker, write_marker
from aniworld.library.matching import Match, match_folder, normalise_title
from aniworld.library.missing import MissingEpisode, missing_episodes
from aniworld.library.scanner import FolderScan, scan_tree

__all__ = [
    "EpisodeFile", "FolderScan", "Marker", "Match", "MissingEpisode", "match_folder",
    "missing_episodes", "normalise_title", "parse_file", "read_marker", "scan_tree",
    "write_marker",
]
