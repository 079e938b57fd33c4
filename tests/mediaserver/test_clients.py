"""The media-server clients against loopback stand-ins: exact requests, typed failures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from aniworld.mediaserver import (
    Change,
    LibraryNotFound,
    MediaServerBadAnswer,
    MediaServerClient,
    MediaServerRequestInvalid,
    MediaServerTokenRefused,
    MediaServerUnreachable,
    PathMap,
    ServerSettings,
    make_client,
)
from aniworld.mediaserver import http as media_http
from aniworld.mediaserver.plex import parse_sections
from tests.mediaserver.fixtures import THEIR_LIBRARY, TOKEN
from tests.mediaserver.standins import FakeJellyfin, FakePlex

SERIES = f"{THEIR_LIBRARY}/Blauer Drache (2020)"
CHANGES = [Change(f"{SERIES}/Season 01/Blauer Drache - S01E0{n}.mkv", SERIES) for n in (1, 2)]


def client(kind: str, url: str, token: str | None = TOKEN) -> MediaServerClient:
    """The client Aniworld builds for these settings."""
    return make_client(ServerSettings(kind, url, token))


def test_jellyfin_gets_every_path_in_one_update_with_the_mediabrowser_header(
        fake_jellyfin: FakeJellyfin) -> None:
    client("jellyfin", fake_jellyfin.url).refresh([*CHANGES, CHANGES[0]])
    [call] = fake_jellyfin.calls
    assert (call.method, call.path, call.status) == ("POST", "/Library/Media/Updated", 204)
    assert call.headers["authorization"] == f'MediaBrowser Token="{TOKEN}"'
    assert call.headers["content-type"] == "application/json"
    assert call.json() == {"Updates": [{"Path": change.path, "UpdateType": "Created"}
                                       for change in CHANGES]}


def test_jellyfin_ignores_the_legacy_header_like_jellyfin_12(fake_jellyfin: FakeJellyfin) -> None:
    import requests

    answer = requests.get(f"{fake_jellyfin.url}/System/Info", headers={"X-Emby-Token": TOKEN},
                          timeout=5)
    assert answer.status_code == 401


def test_emby_takes_its_token_header_and_the_same_update(fake_emby: FakeJellyfin) -> None:
    client("emby", fake_emby.url).refresh(CHANGES[:1])
    [call] = fake_emby.refreshes()
    assert call.headers["x-emby-token"] == TOKEN and "authorization" not in call.headers
    assert call.json()["Updates"] == [{"Path": CHANGES[0].path, "UpdateType": "Created"}]


@pytest.mark.parametrize(("token", "what"), [("wrong", "the token was refused"),
                                             (None, "no token is set")])
def test_a_refused_token_says_so_and_where_to_get_one(
        fake_jellyfin: FakeJellyfin, token: str | None, what: str) -> None:
    with pytest.raises(MediaServerTokenRefused) as caught:
        client("jellyfin", fake_jellyfin.url, token).refresh(CHANGES)
    assert what in caught.value.message and "Dashboard → API Keys" in caught.value.message
    assert caught.value.server_wide
    assert [call.status for call in fake_jellyfin.calls] == [401]


def test_check_names_the_server_and_the_library_folder(fake_jellyfin: FakeJellyfin) -> None:
    message = client("jellyfin", fake_jellyfin.url).check(THEIR_LIBRARY)
    assert str(message) == ("Connected to Jellyfin “Jellyfin Server” version 12.0.0; its library "
                       f"folder {THEIR_LIBRARY} holds {THEIR_LIBRARY}.")


def test_check_finds_no_library_for_an_unmapped_path(fake_jellyfin: FakeJellyfin) -> None:
    with pytest.raises(LibraryNotFound) as caught:
        client("jellyfin", fake_jellyfin.url).check("/srv/aniworld/library")
    assert "(/media/anime) holds /srv/aniworld/library" in caught.value.message
    assert "their path" in caught.value.message and not caught.value.server_wide


def test_plex_refreshes_each_series_folder_in_the_section_that_holds_it(
        fake_plex: FakePlex) -> None:
    other = Change(f"{THEIR_LIBRARY}/Other/Other - S01E01.mkv", f"{THEIR_LIBRARY}/Other")
    client("plex", fake_plex.url).refresh([*CHANGES, other])
    assert [(call.method, call.path, call.query) for call in fake_plex.calls] == [
        ("GET", "/library/sections", {}),
        ("GET", "/library/sections/7/refresh", {"path": [SERIES]}),
        ("GET", "/library/sections/7/refresh", {"path": [f"{THEIR_LIBRARY}/Other"]}),
    ]
    assert all(call.headers["x-plex-token"] == TOKEN for call in fake_plex.calls)


def test_plex_gets_a_folder_name_that_is_not_utf8_as_its_bytes_on_disk(
        fake_plex: FakePlex) -> None:
    folder = f"{THEIR_LIBRARY}/" + b"Dr\xe4che".decode("utf-8", "surrogateescape")
    client("plex", fake_plex.url).refresh([Change(f"{folder}/e.mkv", folder)])
    [call] = fake_plex.refreshes()
    assert call.query == {"path": [folder]}


@pytest.mark.parametrize("kind", ["jellyfin", "emby", "plex"])
def test_a_token_with_an_invisible_character_fails_typed(
        fake_jellyfin: FakeJellyfin, kind: str) -> None:
    with pytest.raises(MediaServerRequestInvalid) as caught:
        client(kind, fake_jellyfin.url, TOKEN + "\u200b").refresh(CHANGES)
    assert "the token holds a character HTTP cannot send" in caught.value.message
    assert "paste the token again" in caught.value.message and caught.value.server_wide
    assert fake_jellyfin.calls == []


def test_plex_without_a_section_for_the_folder_refreshes_nothing(fake_plex: FakePlex) -> None:
    lost = Change("/elsewhere/Show/Show - S01E01.mkv", "/elsewhere/Show")
    with pytest.raises(LibraryNotFound) as caught:
        client("plex", fake_plex.url).refresh([lost])
    assert caught.value.message.startswith("No Plex library holds /elsewhere/Show (Plex's "
                                           "library folders: /media/movies, /data/tv, "
                                           "/media/anime)")
    assert fake_plex.refreshes() == []


def test_plex_check_and_refused_token(fake_plex: FakePlex) -> None:
    assert str(client("plex", fake_plex.url).check(THEIR_LIBRARY)) == (
        f"Connected to Plex; {THEIR_LIBRARY} is in “Anime” (section 7).")
    with pytest.raises(MediaServerTokenRefused, match="X-Plex-Token"):
        client("plex", fake_plex.url, "nope").check(THEIR_LIBRARY)


def test_server_errors_and_wrong_addresses_are_named(fake_jellyfin: FakeJellyfin) -> None:
    fake_jellyfin.fail_with = 503
    with pytest.raises(MediaServerBadAnswer, match="answered HTTP 503 to POST "
                                                   "/Library/Media/Updated: stand-in fault"):
        client("jellyfin", fake_jellyfin.url).refresh(CHANGES)
    fake_jellyfin.fail_with = None
    with pytest.raises(MediaServerBadAnswer, match=r"has no /System/Info \(HTTP 404\)"):
        client("jellyfin", f"{fake_jellyfin.url}/jellyfin").check(THEIR_LIBRARY)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_server(closed_port: int) -> None:
    with pytest.raises(MediaServerUnreachable) as caught:
        client("plex", f"http://127.0.0.1:{closed_port}").refresh(CHANGES)
    assert caught.value.message == (f"Plex at http://127.0.0.1:{closed_port} is unreachable "
                                    "(Connection refused): check the URL and that the server "
                                    "runs")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_server_that_never_answers_times_out(silent_server: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_http, "TIMEOUT", (1.0, 0.3))
    with pytest.raises(MediaServerUnreachable, match="did not answer within 0.3 s"):
        client("jellyfin", silent_server).refresh(CHANGES)


@pytest.mark.parametrize("body", [b"<html>not plex", b'<?xml version="1.0"?><!DOCTYPE x>'
                                  b"<MediaContainer/>", b"<Other/>"])
def test_plex_answers_that_are_not_a_section_list(body: bytes) -> None:
    with pytest.raises(MediaServerBadAnswer, match="is the URL the Plex server's address"):
        parse_sections(body)


LIBRARY = Path("/srv/aniworld/library")


@pytest.mark.parametrize(("prefix", "ours", "expected"), [
    (None, LIBRARY / "Show (2020)/Season 01/e.mkv",
     Change("/srv/aniworld/library/Show (2020)/Season 01/e.mkv",
            "/srv/aniworld/library/Show (2020)")),
    ("/media/anime/", LIBRARY / "Show (2020)/Season 01/e.mkv",
     Change("/media/anime/Show (2020)/Season 01/e.mkv", "/media/anime/Show (2020)")),
    ("D:\\Anime", LIBRARY / "Show/Season 01/e.mkv",
     Change("D:\\Anime\\Show\\Season 01\\e.mkv", "D:\\Anime\\Show")),
    ("/media/anime", LIBRARY / "loose.mkv", Change("/media/anime/loose.mkv", "/media/anime")),
    ("/media/anime", Path("/downloads/sonarr/e.mkv"), None),
])
def test_path_mapping(prefix: str | None, ours: Path, expected: Change | None) -> None:
    assert PathMap(LIBRARY, prefix).change(ours) == expected
