"""The local aniworld.to stand-in answers with the documented markup, JSON and faults."""

from __future__ import annotations

import http.client
import re
import threading
from urllib.parse import urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from tests.fakesite import FakeSite, RequestRecord, max_concurrency
from tests.fakesite.blocks import SPAM_SENTENCE
from tests.fakesite.client import KAEMPFER, REFERENCE, get, lang_map, soup
from tests.fakesite.hosters import voe
from tests.harness import wait_until

SOFT_404 = "Die gewünschte Serie wurde nicht gefunden oder ist im Moment deaktiviert."


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/", "div.carousel h2"),
        ("/", "div.coverListItem a[href^='/anime/stream/'] img[data-src]"),
        ("/", "ul.homeContentGenresList a[href^='/genre/']"),
        ("/animes", "div#seriesContainer div.genre div.seriesGenreList h3"),
        ("/animes-alphabet", "div#seriesContainer ul li a[data-alternative-title][title]"),
        ("/animes-genres", "div#seriesContainer div.genre ul li a"),
        ("/genre/abenteuer", "div.seriesListContainer a[href][title] img[data-src]"),
        ("/neue-episoden", ".newEpisodeList a strong"),
        ("/neue-episoden", ".newEpisodeList a span.elementFloatRight"),
        (KAEMPFER, "#wrapper > div.seriesContentBox > div.container.marginBottom"),
        (KAEMPFER, "div.series-title h1[itemprop=name][data-alternativetitles] span"),
        (KAEMPFER, "section.SeriesSection div.backdrop"),
        (KAEMPFER, "p.seri_des[data-full-description] span.showMore"),
        (KAEMPFER, "div.genres ul[data-main-genre] li a.genreButton[itemprop=genre]"),
        (KAEMPFER, "div.seriesCoverBox img[data-src][itemprop=image]"),
        (KAEMPFER, "li.seriesDirector li[itemprop=director] span[itemprop=name]"),
        (KAEMPFER, "meta[itemprop=numberOfSeasons]"),
        (KAEMPFER, "#stream > ul:nth-child(4) a[data-episode-id][data-season-id]"),
        (KAEMPFER + "/staffel-1", "table.seasonEpisodesList tbody#season1 tr[itemprop=episode]"),
        (KAEMPFER + "/filme", "tbody#season0 td.season0EpisodeID a[href$='/filme/film-1']"),
        (KAEMPFER + "/staffel-1/episode-1", "div.hosterSiteTitle span.episodeGermanTitle"),
        (KAEMPFER + "/staffel-1/episode-1", "li[class*=episodeLink][data-link-target]"),
        (KAEMPFER + "/staffel-1/episode-1", "div.inSiteWebStream iframe[src^='/redirect/']"),
        (KAEMPFER + "/filme/film-2", "div.hosterSiteTitle[data-season='0']"),
    ],
)
def test_route_has_documented_markup(fakesite: FakeSite, path: str, selector: str) -> None:
    assert soup(fakesite, path).select(selector), f"{selector!r} missing on {path}"


def test_series_header_matches_catalog(fakesite: FakeSite) -> None:
    page = soup(fakesite, KAEMPFER)
    series = fakesite.catalog.series("kaempfer-des-lichts-die-rueckkehr")
    assert page.select_one("div.series-title h1 span").text == series.title
    assert page.select_one("p.seri_des")["data-full-description"] == series.description
    assert page.select_one("meta[itemprop=numberOfSeasons]")["content"] == "4"  # 3 + Filme
    assert page.select_one("a[title='Alle Filme']").text == "Filme"
    nav = [a["href"].rsplit("/", 1)[1] for a in page.select("#stream > ul:first-of-type a")]
    assert nav == ["filme", "staffel-1", "staffel-2", "staffel-3"]
    assert "Kämpfer des Lichts: Die Rückkehr" in page.title.text


def test_season_table_rows(fakesite: FakeSite) -> None:
    page = soup(fakesite, KAEMPFER + "/staffel-3")
    rows = page.select("table.seasonEpisodesList tbody#season3 tr")
    assert len(rows) == 32
    assert page.select_one("#stream a.active[title='Staffel 3']")
    first = rows[0]
    assert first.select_one("meta[itemprop=episodeNumber]")["content"] == "1"
    assert first["data-episode-season-id"] == "1"
    icons = [i["title"] for i in first.select("td:nth-of-type(3) i.icon")]
    assert icons == ["VOE", "Vidmoly", "Filemoon"]
    flags = [img["src"] for img in first.select("td.editFunctions img.flag")]
    assert flags == [
        f"/public/img/{f}" for f in ("german.svg", "japanese-german.svg", "japanese-english.svg")
    ]


