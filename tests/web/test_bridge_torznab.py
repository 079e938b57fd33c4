"""The Torznab endpoint, its XML read the way Sonarr's TorznabRssParser and caps reader do."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from lxml import etree

from tests.web.bridge_helpers import ALTERNATIVE, KEY, bridge_app

NS = "{http://torznab.com/schemas/2015/feed}"


@pytest.fixture
def client(app_env: dict[str, str]) -> FlaskClient:
    return bridge_app(app_env)[1]


def get(client: FlaskClient, **params: str) -> etree._Element:
    response = client.get("/torznab/api?" + urlencode({"apikey": KEY, **params}))
    assert response.status_code == 200
    assert "xml" in response.content_type and "html" not in response.content_type
    return etree.fromstring(response.data)


def attrs(item: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attr in item.findall(f"{NS}attr"):
        found.setdefault(attr.get("name"), []).append(attr.get("value"))
    return found


def test_caps_offer_tv_search_with_q_season_ep_in_tv_and_anime(client: FlaskClient) -> None:
    caps = get(client, t="caps")
    assert caps.tag == "caps"
    limits = caps.find("limits")
    assert (limits.get("default"), limits.get("max")) == ("100", "100")
    search, tv = caps.find("searching/search"), caps.find("searching/tv-search")
    assert (search.get("available"), search.get("supportedParams")) == ("yes", "q")
    assert (tv.get("available"), tv.get("supportedParams")) == ("yes", "q,season,ep")
    assert caps.find("searching/movie-search").get("available") == "no"
    category = caps.find("categories/category")
    assert (category.get("id"), category.get("name")) == ("5000", "TV")
    assert [s.get("id") for s in category.findall("subcat")] == ["5070"]


def test_tvsearch_items_carry_what_sonarr_reads(client: FlaskClient) -> None:
    rss = get(client, t="tvsearch", cat="5070", extended="1", offset="0", limit="100",
              q="Warriors of Light The Return", season="1", ep="5")
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    items = rss.findall("channel/item")
    assert [item.findtext("title") for item in items] == [
        f"{ALTERNATIVE} S01E05 GERMAN 1080p WEB-DL",
        f"{ALTERNATIVE} S01E05 JAPANESE GERSUB 1080p WEB-DL"]
    item = items[0]
    assert item.findtext("guid") and parsedate_to_datetime(item.findtext("pubDate"))
    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "application/x-bittorrent"
    assert int(enclosure.get("length")) == int(item.findtext("size")) == 0
    magnet = enclosure.get("url")
    assert magnet == item.findtext("link") and magnet.startswith("magnet:?")
    found = attrs(item)
    assert found["category"] == ["5070", "5000"]
    assert (found["season"], found["episode"]) == (["1"], ["5"])
    assert found["magneturl"] == [magnet] and found["language"] == ["German"]
    btih = dict(parse_qsl(urlsplit(magnet).query))["xt"].removeprefix("urn:btih:")
    assert found["infohash"] == [btih]
    assert int(found["seeders"][0]) >= 1 and int(found["peers"][0]) >= 1
    assert found["downloadvolumefactor"] == ["0"] and found["size"] == ["0"]
    assert "/series/kaempfer" in item.findtext("comments")
    assert {item.findtext("guid") for item in items} != {items[0].findtext("guid")}


def test_the_feed_never_repeats_the_api_key(client: FlaskClient) -> None:
    response = client.get("/torznab/api?" + urlencode(
        {"t": "tvsearch", "q": "Warriors of Light", "season": "1", "apikey": KEY}))
    assert response.status_code == 200 and KEY not in response.text
    rss = etree.fromstring(response.data)
    self_link = rss.find("channel/{http://www.w3.org/2005/Atom}link").get("href")
    assert self_link == rss.findtext("channel/link")
    assert dict(parse_qsl(urlsplit(self_link).query)) == {
        "t": "tvsearch", "q": "Warriors of Light", "season": "1"}
    assert rss.findall("channel/item")  # grabs are magnets: no key needed to fetch them


def test_anime_search_by_absolute_number(client: FlaskClient) -> None:
    # What Sonarr sends for an anime episode: t=search&q=<clean title> <absolute:00>.
    rss = get(client, t="search", cat="5070", extended="1", offset="0", limit="100",
              q="Warriors of Light The Return 13")
    assert [item.findtext("title") for item in rss.findall("channel/item")] == [
        f"{ALTERNATIVE} S02E01 GERMAN 1080p WEB-DL",
        f"{ALTERNATIVE} S02E01 JAPANESE GERSUB 1080p WEB-DL"]


def test_season_00_means_the_films(client: FlaskClient) -> None:
    rss = get(client, t="tvsearch", q="Warriors of Light The Return", season="00")
    assert [attrs(item)["season"] for item in rss.findall("channel/item")] == [["0"], ["0"]]


def test_rss_without_query_is_paged(client: FlaskClient) -> None:
    first = get(client, t="tvsearch", cat="5000,5070", limit="20", offset="0")
    second = get(client, t="tvsearch", cat="5000,5070", limit="20", offset="20")
    titles = [i.findtext("title") for i in first.findall("channel/item")]
    more = [i.findtext("title") for i in second.findall("channel/item")]
    assert len(titles) == 20 and len(more) == 12 and not set(titles) & set(more)


@pytest.mark.parametrize("params", [{"ep": "11/30", "season": "2026", "q": "Warriors"},
                                    {"q": "Warriors", "cat": "2000"}])
def test_daily_episodes_and_other_categories_find_nothing(client: FlaskClient,
                                                          params: dict[str, str]) -> None:
    assert get(client, t="tvsearch", **params).findall("channel/item") == []


@pytest.mark.parametrize(("params", "code"), [({"t": "music"}, "202"), ({}, "202"),
                                              ({"t": "search", "limit": "many"}, "201")])
def test_unknown_functions_and_bad_parameters(client: FlaskClient, params: dict[str, str],
                                              code: str) -> None:
    error = get(client, **params)
    assert error.tag == "error" and error.get("code") == code and error.get("description")


@pytest.mark.parametrize("key", ["", "aw_wrong-key-but-long-enough-to-look-real"])
def test_wrong_or_missing_key_is_error_100(client: FlaskClient, key: str) -> None:
    response = client.get(f"/torznab/api?t=caps&apikey={key}")
    error = etree.fromstring(response.data)
    assert response.status_code == 200  # Sonarr reads the code only from a parsed answer
    assert (error.tag, error.get("code")) == ("error", "100")


def test_guessing_keys_hits_the_request_limit(client: FlaskClient) -> None:
    for _ in range(10):
        client.get("/torznab/api?t=caps&apikey=wrong")
    error = etree.fromstring(client.get(f"/torznab/api?t=caps&apikey={KEY}").data)
    assert (error.get("code"), error.get("description")) == ("500", "Request limit reached")
