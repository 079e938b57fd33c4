"""The real ``qbittorrent-api`` client against the bridge over HTTP: how it encodes calls.

No worker runs here, so grabs stay queued; ``tests/system/test_bridge.py`` downloads one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import qbittorrentapi
import requests
from lxml import etree

from aniworld.extensions import db
from aniworld.models import DownloadItem, ItemStatus, Priority
from tests.web.bridge_helpers import KEY, bridge_app, serving


@pytest.fixture
def served(app_env: dict[str, str]) -> Iterator[tuple[object, str]]:
    app, _client = bridge_app(app_env)
    with serving(app) as url:
        yield app, url


def test_client_calls_reach_the_queue(served: tuple[object, str]) -> None:
    app, url = served
    client = qbittorrentapi.Client(host=url, username="aniworld", password=KEY)
    client.auth_log_in()
    rss = etree.fromstring(requests.get(
        f"{url}/torznab/api", timeout=10, params={"t": "tvsearch", "apikey": KEY,
                                                  "q": "Warriors", "season": "2",
                                                  "ep": "1"}).content)
    magnets = [e.get("url") for e in rss.findall("channel/item/enclosure")]
    # Multipart form, booleans as "True": the grab is added held.
    assert client.torrents_add(urls=magnets, category="anime", is_paused=True) == "Ok."
    torrents = client.torrents_info(status_filter="paused", category="anime")
    assert [t.state_enum.is_paused for t in torrents] == [True, True]
    hashes = [t.hash for t in torrents]
    client.torrents_resume(torrent_hashes=hashes)
    client.torrents_top_priority(torrent_hashes=hashes[0])
    assert client.torrents_info(status_filter="paused") == []
    assert len(client.torrents_info(status_filter="downloading", torrent_hashes=hashes)) == 2
    client.torrents_pause(torrent_hashes=hashes[1])
    client.torrents_create_category(name="imported")
    client.torrents_set_category(category="imported", torrent_hashes=hashes[1])
    with app.app_context():  # type: ignore[attr-defined]
        items = db.session.query(DownloadItem).order_by(DownloadItem.id).all()
        assert [(i.status, i.priority, i.bridge_category) for i in items] == [
            (ItemStatus.PENDING, Priority.HIGH, "anime"),
            (ItemStatus.PAUSED, Priority.NORMAL, "imported")]
    assert set(client.torrents_categories()) == {"anime", "imported"}
    client.torrents_delete(delete_files=False, torrent_hashes=hashes)
    assert client.torrents_info() == []
    assert client.app_preferences().save_path.endswith("/.aniworld/bridge")
    assert client.is_logged_in
    client.auth_log_out()
    assert not client.is_logged_in
