"""``torrents/info``'s filter, sort and paging over plain torrent dictionaries."""

from __future__ import annotations

from aniworld.services.bridge.torrents import select_torrents


def test_sort_mixes_empty_text_missing_and_numbers_without_crashing() -> None:
    torrents = [{"hash": "a", "category": "tv-sonarr", "size": 5},
                {"hash": "b", "category": "", "size": 0},
                {"hash": "c", "category": None, "size": None},
                {"hash": "d", "category": "anime", "size": 3}]
    by_category = select_torrents(torrents, sort="category")
    assert [t["hash"] for t in by_category] == ["b", "d", "a", "c"]
    by_size = select_torrents(torrents, sort="size", reverse=True)
    assert [t["hash"] for t in by_size] == ["c", "a", "d", "b"]
    assert [t["hash"] for t in select_torrents(torrents, sort="no-such-field")] == \
        ["a", "b", "c", "d"]
