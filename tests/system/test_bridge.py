"""The real ``qbittorrent-api`` client drives a grab from a Torznab result to a finished file.

Aniworld's web app serves the bridge over HTTP on loopback (werkzeug, in this process) next
to the running worker and scheduler; the episode comes from the stand-in site like any other
download, but lands in the category's folder instead of the library.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qbittorrentapi
import requests
from lxml import etree

from tests.harness import wait_until
from tests.system.conftest import Stack, played_duration
from tests.web.bridge_helpers import serving
from tests.web.conftest import api_client

pytestmark = pytest.mark.slow

KEY = "aw_system-bridge-key-0123456789abcdef"
KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


@pytest.fixture
def bridge_url(running_stack: Stack) -> Iterator[str]:
    """The app of the running stack (same database, Redis and library) on a loopback port."""
    app, _client = api_client(running_stack.env, KEY)
    with serving(app) as url:
        yield url


def torznab_magnet(url: str) -> tuple[str, str]:
    """Search as Sonarr does; the German release's title and magnet link."""
    response = requests.get(f"{url}/torznab/api", timeout=10, params={
        "t": "tvsearch", "cat": "5070", "extended": "1", "apikey": KEY, "offset": "0",
        "limit": "100", "q": "Warriors of Light The Return", "season": "1", "ep": "1"})
    item = etree.fromstring(response.content).find("channel/item")
    return item.findtext("title"), item.find("enclosure").get("url")


def library_videos(stack: Stack) -> list[Path]:
    return [p for p in stack.library.rglob("*.mp4") if ".aniworld" not in p.parts]


def test_grab_from_torznab_to_a_finished_file_in_the_category_folder(
        running_stack: Stack, bridge_url: str) -> None:
    stack = running_stack
    stack.add_series(KAEMPFER)
    title, magnet = torznab_magnet(bridge_url)
    assert title == "Warriors of Light: The Return S01E01 GERMAN 1080p WEB-DL"

    with pytest.raises(qbittorrentapi.LoginFailed):
        qbittorrentapi.Client(host=bridge_url, username="aniworld",
                              password="aw_wrong-password-long-enough").auth_log_in()
    client = qbittorrentapi.Client(host=bridge_url, username="aniworld", password=KEY)
    client.auth_log_in()
    assert client.app_version() == "v4.6.7" and client.app_web_api_version() == "2.9.3"
    folder = stack.tmp_path / "sonarr-downloads"
    client.torrents_create_category(name="tv-sonarr", save_path=str(folder))
    assert client.torrents_categories()["tv-sonarr"]["savePath"] == str(folder)
    assert client.torrents_add(urls=magnet, category="tv-sonarr") == "Ok."

    def finished() -> qbittorrentapi.TorrentDictionary | None:
        torrents = client.torrents_info(category="tv-sonarr")
        assert len(torrents) == 1 and not torrents[0].state_enum.is_errored, torrents
        return torrents[0] if torrents[0].state_enum.is_complete else None

    wait_until(finished, 90, "the grab to finish", stack.logs, interval=0.25)
    torrent = finished()
    assert torrent is not None
    assert (torrent.state, torrent.progress, torrent.eta) == ("pausedUP", 1, 0)
    path = Path(torrent.content_path)
    assert path == folder / \
        f"Warriors of Light - The Return S01E01 GERMAN 1080p WEB-DL [{torrent.hash[:8]}].mp4"
    assert path.is_file() and torrent.size == path.stat().st_size > 0
    assert played_duration(path) > 1
    assert torrent.save_path == str(folder) != torrent.content_path
    assert library_videos(stack) == [] and stack.partial_files() == []
    assert client.torrents_properties(torrent_hash=torrent.hash).save_path == str(folder)
    assert [f.name for f in client.torrents_files(torrent_hash=torrent.hash)] == [path.name]
    assert stack.items()[0].file_path == str(path)

    client.torrents_delete(delete_files=True, torrent_hashes=torrent.hash)
    assert client.torrents_info() == [] and not path.exists()
    assert stack.items() == []
    client.auth_log_out()
