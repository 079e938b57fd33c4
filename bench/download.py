"""Download engine benchmark: MP4 vs curl, parallel HLS vs ffmpeg -i, peak RSS on 2 GiB.

Run from the project root: ``.venv/bin/python -m bench.download`` (all three), or name the
parts to run: ``.venv/bin/python -m bench.download hls``. Prints figures only.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import requests

from aniworld.downloader import DownloadSettings, download
from aniworld.downloader.ffmpeg import ffmpeg_path
from aniworld.downloader.playlist import best_variant, segments
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite, media_files
from tests.fakesite.hosters import media

logger = logging.getLogger(__name__)

MIB = 1024**2
MP4_SIZE = 512 * MIB
RSS_SIZE = 2 * 1024 * MIB
SEGMENTS = 300
LATENCY_MS = 30
HLS_CONCURRENCIES = (2, 4, 6, 8)
HLS_ROUNDS = 3
UA = "Mozilla/5.0 (X11; Linux x86_64) AniworldBench/1.0"
SETTINGS = DownloadSettings(allow_private_hosts=True, disk_reserve_bytes=0)

RSS_CHILD = """
import resource, sys
from pathlib import Path
from aniworld.downloader import DownloadSettings, download
from aniworld.streams import Stream, StreamKind
url, referer, out = sys.argv[1:4]
stream = Stream(url, StreamKind.MP4, {"User-Agent": "bench", "Referer": referer})
settings = DownloadSettings(allow_private_hosts=True, disk_reserve_bytes=0)
download(stream, Path(out) / "big.mp4", Path(out) / "work", settings=settings,
         on_progress=lambda p: None, should_stop=lambda: None)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _headers(site: FakeSite) -> dict[str, str]:
    return {"User-Agent": UA, "Referer": site.hoster_url + "/e/bench"}


def _engine(stream: Stream, out: Path, settings: DownloadSettings = SETTINGS) -> float:
    started = time.monotonic()
    download(
        stream,
        out / "lib" / "ep.mp4",
        out / "work",
        settings=settings,
        on_progress=lambda p: None,
        should_stop=lambda: None,
    )
    seconds = time.monotonic() - started
    (out / "lib" / "ep.mp4").unlink()
    return seconds


def _curl(url: str, headers: dict[str, str], out: Path) -> float | None:
    curl = shutil.which("curl") or "/usr/bin/curl"
    if not Path(curl).exists():
        print("curl: not installed, no baseline")
        return None
    args = [curl, "-s", "-f", "-o", str(out / "curl.mp4")]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    started = time.monotonic()
    subprocess.run([*args, url], check=True)
    seconds = time.monotonic() - started
    (out / "curl.mp4").unlink()
    return seconds


def bench_mp4(site: FakeSite, out: Path) -> None:
    """(a) 512 MiB MP4 through the engine (download + check + rename) vs curl -o."""
    url = media.big_mp4_url(site.hoster_url, MP4_SIZE)
    headers = _headers(site)
    # Alternate the two and keep the best of each, so page-cache warm-up favours neither.
    runs = [(_engine(Stream(url, StreamKind.MP4, headers), out), _curl(url, headers, out))]
    runs.append((_engine(Stream(url, StreamKind.MP4, headers), out), _curl(url, headers, out)))
    engine = min(run[0] for run in runs)
    curl = None if runs[0][1] is None else min(run[1] or 0.0 for run in runs)
    rate = MP4_SIZE / MIB / engine
    print(f"(a) mp4 {MP4_SIZE // MIB} MiB, best of 2: engine {engine:.2f} s = {rate:.0f} MiB/s")
    if curl is not None:
        curl_rate = MP4_SIZE / MIB / curl
        print(f"    curl -o {curl:.2f} s = {curl_rate:.0f} MiB/s; ratio {rate / curl_rate:.2f}")


def _sequential_hls(url: str, headers: dict[str, str]) -> float:
    started = time.monotonic()
    with requests.Session() as session:
        session.headers.update(headers)
        master = session.get(url, timeout=30)
        variant = best_variant(master.text, master.url)
        playlist = session.get(variant.url, timeout=30)
        for part in segments(playlist.text, playlist.url):
            session.get(part.url, timeout=30).raise_for_status()
    return time.monotonic() - started


