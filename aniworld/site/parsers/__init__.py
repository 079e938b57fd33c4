"""Pure parsers: page text in, dataclasses out; no network, no Flask."""

from aniworld.site.parsers.episode import parse_episode, read_language_keys
from aniworld.site.parsers.search import merge_results, parse_ajax_search, parse_series_search
from aniworld.site.parsers.season import parse_season
from aniworld.site.parsers.series import parse_series

__all__ = [
    "merge_results",
    "parse_ajax_search",
    "parse_episode",
    "parse_season",
    "parse_series",
    "parse_series_search",
    "read_language_keys",
]
