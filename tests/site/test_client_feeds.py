"""SiteClient's feeds over HTTP against the stand-ins (site-2026 §7, §9.9, §9.33, §9.34)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from aniworld.errors import ValidationError
from aniworld.languages import Language
from tests.fakesite.content import STO_V2
from tests.fakesite.languages import ENGLISH_SUB, GERMAN_DUB
from tests.site.test_client_fakesite import TRANSPORTS, make_client, page_requests
from tests.site.test_client_sto import sto_client


def calendar_calls(fakesite: Any) -> list[Any]:
    """The /api/calendar requests the s.to stand-in answered."""
    return fakesite.requests_to("/api/calendar", server="sto")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_release_published_on_the_stand_in_is_the_first_new_episode(fakesite: Any,
                                                                    transport: str) -> None:
    """Admin release → first entry of /neue-episoden, "Neu!", both languages, today."""
    answer = requests.post(fakesite.url + "/__fakesite/release", timeout=5, json={
        "slug": "wilder-falke", "season": 1, "languages": [GERMAN_DUB, ENGLISH_SUB]})
    assert answer.ok, answer.text
    with make_client(fakesite, transport=transport) as client:
        entries = client.new_episodes()
    first = entries[0]
    assert (first.site, first.key, first.season, first.episode) == ("aniworld", "wilder-falke",
                                                                     1, 4)
    assert first.new and first.released and first.day == dt.date.today()
    assert first.languages == frozenset({Language.GERMAN_DUB, Language.ENGLISH_SUB})
    assert first.url == f"{fakesite.url}/anime/stream/wilder-falke/staffel-1/episode-4"
    assert len({(e.key, e.season, e.episode) for e in entries}) > 50


def test_feeds_are_cached_unless_fresh(fakesite: Any) -> None:
    """One request per feed; ``fresh`` asks again and sees a release at once."""
    with make_client(fakesite) as client:
        before = client.releases()
        assert client.new_episodes() == before  # aniworld: every listed row is released
        fakesite.release("wilder-falke", 1)
        assert client.releases() == before
        assert client.releases(fresh=True)[0].key == "wilder-falke"
    paths = [r.path for r in page_requests(fakesite)]
    assert paths == ["/neue-episoden", "/neue-episoden"]
    assert all(r.headers.get("Referer") == f"{fakesite.url}/" for r in page_requests(fakesite))


def test_anime_calendar(fakesite: Any) -> None:
    """The week's cards: online ones before today, announced ones from today on."""
    fakesite.release("roter-berg", 1)
    with make_client(fakesite) as client:
        entries = client.calendar()
    today = dt.date.today()
    assert {e.day for e in entries} == {today + dt.timedelta(days=n - today.weekday())
                                        for n in range(7)}
    release = next(e for e in entries if e.key == "roter-berg" and e.released)
    assert (release.day, release.episode) == (today, 4)
    assert all(e.released == (e.day < today) for e in entries if e is not release)
    assert any(e.url == f"{fakesite.url}/anime/stream/{e.key}" for e in entries)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_sto_calendar_sends_the_calendar_referer(fakesite: Any, strict: bool,
                                                 transport: str) -> None:
    """§9.9 [inf]: with or without the Referer check the client gets the calendar."""
    fakesite.sto.modes.calendar_referer = strict
    with sto_client(fakesite, transport=transport) as client:
        entries = client.calendar()
    assert {e.site for e in entries} == {"sto"}
    assert {e.released for e in entries} == {True, False}
    demo = {(e.season, e.episode): e for e in entries if e.key == "demo-serie"}
    assert demo[(2, 1)].released and not demo[(1, 4)].released
    [call] = calendar_calls(fakesite)
    assert call.status == 200
    assert call.headers.get("Referer") == f"{fakesite.sto_url}/serienkalender"
    assert call.headers.get("X-Requested-With") == "XMLHttpRequest"


def test_sto_releases_are_the_released_calendar_entries(fakesite: Any) -> None:
    """A release on s.to comes first; scheduled episodes are left out."""
    episode = fakesite.release("demo-serie", 2, site=STO_V2)
    with sto_client(fakesite) as client:
        releases = client.releases()
        calendar = client.calendar()
    assert (releases[0].key, releases[0].season, releases[0].episode) == (
        "demo-serie", 2, episode.number)
    assert releases[0].day == dt.date.today()
    assert sorted(releases, key=str) == sorted([e for e in calendar if e.released], key=str)
    assert len(releases) < len(calendar)
    assert [e.day for e in releases] == sorted((e.day for e in releases), reverse=True)
    assert len(calendar_calls(fakesite)) == 1


def test_sto_has_no_new_episodes_list(fakesite: Any) -> None:
    with sto_client(fakesite) as client, pytest.raises(ValidationError, match="calendar"):
        client.new_episodes()
    assert fakesite.requests_to("/", server="sto") == []