def test_edge_case_rows(fakesite: FakeSite) -> None:
    season2 = soup(fakesite, KAEMPFER + "/staffel-2").select("tbody#season2 tr")
    flags = [i["src"] for i in season2[2].select("td.editFunctions img")]
    assert flags == ["/public/img/japanese-german.svg"]  # S2E3 lacks German Dub
    empty_en = soup(fakesite, KAEMPFER + "/staffel-1").select("tbody#season1 tr")[4]
    assert empty_en.select_one("td.seasonEpisodeTitle span").text == ""
    cat = soup(fakesite, "/anime/stream/dr-who-s-cat/staffel-1").select("tbody#season1 tr")
    assert [i["src"] for i in cat[0].select("td.editFunctions img")] == ["/public/img/german.svg"]
    assert "/public/img/english.svg" in [i["src"] for i in cat[1].select("td.editFunctions img")]
    assert cat[6].select_one("span").text == "Seven Lives [Episode 7]"
    empty = soup(fakesite, "/anime/stream/dr-who-s-cat/staffel-2")
    assert empty.select_one("tbody#season2") and not empty.select("tbody#season2 tr")


def test_films_table(fakesite: FakeSite) -> None:
    rows = soup(fakesite, KAEMPFER + "/filme").select("tbody#season0 tr")
    assert len(rows) == 3
    assert not rows[0].select("meta[itemprop=episodeNumber]")
    assert rows[1]["data-episode-season-id"] == "2"
    assert rows[0].select_one("strong").text == ""
    assert rows[1].select_one("span").text.endswith("[Movie][Part 2]")
    films_only = soup(fakesite, "/anime/stream/sternenstaub")
    assert [a.text for a in films_only.select("#stream > ul:first-of-type a")] == ["Filme"]
    assert films_only.select("tbody#season0 tr")


def test_episode_page_hosters_and_languages(fakesite: FakeSite) -> None:
    page = soup(fakesite, KAEMPFER + "/staffel-1/episode-1")
    episode = fakesite.catalog.series("kaempfer-des-lichts-die-rueckkehr").episode(1, 1)
    keys = lang_map(page)
    assert keys == {"1": "german-dub", "3": "german-sub", "2": "english-sub"}
    items = page.select("div.hosterSiteVideo ul.row li[data-link-id]")
    parsed = [(li.h4.text, keys[li["data-lang-key"]], int(li["data-link-id"])) for li in items]
    assert parsed == [(x.hoster, x.language, x.link_id) for x in episode.links]
    for li in items:
        assert li["data-link-target"] == f"/redirect/{li['data-link-id']}"
        assert li.select_one("a.watchEpisode")["href"] == li["data-link-target"]
        assert ("display: none" in li.get("style", "")) == (li["data-lang-key"] != "1")
    assert page.select_one("#stream > ul:nth-child(4) a.active")["data-episode-id"] == str(
        episode.episode_id
    )


def test_episode_special_cases(fakesite: FakeSite) -> None:
    single = soup(fakesite, "/anime/stream/dr-who-s-cat/staffel-1/episode-1")
    assert [li.h4.text for li in single.select("li[data-link-id]")] == ["VOE"]
    announced = soup(fakesite, "/anime/stream/dr-who-s-cat/staffel-1/episode-3")
    assert announced.select_one("div.hosterSiteVideo") and not announced.select("li[data-link-id]")
    many = soup(fakesite, "/anime/stream/dr-who-s-cat/staffel-1/episode-4")
    assert {"Filemoon", "LoadX"} <= {li.h4.text for li in many.select("li[data-link-id]")}


def test_old_sto_paths_are_gone(fakesite: FakeSite) -> None:
    """The old s.to engine (``/serie/stream``) was switched off in Jan 2026."""
    for path in ("/serie/stream/kaempfer-des-lichts-die-rueckkehr", "/serien"):
        assert get(fakesite, path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/anime/stream/no-such-show",
        "/anime/stream/no-such-show/staffel-1",
        "/anime/stream/no-such-show/staffel-1/episode-1",
    ],
)
def test_unknown_series_is_soft_404(fakesite: FakeSite, path: str) -> None:
    alert = soup(fakesite, path).select_one("div.messageAlert.danger")
    assert alert is not None and alert.text == SOFT_404


