"""The aniworld stand-in's feeds and protections as site-2026 §9.33-§9.35 ask, over plain HTTP."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import Counter

import pytest
import requests
from bs4 import BeautifulSoup

from aniworld.site.transport import DESKTOP_USER_AGENTS
from tests.fakesite.blocks import SPAM_SENTENCE
from tests.fakesite.client import KAEMPFER, get, soup
from tests.fakesite.languages import GERMAN_DUB, GERMAN_SUB
from tests.fakesite.pages_feeds import NEW_EPISODE_ROWS, NEW_TAGGED_ROWS
from tests.fakesite.server import FakeSite

ROW = "div.newEpisodeList > div.rows > div.col-md-12 > div.row > div.col-md-12"
TOOL_AGENTS = ["python-requests/2.32.3", "Python-urllib/3.12", "curl/8.5.0", "Wget/1.21.4",
               "python-httpx/0.28.1", "Mozilla/5.0 (compatible; python-requests)"]
WEEK = ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"]


def test_new_episodes_has_150_rows_with_lazy_flags(fakesite: FakeSite) -> None:
    """§9.33: 150 rows, an episode repeated per language, a film, "Neu!" on the first rows."""
    page = soup(fakesite, "/neue-episoden")
    assert page.select_one("div.pageTitle h2").text == "150 neuesten Episoden"
    rows = page.select(ROW)
    assert len(rows) == NEW_EPISODE_ROWS
    hrefs = [row.select_one("a")["href"] for row in rows]
    assert max(Counter(hrefs).values()) >= 2 and any("/filme/film-" in h for h in hrefs)
    for row in rows:
        assert row.select_one("a strong") and row.select_one("a span.listTag.bigListTag.blue2")
        assert re.fullmatch(r"(Mo|Di|Mi|Do|Fr|Sa|So), \d\d\.\d\d\.\d{4}",
                            row.select_one("a span.elementFloatRight").text)
        flag = row.select_one("a + img.flag")
        assert flag.get("src") is None and re.fullmatch(r"/public/img/[a-z-]+\.svg",
                                                        flag["data-src"])
    tagged = [bool(row.select("span.listTag.bigListTag.green.right")) for row in rows]
    assert tagged == [True] * NEW_TAGGED_ROWS + [False] * (NEW_EPISODE_ROWS - NEW_TAGGED_ROWS)


def test_release_tops_new_episodes_and_calendar(fakesite: FakeSite) -> None:
    """A release published through the admin endpoint is the first row, tagged "Neu!"."""
    answer = requests.post(fakesite.url + "/__fakesite/release", timeout=5, json={
        "slug": "stiller-mond", "season": 1, "languages": [GERMAN_DUB, GERMAN_SUB]})
    assert answer.ok, answer.text
    path = "/anime/stream/stiller-mond/staffel-1/episode-4"
    rows = soup(fakesite, "/neue-episoden").select(ROW)
    assert [row.select_one("a")["href"] for row in rows[:2]] == [path, path]
    assert all(row.select("span.listTag.green") for row in rows[:2])
    days = soup(fakesite, "/animekalender").select("section.calendarList")
    [today] = [day for day in days if "(heute)" in day.find("h3").text]
    assert today.select(f"a[href='{path}'] span[title='Stream online!']")


def test_anime_calendar_week(fakesite: FakeSite) -> None:
    """§9.34: 7 days, series-only cards, ``~ HH:MM Uhr``, "Stream online!", one 23:59."""
    # On a Monday the week has no past day yet, so only a release of today links an episode.
    assert requests.post(fakesite.url + "/__fakesite/release", timeout=5, json={
        "slug": "stiller-mond", "season": 1, "languages": [GERMAN_DUB]}).ok
    page = soup(fakesite, "/animekalender")
    days = page.select("#seriesContainer section.calendarList")
    assert [day["id"] for day in days] == WEEK
    headings = [day.find("h3").text for day in days]
    assert all(re.fullmatch(r"\w+, \d\d\.\d\d\.\d{4}( \(heute\))?", h) for h in headings)
    assert sum("(heute)" in h for h in headings) == 1
    cards = page.select("div.seriesListContainer > div.col-md-15.col-sm-3.col-xs-6 > a[href]")
    assert any(re.fullmatch(r"/anime/stream/[a-z0-9-]+", a["href"]) for a in cards)
    assert any("/staffel-" in a["href"] for a in cards)
    times = [a.find_all("small")[1].text for a in cards]
    assert all(re.fullmatch(r"~ \d\d:\d\d Uhr", t) for t in times) and "~ 23:59 Uhr" in times
    assert all(re.match(r"S\d\dE\d\d ", a.find("small").text) for a in cards)
    assert all(a.select_one("small img.flag[data-src^='/public/img/']") for a in cards)
    assert page.select("a span.listTag.bigListTag.grey[title='Stream online!']")
    assert all(a.select_one("h3.seriesTitle span.paragraph-end") for a in cards)


@pytest.mark.parametrize("agent", TOOL_AGENTS)
def test_bot_block_refuses_http_libraries(fakesite: FakeSite, agent: str) -> None:
    """§9.35: with ``bot_block`` only a browser's User-Agent gets the page."""
    fakesite.set_fault("bot_block")
    assert get(fakesite, KAEMPFER, headers={"User-Agent": agent}).status_code == 403
    for browser in DESKTOP_USER_AGENTS:
        assert get(fakesite, KAEMPFER, headers={"User-Agent": browser}).status_code == 200


def test_bot_block_refuses_library_defaults(fakesite: FakeSite) -> None:
    """The defaults of requests and urllib (no User-Agent set) are refused too."""
    fakesite.set_fault("bot_block")
    assert requests.get(fakesite.url + KAEMPFER, timeout=5).status_code == 403
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(fakesite.url + KAEMPFER, timeout=5)
    assert refused.value.code == 403
    refused.value.close()


def test_ddos_guard_and_spam_pages(fakesite: FakeSite) -> None:
    """§9.35: DDoS-Guard's check page and the site's own spam sentence."""
    fakesite.set_fault("ddos_guard", times=1)
    check = get(fakesite, KAEMPFER)
    assert check.status_code == 403 and "<title>DDOS-GUARD</title>" in check.text
    links = BeautifulSoup(check.text, "lxml").select("[src*='/.well-known/ddos-guard/'], "
                                                     "[href*='/.well-known/ddos-guard/']")
    assert any("/.well-known/ddos-guard/js-challenge/" in (t.get("src") or t.get("href"))
               for t in links)
    fakesite.set_fault("spam", times=1)
    assert SPAM_SENTENCE in get(fakesite, KAEMPFER).text
