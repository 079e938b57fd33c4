"""Releasing episodes at run time: pages, links, hosters and the admin endpoint agree."""

from __future__ import annotations

import pytest
import requests

from tests.fakesite.client import get, soup
from tests.fakesite.languages import ENGLISH_SUB, GERMAN_DUB, GERMAN_SUB
from tests.fakesite.releases import ReleaseError
from tests.fakesite.server import FakeSite

BLAU = "/anime/stream/blauer-drache"


def release(site: FakeSite, **spec: object) -> requests.Response:
    """POST a release to the admin endpoint."""
    return requests.post(site.url + "/__fakesite/release", json=spec, timeout=5)


def test_released_episode_is_listed_and_its_links_reach_a_hoster(fakesite: FakeSite) -> None:
    answer = release(fakesite, slug="blauer-drache", season=1, titles=["Neu", "New"],
                     languages={GERMAN_DUB: ["VOE"], GERMAN_SUB: ["Vidmoly"]})
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert (created["season"], created["number"]) == (1, 4)
    assert created["languages"] == [GERMAN_DUB, GERMAN_SUB]
    rows = soup(fakesite, BLAU + "/staffel-1").select("tbody#season1 tr")
    assert [row["data-episode-season-id"] for row in rows] == ["1", "2", "3", "4"]
    assert rows[-1]["data-episode-id"] == str(created["episode_id"])
    assert rows[-1].select_one("strong").text == "Neu"
    page = soup(fakesite, BLAU + "/staffel-1/episode-4")
    ids = [int(li["data-link-id"]) for li in page.select("li[data-link-id]")]
    assert ids == [link["link_id"] for link in created["links"]]
    for link_id in ids:
        redirect = get(fakesite, f"/redirect/{link_id}")
        assert redirect.status_code == 302
        embed = requests.get(redirect.headers["Location"], timeout=5)
        assert embed.status_code == 200 and "File Not Found" not in embed.text
    listed = soup(fakesite, "/neue-episoden").select("div.newEpisodeList a")
    assert listed[0]["href"] == BLAU + "/staffel-1/episode-4"
    assert [a["href"] for a in listed].count(BLAU + "/staffel-1/episode-4") == 2  # 2 languages


def test_ids_are_fresh_and_defaults_copy_the_season(fakesite: FakeSite) -> None:
    series = fakesite.catalog.series("kaempfer-des-lichts-die-rueckkehr")
    assert series is not None
    used = {link.link_id for e in series.all_episodes() for link in e.links}
    episode = fakesite.release("kaempfer-des-lichts-die-rueckkehr", 3)
    assert episode.number == 33 and not used & {link.link_id for link in episode.links}
    assert episode.languages == series.episode(3, 32).languages  # type: ignore[union-attr]
    film = fakesite.release("kaempfer-des-lichts-die-rueckkehr", 0, languages=[ENGLISH_SUB])
    assert film.is_film and film.number == 4
    assert soup(fakesite, "/anime/stream/kaempfer-des-lichts-die-rueckkehr/filme/film-4")


def test_a_new_season_number_opens_a_season(fakesite: FakeSite) -> None:
    fakesite.release("blauer-drache", 2)
    nav = soup(fakesite, BLAU).select("#stream > ul:first-of-type a")
    assert [a.text for a in nav] == ["1", "2"]
    assert len(soup(fakesite, BLAU + "/staffel-2").select("tbody#season2 tr")) == 1


def test_reset_forgets_releases(fakesite: FakeSite) -> None:
    release(fakesite, slug="blauer-drache", season=1)
    assert requests.post(fakesite.url + "/__fakesite/reset", timeout=5).ok
    assert len(soup(fakesite, BLAU + "/staffel-1").select("tbody#season1 tr")) == 3
    fakesite.release("blauer-drache", 1)
    fakesite.reset()
    assert fakesite.catalog.series("blauer-drache").episode(1, 4) is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("spec", "message"), [
    ({"slug": "gibt-es-nicht", "season": 1}, "no series"),
    ({"slug": "blauer-drache", "season": -1}, "season must be"),
    ({"slug": "blauer-drache", "season": 1, "languages": ["klingon"]}, "unknown language"),
    ({"slug": "blauer-drache", "season": 1, "languages": "german-sub"}, "must be a list"),
    ({"season": 1}, "slug"),
])
def test_bad_releases_are_refused(fakesite: FakeSite, spec: dict[str, object],
                                  message: str) -> None:
    answer = release(fakesite, **spec)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_python_api_raises_on_bad_releases(fakesite: FakeSite) -> None:
    with pytest.raises(ReleaseError, match="unknown language"):
        fakesite.release("blauer-drache", 1, languages=["klingon"])


def test_a_late_dub_joins_the_episode_with_fresh_links(fakesite: FakeSite) -> None:
    before = fakesite.catalog.series("blauer-drache").episode(1, 1)  # type: ignore[union-attr]
    answer = release(fakesite, slug="blauer-drache", season=1, episode=1,
                     languages={GERMAN_DUB: ["VOE"]})
    assert answer.status_code == 200, answer.text
    published = answer.json()
    assert published["episode_id"] == before.episode_id
    assert published["languages"] == [GERMAN_DUB, GERMAN_SUB]
    new = [link for link in published["links"] if link["language"] == GERMAN_DUB]
    assert len(new) == 1 and new[0]["link_id"] not in {link.link_id for link in before.links}
    row = soup(fakesite, BLAU + "/staffel-1").select("tbody#season1 tr")[0]
    assert len(row.select("img.flag")) == 2
    embed = requests.get(get(fakesite, f"/redirect/{new[0]['link_id']}").headers["Location"],
                         timeout=5)
    assert embed.status_code == 200 and "File Not Found" not in embed.text
    # The feed shows the new language on top, once: one row per episode and language.
    listed = soup(fakesite, "/neue-episoden").select("div.newEpisodeList a")
    assert listed[0]["href"] == BLAU + "/staffel-1/episode-1"
    assert [a["href"] for a in listed].count(BLAU + "/staffel-1/episode-1") == 1
    fakesite.reset()
    assert fakesite.catalog.series("blauer-drache").episode(1, 1) == before  # type: ignore[union-attr]


@pytest.mark.parametrize(("spec", "message"), [
    ({"episode": 1, "languages": [GERMAN_SUB]}, "already offered in german-sub"),
    ({"episode": 9, "languages": [GERMAN_DUB]}, "no episode 1x9"),
    ({"episode": 1}, "languages"),
])
def test_bad_language_releases_are_refused(fakesite: FakeSite, spec: dict[str, object],
                                           message: str) -> None:
    answer = release(fakesite, slug="blauer-drache", season=1, **spec)
    assert answer.status_code == 400 and message in answer.json()["error"]
