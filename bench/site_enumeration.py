"""Enumerate the 20-season, 500-episode stand-in series: SiteClient vs. a per-episode crawl.

Run from the project root: ``.venv/bin/python -m bench.site_enumeration``. Prints figures and
asserts nothing. The stand-in site runs in-process with 50 ms latency on every request.
"""

from __future__ import annotations

import time

import requests

from aniworld.site import SiteClient, SiteSettings
from aniworld.site.engines import ENGINES
from tests.fakesite.content import LONG_SLUG
from tests.fakesite.server import FakeSite

LATENCY_MS = 50


def enumerate_with_client(site: FakeSite, min_interval: float) -> tuple[int, int, float]:
    """Series page + one page per season through SiteClient; return (requests, episodes, s)."""
    site.clear_requests()
    settings = SiteSettings(base_url=site.url, min_interval=min_interval)
    started = time.perf_counter()
    with SiteClient(settings) as client:
        info = client.series(LONG_SLUG)
        episodes = sum(len(client.season(LONG_SLUG, number)) for number in info.seasons)
    return len(site.requests), episodes, time.perf_counter() - started


def enumerate_naively(site: FakeSite) -> tuple[int, int, float]:
    """What peers do: series page, each season page, then every episode page one by one."""
    site.clear_requests()
    engine = ENGINES["aniworld"]
    started = time.perf_counter()
    episodes = 0
    with requests.Session() as session:
        info = engine.parse_series(_get(session, site.url + engine.series_path(LONG_SLUG)),
                                   site.url, LONG_SLUG)
        for number in info.seasons:
            season_url = site.url + engine.season_path(LONG_SLUG, number)
            for episode in engine.parse_season(_get(session, season_url), site.url,
                                               LONG_SLUG, number):
                engine.parse_episode(_get(session, episode.url), site.url)
                episodes += 1
    return len(site.requests), episodes, time.perf_counter() - started


def _get(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=20)
    response.raise_for_status()
    return response.text


def main() -> None:
    """Start the stand-in, run both enumerations and print the comparison."""
    site = FakeSite().start()
    try:
        site.set_fault("slow", latency_ms=LATENCY_MS)
        print(f"stand-in site {site.url}, {LATENCY_MS} ms latency per request, "
              f"series {LONG_SLUG!r}")
        ours = enumerate_with_client(site, min_interval=0.25)
        print(f"SiteClient (default 0.25 s spacing): requests={ours[0]} episodes={ours[1]} "
              f"time={ours[2]:.2f}s")
        fast = enumerate_with_client(site, min_interval=0.0)
        print(f"SiteClient (no spacing):             requests={fast[0]} episodes={fast[1]} "
              f"time={fast[2]:.2f}s")
        naive = enumerate_naively(site)
        print(f"naive per-episode crawl:             requests={naive[0]} episodes={naive[1]} "
              f"time={naive[2]:.2f}s")
        print(f"ratio naive/SiteClient: requests {naive[0] / ours[0]:.1f}x, "
              f"time {naive[2] / ours[2]:.1f}x (default spacing), "
              f"{naive[2] / fast[2]:.1f}x (no spacing)")
    finally:
        site.stop()


if __name__ == "__main__":
    main()