def test_unknown_season_and_episode_keep_200(fakesite: FakeSite) -> None:
    season = soup(fakesite, KAEMPFER + "/staffel-9")
    assert season.select_one("div.series-title") and not season.select("table.seasonEpisodesList")
    episode = soup(fakesite, KAEMPFER + "/staffel-1/episode-99")
    assert episode.select_one("div.series-title") and not episode.select("div.hosterSiteVideo")
    assert get(fakesite, "/nirgendwo").status_code == 404


def test_genre_pagination(fakesite: FakeSite) -> None:
    first = soup(fakesite, "/genre/abenteuer")
    assert len(first.select("div.seriesListContainer a[title]")) == 30
    assert first.select_one("a[href='/genre/abenteuer/2']")
    second = soup(fakesite, "/genre/abenteuer/2")
    remaining = len(fakesite.catalog.genre("abenteuer")) - 30
    assert len(second.select("div.seriesListContainer a[title]")) == remaining > 0
    assert not second.select("a[href='/genre/abenteuer/3']")


def test_catalogue_lists_every_series_once_with_entities(fakesite: FakeSite) -> None:
    response = get(fakesite, "/animes")
    assert "Dr. Who&#039;s Cat" in response.text
    links = BeautifulSoup(response.text, "lxml").select("#seriesContainer ul li a")
    assert sorted(a["href"].rsplit("/", 1)[1] for a in links) == sorted(fakesite.catalog.slugs)


def test_long_series_has_500_episodes(fakesite: FakeSite) -> None:
    series = fakesite.catalog.series("endless-journey")
    assert series.season_numbers == list(range(1, 21)) and series.episode_count == 500
    nav = soup(fakesite, "/anime/stream/endless-journey")
    assert len(nav.select("#stream > ul:first-of-type a[href*='/staffel-']")) == 20
    total = sum(
        len(
            soup(fakesite, f"/anime/stream/endless-journey/staffel-{n}").select(
                "table.seasonEpisodesList tr[itemprop=episode]"
            )
        )
        for n in range(1, 21)
    )
    assert total == 500


# --- JSON ----------------------------------------------------------------------------------


def test_ajax_search_shape(fakesite: FakeSite) -> None:
    response = requests.post(fakesite.url + "/ajax/search", data={"keyword": "licht"}, timeout=5)
    assert "\\/anime\\/stream\\/" in response.text and "\\u00e4" in response.text
    items = response.json()
    assert all(set(item) == {"title", "description", "link"} for item in items)
    links = [item["link"] for item in items]
    assert KAEMPFER in links and KAEMPFER + "/staffel-1/episode-1" in links
    assert any(x.startswith("/support/frage/") for x in links)
    assert any(x.startswith("/user/profil/") for x in links)
    assert "<em>Licht</em>" in items[0]["title"] and "&#8230;" in items[0]["description"]
    hells = requests.post(fakesite.url + "/ajax/search", data={"keyword": "hell"}, timeout=5)
    assert hells.json()[0]["title"] == "<em>Hell</em>&#039;s Kitchen Mage"


def test_series_search_shape(fakesite: FakeSite) -> None:
    items = get(fakesite, "/ajax/seriesSearch", params={"keyword": "journey"}).json()
    assert items == [
        {
            "name": "Endless Journey",
            "link": "endless-journey",
            "description": items[0]["description"],
            "cover": items[0]["cover"],
            "productionYear": "(2001 - 2021)",
        }
    ]
    assert items[0]["cover"].endswith("_150x225.jpg")
    assert get(fakesite, "/ajax/seriesSearch", params={"keyword": "zzz"}).json() == []


def test_random_generator_is_deterministic(fakesite: FakeSite) -> None:
    first = requests.post(fakesite.url + "/ajax/randomGeneratorSeries", timeout=5).json()
    second = requests.post(fakesite.url + "/ajax/randomGeneratorSeries", timeout=5).json()
    assert first == second and all(item["link"] in fakesite.catalog.slugs for item in first)


