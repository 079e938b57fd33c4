"""Small HTTP helpers for tests that talk to the fakesite (requests + BeautifulSoup/lxml)."""

from __future__ import annotations

from pathlib import Path

import requests
from bs4 import BeautifulSoup

from tests.fakesite.server import FakeSite

REFERENCE = Path("/work/shared/reference/aniworld-pages")
KAEMPFER = "/anime/stream/kaempfer-des-lichts-die-rueckkehr"
FLAG_LANG = {
    "german.svg": "german-dub",
    "japanese-german.svg": "german-sub",
    "japanese-english.svg": "english-sub",
    "english.svg": "english-dub",
}


def get(site: FakeSite, path: str, **kwargs: object) -> requests.Response:
    """GET a site path without following redirects."""
    return requests.get(site.url + path, allow_redirects=False, timeout=5, **kwargs)


def soup(site: FakeSite, path: str) -> BeautifulSoup:
    """GET a site path, assert 200 and parse it with lxml."""
    response = get(site, path)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "lxml")


def lang_map(page: BeautifulSoup) -> dict[str, str]:
    """data-lang-key -> language, read from the changeLanguageBox flags."""
    box = page.select("div.changeLanguageBox img[data-lang-key]")
    return {img["data-lang-key"]: FLAG_LANG[img["src"].rsplit("/", 1)[1]] for img in box}
