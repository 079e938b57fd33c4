"""Enumerate a 20-season, 500-episode series on both stand-ins: SiteClient vs. a per-episode crawl.

Run from the project root: ``.venv/bin/python -m bench.site_enumeration``. Prints figures and
asserts nothing. The stand-in sites (aniworld and s.to V2) run in-process with 50 ms latency on
every request; SiteClient should need seasons + 1 page requests on both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from aniworld.site import SiteClient, SiteSettings
from aniworld.site.engines import ENGINES
from tests.fakesite.content import LONG_SLUG, STO_LONG_SLUG
from tests.fakesite.server import FakeSite

LATENCY_MS = 50


@dataclass(frozen=True)
class Target:
    """One stand-in site: its engine, log name, base URL and long series."""

    name: str
    engine: str
    server: str
    url: str
    slug: str


def targets(site: FakeSite) -> list[Target]:
    """The classic aniworld stand-in and the s.to V2 stand-in, each with its long series."""
    return [
        Target("aniworld", "aniworld", "site", site.url, LONG_SLUG),
        Target("s.to V2", "serienstream", "sto", site.sto_url, STO_LONG_SLUG),
    ]


def enumerate_with_client(
    site: FakeSite, target: Target, min_interval: float
) -> tuple[int, int, int, float]:
    """Series page + one page per season through SiteClient.

    Return (requests, seasons, episodes, seconds).
    """
    site.clear_requests()
    settings = SiteSettings(base_url=target.url, engine=target.engine, min_interval=min_interval)
    started = time.perf_counter()
    with SiteClient(settings) as client:
        info = client.series(target.slug)
        episodes = sum(len(client.season(target.slug, number)) for number in info.seasons)
    seconds = time.perf_counter() - started
    return _count(site, target), len(info.seasons), episodes, seconds


def enumerate_naively(site: FakeSite, target: Target) -> tuple[int, int, float]:
    """What peers do: series page, each season page, then every episode page one by one."""
    site.clear_requests()
    engine = ENGINES[target.engine]
    base, slug = target.url, target.slug
    started = time.perf_counter()
    episodes = 0
    with requests.Session() as session:
        info = engine.parse_series(_get(session, base + engine.series_path(slug)), base, slug)
        for number in info.seasons:
            season_url = base + engine.season_path(slug, number)
            for episode in engine.parse_season(_get(session, season_url), base, slug, number):
                engine.parse_episode(_get(session, episode.url), base)
                episodes += 1
    return _count(site, target), episodes, time.perf_counter() - started


def _count(site: FakeSite, target: Target) -> int:
    return len(site.logs[target.server].snapshot())


def _get(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=20)
    response.raise_for_status()
    return response.text


def bench_target(site: FakeSite, target: Target) -> None:
    """Enumerate the target's long series three ways and print the comparison."""
    print(f"{target.name}: {target.url}, series {target.slug!r}")
    ours = enumerate_with_client(site, target, min_interval=0.25)
    print(f"  SiteClient (default 0.25 s spacing): requests={ours[0]} (seasons + 1 = "
          f"{ours[1] + 1}) episodes={ours[2]} time={ours[3]:.2f}s")
    fast = enumerate_with_client(site, target, min_interval=0.0)
    print(f"  SiteClient (no spacing):             requests={fast[0]} episodes={fast[2]} "
          f"time={fast[3]:.2f}s")
    naive = enumerate_naively(site, target)
    print(f"  naive per-episode crawl:             requests={naive[0]} episodes={naive[1]} "
          f"time={naive[2]:.2f}s")
    print(f"  ratio naive/SiteClient: requests {naive[0] / ours[0]:.1f}x, "
          f"time {naive[2] / ours[3]:.1f}x (default spacing), "
          f"{naive[2] / fast[3]:.1f}x (no spacing)")


def main() -> None:
    """Start the stand-ins, enumerate the long series on both and print the comparison."""
    site = FakeSite().start()
    try:
        print(f"{LATENCY_MS} ms latency per request on both stand-in sites")
        for target in targets(site):
            site.set_fault("slow", latency_ms=LATENCY_MS, server=target.server)
            bench_target(site, target)
    finally:
        site.stop()


if __name__ == "__main__":
    main()
