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
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy.orm import Session

from tests.fakesite.server import FakeSite

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
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


class LiveApp:
    """The app's processes for one browser test module."""

    def __init__(self, tmp: Path, redis_url: str, site: FakeSite) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.site = site
        self.library = tmp / "library"
        self.env = {
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": str(ROOT), "ANIWORLD_DATA_DIR": str(tmp / "instance"),
            "ANIWORLD_LIBRARY_DIR": str(self.library), "REDIS_URL": redis_url,
            "ANIWORLD_SITE_URL": site.url, "ANIWORLD_SITE_TRANSPORT": "requests",
            "ANIWORLD_ALLOW_PRIVATE_HOSTS": "1", "ANIWORLD_LEASE_SECONDS": "4",
            "ANIWORLD_BIND": f"127.0.0.1:{self.port}", "ANIWORLD_WEB_WORKERS": "1",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
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
        self.web = self._spawn("web", WEB_COMMAND)
        self._spawn("worker", [sys.executable, "-m", "aniworld.tasks.worker"])
        self._spawn("library", [sys.executable, "-m", "aniworld.tasks.worker", "library"])
        self._spawn("scheduler", [sys.executable, "-m", "aniworld.tasks.scheduler"])
        self._wait_until_serving()

    def stop_web(self) -> None:
        """Stop only the web server: the browser then finds nobody at the app's address."""
        os.killpg(self.web.pid, 15)
        self.web.wait(timeout=15)

    def restart_web(self) -> None:
        """Start the web server again (after ``stop_web``) and wait until it serves."""
        self.web = self._spawn("web", WEB_COMMAND)
        self._wait_until_serving()

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"the app did not start:\n{self.logs()}")

    def settings(self, **changes: object) -> None:
        """Change run-time settings in the app's database (as an admin script would)."""
        from aniworld.database import make_engine
        from aniworld.services.settings import save_settings

        engine = make_engine(f"sqlite:///{self.tmp / 'instance' / 'aniworld.db'}")
        with Session(engine) as session:
            save_settings(session, **changes)
            session.commit()
        engine.dispose()

    def library_files(self) -> list[Path]:
        """Finished video files in the library (partial data excluded)."""
        found = []
        for folder, subfolders, files in os.walk(self.library):
            # The partial area changes under our feet while downloads run; never walk it.
            subfolders[:] = [name for name in subfolders if name != ".aniworld"]
            found += [Path(folder) / f for f in files if f.endswith((".mp4", ".mkv"))]
        return sorted(found)

    def logs(self) -> str:
        """The processes' logs, for failure messages."""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.tmp.glob("*.log")))

    def stop(self) -> None:
        """Stop every process."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
            process.log.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory, redis_server: object,
             fakesite_server: FakeSite) -> Iterator[LiveApp]:
    """The running app (module-scoped: a journey is one long story)."""
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


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
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
