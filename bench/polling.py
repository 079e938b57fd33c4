"""Queue polling benchmark: 50 browsers poll the queue partial for 60 s against the real stack.

Run from the project root: ``.venv/bin/python -m bench.polling``. Prints figures only.
Each browser logs in on its own (its own session and CSRF token) from its own loopback
address (127.0.0.2, 127.0.0.3, ...), so the login throttle, which counts per address, lets
all 50 in. Targets: p95 latency < 50 ms and the web server under 25 % of one core.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy.orm import Session

from aniworld.config import Config
from aniworld.database import make_engine
from aniworld.embedded_redis import EmbeddedRedis
from aniworld.services.settings import save_settings
from tests.fakesite.server import FakeSite

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = 50
INTERVAL = 2.0
DURATION = 60.0
SERIES_KEY = "kaempfer-des-lichts-die-rueckkehr"
EPISODES = 12
API_KEY = "bench-" + "k" * 32
PASSWORD = "bench password 1234"
# Slow enough that two downloads stay busy for the whole minute.
BANDWIDTH = 16 * 1024
VERSION = re.compile(r'data-version="([0-9a-f]+)"')
PROGRESS = re.compile(r'id="queue-progress" hidden hx-get="([^"]+)"')


@dataclass
class Results:
    """What the simulated browsers saw, per poll target (structure partial, progress)."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, target: str, seconds: float, status: int) -> None:
        """Add one poll."""
        with self.lock:
            self.latencies.append(seconds)
            self.statuses.setdefault(target, Counter())[status] += 1


class Stack:
    """Fake site, redis, gunicorn, one worker and the scheduler in a temporary directory."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.site = FakeSite().start()
        self.redis = EmbeddedRedis(tmp / "redis")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "PYTHONPATH": str(ROOT), "ANIWORLD_DATA_DIR": str(tmp / "instance"),
            "ANIWORLD_LIBRARY_DIR": str(tmp / "library"), "REDIS_URL": self.redis.start(),
            "ANIWORLD_SITE_URL": self.site.url, "ANIWORLD_SITE_TRANSPORT": "requests",
            "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1", "ANIWORLD_BIND": f"127.0.0.1:{self.port}",
            "ANIWORLD_API_KEY": API_KEY, "ANIWORLD_MASTER_PASSWORD": PASSWORD,
            "ANIWORLD_LOG_LEVEL": "WARNING",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def prepare(self) -> None:
        """Create the schema, claim the instance and store the bandwidth limit."""
        for args in (["db", "upgrade"], ["init"]):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                           env=self.env, check=True, capture_output=True, timeout=120)
        engine = make_engine(Config.from_env(self.env).database_url)
        with Session(engine) as session:
            save_settings(session, bandwidth_limit=BANDWIDTH, parallel_downloads=2)
            session.commit()
        engine.dispose()

    def spawn(self, name: str, *args: str) -> None:
        """Start one process with its output in ``<tmp>/<name>.log``."""
        with open(self.tmp / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", *args], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        """Start gunicorn, the worker and the scheduler; wait until the web answers."""
        self.spawn("web", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app")
        # An RQ worker runs one job at a time: two workers for two parallel downloads.
        self.spawn("worker-1", "aniworld.tasks.worker")
        self.spawn("worker-2", "aniworld.tasks.worker")
        self.spawn("scheduler", "aniworld.tasks.scheduler")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the web server did not start; see {self.tmp}/web.log")

    def web_cpu_seconds(self) -> float:
        """User + system CPU time of the gunicorn master and its workers so far."""
        master = psutil.Process(self.processes["web"].pid)
        total = 0.0
        for process in [master, *master.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def stop(self) -> None:
        """Stop every process, then redis and the fake site."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.redis.stop()
        self.site.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SourceAddress(HTTPAdapter):
    """Connects from one loopback address, so each simulated browser is its own client."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        """Bind every connection of this adapter to ``address``."""
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]


def browser_session(number: int) -> requests.Session:
    """A fresh cookie jar that connects from 127.0.0.<number + 2>."""
    browser = requests.Session()
    browser.mount("http://", SourceAddress(f"127.0.0.{number + 2}"))
    return browser


def login(url: str, number: int) -> requests.Session:
    """Log in through the form like browser ``number``; returns its own logged-in session."""
    browser = browser_session(number)
    page = browser.get(f"{url}/login", timeout=10).text
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "login page carries no CSRF token"
    answer = browser.post(f"{url}/login", data={"password": PASSWORD, "csrf_token": match[1]},
                          allow_redirects=False, timeout=10)
    answer.raise_for_status()
    return browser


def fill_queue(url: str) -> None:
    """Add the series and queue its first episodes through the API."""
    api = requests.Session()
    api.headers["X-API-Key"] = API_KEY
    api.post(f"{url}/api/v1/series", json={"key": SERIES_KEY}, timeout=60).raise_for_status()
    episodes = [{"season": 1, "episode": number} for number in range(1, EPISODES + 1)]
    api.post(f"{url}/api/v1/queue/bulk", timeout=30,
             json={"series_key": SERIES_KEY, "language": "german-sub",
                   "episodes": episodes}).raise_for_status()


def active_downloads(url: str) -> int:
    """Number of items downloading now (API)."""
    answer = requests.get(f"{url}/api/v1/queue", headers={"X-API-Key": API_KEY}, timeout=10)
    return len(answer.json()["active"])


def wait_for_downloads(url: str, wanted: int = 2, timeout: float = 15) -> int:
    """Wait until ``wanted`` downloads run; returns how many do."""
    deadline = time.monotonic() + timeout
    running = active_downloads(url)
    while running < wanted and time.monotonic() < deadline:
        time.sleep(0.5)
        running = active_downloads(url)
    return running


def poll(browser: requests.Session, url: str, until: float, results: Results) -> None:
    """One browser tab, like htmx: every 2 s the queue partial with the last version seen,
    and the progress poll with the address the last partial or progress answer gave."""
    browser.headers["HX-Request"] = "true"
    version, progress = "", None
    next_tick = time.monotonic() + random.uniform(0, INTERVAL)
    while next_tick < until:
        time.sleep(max(0.0, next_tick - time.monotonic()))
        started = time.perf_counter()
        answer = browser.get(f"{url}/queue/partial", params={"v": version}, timeout=10)
        results.record("partial", time.perf_counter() - started, answer.status_code)
        if answer.status_code in (200, 286):
            match = VERSION.search(answer.text)
            version = match[1] if match else version
            progress = _progress_url(answer.text)
        if progress:
            started = time.perf_counter()
            answer = browser.get(f"{url}{progress}", timeout=10)
            results.record("progress", time.perf_counter() - started, answer.status_code)
            if answer.status_code == 200:
                progress = _progress_url(answer.text)
            elif answer.status_code == 286:
                progress = None  # htmx removes the poller; the next partial brings one
        next_tick += INTERVAL


def _progress_url(html: str) -> str | None:
    """The progress poller's address in a queue answer, if it has one."""
    match = PROGRESS.search(html)
    return match[1].replace("&amp;", "&") if match else None