# --- redirect and hosters ------------------------------------------------------------------


def _voe_link(site: FakeSite) -> int:
    episode = site.catalog.series("kaempfer-des-lichts-die-rueckkehr").episode(1, 1)
    return episode.links[0].link_id


def test_redirect_goes_to_hoster_origin(fakesite: FakeSite) -> None:
    response = get(fakesite, f"/redirect/{_voe_link(fakesite)}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert (
        urlsplit(location).netloc
        == urlsplit(fakesite.hoster_url).netloc
        != urlsplit(fakesite.url).netloc
    )
    hop = requests.get(location, timeout=5).text
    alias = re.search(r"window\.location\.href = '([^']+)'", hop)[1]
    player = requests.get(alias, timeout=5).text
    payload = voe.decode(re.search(r'<script type="application/json">\["(.+?)"\]', player)[1])
    assert payload["source"].endswith("&e=14400") and "master.m3u8" in payload["source"]
    playlist = requests.get(payload["source"], timeout=5)
    assert playlist.text.startswith("#EXTM3U")
    assert get(fakesite, "/redirect/1").status_code == 404


def test_vidmoly_embed_matches_reference_regex(fakesite: FakeSite) -> None:
    series = fakesite.catalog.series("kaempfer-des-lichts-die-rueckkehr")
    link = next(x for x in series.episode(1, 1).links if x.hoster == "Vidmoly")
    page = requests.get(fakesite.url + f"/redirect/{link.link_id}", timeout=5,
                        headers={"Sec-Fetch-Dest": "iframe"}).text  # as the browser's iframe
    reference = (REFERENCE / "ani-tui__aniworld-vidmoly-embed.html").read_text()
    pattern = re.compile(r"""file:\s*["']([^"']+master\.m3u8[^"']*)["']""")
    assert pattern.search(reference) and pattern.search(page)


def test_voe_codec_agrees_with_reference_sample() -> None:
    sample = (REFERENCE / "ani-tui__aniworld-voe-embed.html").read_text()
    encoded = re.search(r'\["(.+?)"\]', sample)[1]
    assert voe.decode(encoded) == {"source": "https://voe-cdn.example.com/hls/master.m3u8"}
    assert voe.decode(voe.encode({"a": "ü/b"})) == {"a": "ü/b"}


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "marker", "header"),
    [
        ("ddos_guard", 403, "DDoS-Guard", "Set-Cookie"),
        ("cloudflare", 403, "cdn-cgi/challenge-platform", "cf-mitigated"),
        ("spam", 200, SPAM_SENTENCE, None),
        ("rate_limit", 429, "Too Many Requests", "Retry-After"),
        ("status", 503, "Service Unavailable", None),
    ],
)
def test_fault_pages(
    fakesite: FakeSite, kind: str, status: int, marker: str, header: str | None
) -> None:
    fakesite.set_fault(kind)
    response = get(fakesite, KAEMPFER)
    assert response.status_code == status and marker in response.text
    if header:
        assert header in response.headers
    fakesite.clear_faults()
    assert "seriesContentBox" in get(fakesite, KAEMPFER).text


def test_cloudflare_title_and_ddos_cookie(fakesite: FakeSite) -> None:
    fakesite.set_fault("cloudflare", times=1)
    assert "<title>Just a moment...</title>" in get(fakesite, "/").text
    fakesite.set_fault("ddos_guard", times=1)
    assert get(fakesite, "/").cookies.get("__ddg1_")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fault_once_then_ok(fakesite: FakeSite, status: int) -> None:
    fakesite.set_fault("status", status=status, times=1)
    assert get(fakesite, KAEMPFER).status_code == status
    assert get(fakesite, KAEMPFER).status_code == 200