def _ffmpeg_hls(url: str, headers: dict[str, str], out: Path) -> float:
    """The single-stream method: ``ffmpeg -i <master.m3u8> -c copy`` (one segment at a time)."""
    target = out / "ffmpeg.mp4"
    args = [ffmpeg_path(), "-nostdin", "-loglevel", "error", "-y",
            "-user_agent", headers["User-Agent"], "-headers", f"Referer: {headers['Referer']}\r\n",
            "-i", url, "-c", "copy", str(target)]
    started = time.monotonic()
    subprocess.run(args, check=True)
    seconds = time.monotonic() - started
    target.unlink()
    return seconds


def _hls_round(url: str, headers: dict[str, str], out: Path) -> dict[str, float]:
    """One round: both baselines, then the engine at every concurrency (seconds each)."""
    times = {"ffmpeg": _ffmpeg_hls(url, headers, out),
             "sequential": _sequential_hls(url, headers)}
    for workers in HLS_CONCURRENCIES:
        settings = replace(SETTINGS, hls_concurrency=workers)
        times[f"engine-{workers}"] = _engine(Stream(url, StreamKind.HLS, headers), out, settings)
    return times


def bench_hls(site: FakeSite, out: Path) -> None:
    """(b) 300-segment HLS at 2/4/6/8 in flight vs single-stream ffmpeg; latency per request.

    Three rounds on a shared machine: each figure is the median of the rounds, each ratio the
    median of the ratios taken within one round (baseline and engine measured side by side).
    """
    media_files.big_hls(SEGMENTS)  # generate before timing
    url = media.big_hls_url(site.hoster_url, SEGMENTS)
    site.set_fault("slow", latency_ms=LATENCY_MS, server="hoster", prefix="/engine/hls2/big-")
    headers = _headers(site)
    rounds = [_hls_round(url, headers, out) for _ in range(HLS_ROUNDS)]
    site.clear_faults()
    default = DownloadSettings().hls_concurrency
    print(f"(b) hls {SEGMENTS} segments, +{LATENCY_MS} ms/request, median of {HLS_ROUNDS} rounds "
          f"(engine incl. remux; default concurrency {default}):")
    print(f"    ffmpeg -i (single stream, incl. remux) {_median(rounds, 'ffmpeg'):.2f} s; "
          f"python sequential (download only) {_median(rounds, 'sequential'):.2f} s")
    print("    in flight | engine s | vs ffmpeg | vs sequential")
    for workers in HLS_CONCURRENCIES:
        key = f"engine-{workers}"
        vs_ffmpeg = statistics.median(r["ffmpeg"] / r[key] for r in rounds)
        vs_sequential = statistics.median(r["sequential"] / r[key] for r in rounds)
        mark = " (default)" if workers == default else ""
        print(f"    {workers:9d} | {_median(rounds, key):8.2f} | {vs_ffmpeg:8.2f}x | "
              f"{vs_sequential:12.2f}x{mark}")


def _median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


def bench_rss(site: FakeSite, out: Path) -> None:
    """(c) peak RSS of a separate process downloading a 2 GiB MP4."""
    url = media.big_mp4_url(site.hoster_url, RSS_SIZE)
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, url, site.hoster_url + "/e/bench", str(out / "rss")],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    peak_mib = int(child.stdout.strip().splitlines()[-1]) / 1024
    print(f"(c) 2 GiB mp4 in a child process: {seconds:.1f} s, peak RSS (VmHWM) {peak_mib:.0f} MiB")


BENCHES = {"mp4": bench_mp4, "hls": bench_hls, "rss": bench_rss}


def main() -> None:
    """Run the chosen benchmarks (all by default) against a private FakeSite and clean up."""
    chosen = sys.argv[1:] or list(BENCHES)
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        raise SystemExit(f"unknown part(s) {unknown}; choose from {sorted(BENCHES)}")
    site = FakeSite().start()
    out = Path(tempfile.mkdtemp(prefix="aniworld-bench-"))
    try:
        for name in chosen:
            BENCHES[name](site, out)
    finally:
        site.stop()
        shutil.rmtree(out, ignore_errors=True)
        media_files.remove_big_files()


if __name__ == "__main__":
    main()
