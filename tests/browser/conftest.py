"""Browser tests: Playwright drives Debian's Chromium against the real app.

The app runs as it does for users: gunicorn serving ``wsgi:app``, an RQ worker and the
scheduler as separate processes, the session's redis-server, a SQLite file, and the stand-in
site. Without /usr/bin/chromium these tests are skipped with a loud reason (``make test``
installs it when it can).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests

from tests.fakesite.server import FakeSite
from tests.harness import (
    ROOT,
    SCHEDULER_MODULE,
    WORKER_MODULE,
    Instance,
    process_env,
    signal_group,
    wait_until,
)

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
# The README's pictures: a handful taken by the journeys (desktop 1280×800, phone 360 wide),
# written into docs/ only on request (`ANIWORLD_DOCS_SCREENSHOTS=1 make test`), so an
# ordinary test run leaves the committed files alone.
DOCS_SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("ANIWORLD_DOCS_SCREENSHOTS")
                    == "1" else SCREENSHOTS / "docs")
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

WEB_COMMAND = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]

MISSING_CHROMIUM = (f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing. Install Debian's chromium "
                    "(`apt-get install -y chromium`, which `make test` does when run as root).")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveApp(Instance):
    """The app's processes for one browser test module."""

    def __init__(self, tmp: Path, redis_url: str, site: FakeSite) -> None:
        self.port = _free_port()
        super().__init__(process_env(tmp, redis_url, site.url, site.sto_url,
                                     ANIWORLD_BIND=f"127.0.0.1:{self.port}",
                                     ANIWORLD_WEB_WORKERS="1"), tmp)
        self.tmp = tmp
        self.url = f"http://127.0.0.1:{self.port}"
        self.site = site
        self.setup_token = ""

    def flask(self, *args: str) -> str:
        """Run a ``flask --app wsgi`` command and return its output."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                                cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=120, check=True)
        return result.stdout

    def start(self) -> None:
        """Migrate, print the set-up token, start web, workers and scheduler (as the Procfile)."""
        self.flask("db", "upgrade")
        match = re.search(r"Set-up token: (\S+)", self.flask("init"))
        assert match, "flask init printed no set-up token"
        self.setup_token = match.group(1)
        self.web = self.spawn("web", WEB_COMMAND)
        self.start_module(WORKER_MODULE, "worker")
        self.start_module(WORKER_MODULE, "library", "notify", "library")
        self.start_module(SCHEDULER_MODULE, "scheduler")
        self._wait_until_serving()

    def stop_web(self) -> None:
        """Stop only the web server: the browser then finds nobody at the app's address."""
        signal_group(self.web.pid, signal.SIGTERM)
        self.web.wait(timeout=15)

    def restart_web(self) -> None:
        """Start the web server again (after ``stop_web``) and wait until it serves."""
        self.web = self.spawn("web", WEB_COMMAND)
        self._wait_until_serving()

    def _wait_until_serving(self) -> None:
        self.wait_for(self._serving, 30, "the app to serve /api/v1/health")

    def _serving(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def library_files(self) -> list[Path]:
        """Finished video files in the library (partial data excluded)."""
        found = []
        for folder, subfolders, files in os.walk(self.library):
            # The partial area changes under our feet while downloads run; never walk it.
            subfolders[:] = [name for name in subfolders if name != ".aniworld"]
            found += [Path(folder) / f for f in files if f.endswith((".mp4", ".mkv"))]
        return sorted(found)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory, redis_server: object,
             fakesite_server: FakeSite) -> Iterator[LiveApp]:
    """The running app (module-scoped: a journey is one long story).

    The session's Redis is flushed first: jobs an earlier test left queued (a cover fetch,
    say) would otherwise be run by this app's workers against its library.
    """
    client = redis.Redis.from_url(redis_server.url)  # type: ignore[attr-defined]
    client.flushall()
    client.close()
    app = LiveApp(tmp_path_factory.mktemp("live"), redis_server.url,  # type: ignore[attr-defined]
                  fakesite_server)
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium from Debian (the test is skipped, loudly, when it is missing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(MISSING_CHROMIUM)
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="BROWSER TESTS SKIPPED: playwright is not installed")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def set_up(page: object, app: LiveApp, password: str) -> None:
    """Claim a fresh instance on its set-up page (token, password) and land logged in."""
    page.goto("/setup")  # type: ignore[attr-defined]
    page.get_by_label("Set-up token").fill(app.setup_token)  # type: ignore[attr-defined]
    page.get_by_label("New password").fill(password)  # type: ignore[attr-defined]
    page.get_by_label("Repeat password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save and log in").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/($|library/)"))  # type: ignore[attr-defined]


def wait(check: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Poll ``check`` from Python (the page's CSP forbids Playwright's string predicates)."""
    wait_until(check, timeout, what, interval=0.2)


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def docs_screenshot(page: object, name: str, start: str | None = None) -> Path:
    """Save the visible part of the page (from the element ``start`` when given) as
    docs/screenshots/<name>.png (with ANIWORLD_DOCS_SCREENSHOTS=1; else under test-output).

    A desktop page is shot at 1280×800 (its own size is restored after), a phone page at its
    width; the README shows these files.
    """
    size = page.viewport_size  # type: ignore[attr-defined]
    if size and size["width"] > 600:
        page.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]
    if start:
        page.locator(start).first.evaluate(  # type: ignore[attr-defined]
            "element => element.scrollIntoView({block: 'start'})")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = DOCS_SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    if size and size["width"] > 600:
        page.set_viewport_size(size)  # type: ignore[attr-defined]
    return path


def has_horizontal_scroll(page: object) -> bool:
    """Whether the page is wider than the viewport."""
    return bool(page.evaluate(  # type: ignore[attr-defined]
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def copy_screenshots_to_docs() -> None:
    """Refresh docs/screenshots from the last run (used when updating the README)."""
    target = ROOT / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for png in SCREENSHOTS.glob("*.png"):
        shutil.copy2(png, target / png.name)