def test_fault_prefix_scoping_and_retry_after(fakesite: FakeSite) -> None:
    fakesite.set_fault("rate_limit", prefix="/ajax/", retry_after=7)
    assert get(fakesite, KAEMPFER).status_code == 200
    limited = get(fakesite, "/ajax/seriesSearch", params={"keyword": "x"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"


def test_captcha_keeps_redirect_on_site(fakesite: FakeSite) -> None:
    fakesite.set_fault("captcha")
    assert get(fakesite, KAEMPFER).status_code == 200  # only /redirect/ is affected
    response = requests.get(fakesite.url + f"/redirect/{_voe_link(fakesite)}", timeout=5)
    assert response.status_code == 200 and response.url.startswith(fakesite.url)
    assert BeautifulSoup(response.text, "lxml").select_one("div.g-recaptcha[data-sitekey]")


def _ended(record: RequestRecord) -> float:
    """When the stand-in finished the answer: the server thread notes it just after the
    client has read it, so wait for that note instead of racing it."""
    wait_until(lambda: record.end is not None, 5, "the stand-in to note the answer's end")
    assert record.end is not None
    return record.end


def test_slow_fault_adds_latency(fakesite: FakeSite) -> None:
    fakesite.set_fault("slow", latency_ms=50)
    get(fakesite, "/")
    (record,) = fakesite.requests
    assert _ended(record) - record.start >= 0.05


def test_truncated_body(fakesite: FakeSite) -> None:
    fakesite.set_fault("truncate", times=1)
    host, port = urlsplit(fakesite.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", KAEMPFER)
        response = connection.getresponse()
        declared = int(response.headers["Content-Length"])
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        assert len(caught.value.partial) < declared
    finally:
        connection.close()
    assert len(get(fakesite, KAEMPFER).content) == declared


def test_hoster_faults_are_separate(fakesite: FakeSite) -> None:
    fakesite.set_fault("status", status=502, server="hoster")
    redirect = get(fakesite, f"/redirect/{_voe_link(fakesite)}")
    assert redirect.status_code == 302
    assert requests.get(redirect.headers["Location"], timeout=5).status_code == 502


def test_unknown_fault_kind_is_rejected(fakesite: FakeSite) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        fakesite.set_fault("meteor")


def test_admin_endpoints(fakesite: FakeSite) -> None:
    admin = fakesite.url + "/__fakesite/"
    spec = {"kind": "status", "status": 500, "times": 1, "prefix": "/animes"}
    assert requests.post(admin + "faults", json=spec, timeout=5).json()[0]["kind"] == "status"
    assert get(fakesite, "/animes").status_code == 500
    assert get(fakesite, "/animes").status_code == 200
    assert requests.post(admin + "faults", json={"kind": "x"}, timeout=5).status_code == 400
    log = requests.get(admin + "requests", timeout=5).json()
    assert [r["path"] for r in log["requests"]] == ["/animes", "/animes"]
    assert log["max_concurrency"] == 1
    requests.post(admin + "faults", json=[{"kind": "spam"}], timeout=5)
    assert requests.delete(admin + "faults", timeout=5).json() == []
    assert requests.post(admin + "reset", timeout=5).json() == {"ok": True}
    assert fakesite.requests == []


# --- request log ---------------------------------------------------------------------------


def test_request_log_records_headers(fakesite: FakeSite) -> None:
    headers = {
        "User-Agent": "UA/1",
        "Referer": "http://x/search",
        "Cookie": "a=b",
        "X-Requested-With": "XMLHttpRequest",
    }
    requests.post(
        fakesite.url + "/ajax/search", data={"keyword": "hell"}, headers=headers, timeout=5
    )
    (record,) = fakesite.requests
    assert (record.method, record.path, record.body) == ("POST", "/ajax/search", "keyword=hell")
    assert {k: record.headers[k] for k in headers} == headers
    get(fakesite, "/ajax/seriesSearch", params={"keyword": "a b"})
    assert fakesite.requests[-1].query == "keyword=a+b"
    assert record.status == 200 and _ended(record) >= record.start


def test_server_is_concurrent_and_overlap_is_measured(fakesite: FakeSite) -> None:
    fakesite.set_fault("slow", latency_ms=150)
    threads = [threading.Thread(target=get, args=(fakesite, "/")) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fakesite.max_concurrency() == 4
    assert fakesite.max_concurrency("hoster") == 0


def test_max_concurrency_helper() -> None:
    def rec(start: float, end: float | None) -> RequestRecord:
        return RequestRecord("site", "GET", "/", "", {}, "", start, end)

    assert max_concurrency([]) == 0
    assert max_concurrency([rec(0, 1), rec(1, 2), rec(2, 3)]) == 1  # touching, not overlapping
    assert max_concurrency([rec(0, 3), rec(1, 2), rec(1.5, 4), rec(5, 6)]) == 3
    assert max_concurrency([rec(0, None), rec(10, 11)]) == 2