def measure(stack: Stack, browsers: list[requests.Session]) -> tuple[Results, float]:
    """Run the browsers for DURATION seconds; returns their results and the web CPU share."""
    results = Results()
    until = time.monotonic() + DURATION
    threads = [threading.Thread(target=poll, args=(browser, stack.url, until, results))
               for browser in browsers]
    cpu_before, wall_before = stack.web_cpu_seconds(), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = stack.web_cpu_seconds() - cpu_before
    return results, 100.0 * cpu / (time.monotonic() - wall_before)


def report(results: Results, cpu_share: float, running: tuple[int, int]) -> None:
    """Print the figures."""
    latencies = sorted(1000 * seconds for seconds in results.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"browsers={BROWSERS} (each logged in separately) interval={INTERVAL:.0f}s "
          f"duration={DURATION:.0f}s polls={len(latencies)} "
          f"downloads running at start/end={running[0]}/{running[1]}")
    print(f"latency ms: p50={statistics.median(latencies):.1f} p95={p95:.1f} "
          f"max={latencies[-1]:.1f}  (target p95 < 50)")
    for target, statuses in sorted(results.statuses.items()):
        total = sum(statuses.values())
        print(f"{target}: " + " ".join(f"{code}={statuses.get(code, 0)}"
                                       for code in (200, 204, 286)) +
              f" other={sum(n for c, n in statuses.items() if c not in (200, 204, 286))}"
              f"  204 share={100.0 * statuses.get(204, 0) / total:.0f} %")
    every = sum(results.statuses.values(), Counter())
    print(f"all polls: 204 share={100.0 * every.get(204, 0) / sum(every.values()):.0f} %")
    print(f"web server CPU: {cpu_share:.1f} % of one core  (target < 25)")


def main() -> None:
    """Start the stack, measure, print, stop."""
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-") as tmp:
        stack = Stack(Path(tmp))
        try:
            stack.prepare()
            stack.start()
            browsers = [login(stack.url, number) for number in range(BROWSERS)]
            fill_queue(stack.url)
            at_start = wait_for_downloads(stack.url)
            results, cpu_share = measure(stack, browsers)
            report(results, cpu_share, (at_start, active_downloads(stack.url)))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
