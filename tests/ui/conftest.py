"""A real Prefect server and a headless Chromium (Debian's) for tests of what users see."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class PrefectServer:
    url: str

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """``prefect server start`` on a free loopback port, with its own home (SQLite)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    server = PrefectServer(url=f"http://127.0.0.1:{port}")
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # The UI asks this URL for data; it would otherwise assume the default port 4200.
        "PREFECT_UI_API_URL": server.api_url,
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{server.api_url}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Prefect server did not start:\n{(home / 'server.log').read_text()[-3000:]}")
        time.sleep(0.5)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: scripts/test installs the Debian package 'chromium'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where UI tests leave screenshots (DOCPIPE_SCREENSHOT_DIR to keep them)."""
    folder = os.environ.get("DOCPIPE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")


@contextmanager
def prefect_env(server: PrefectServer, **extra: str) -> Iterator[dict[str, str]]:
    """Environment for a docpipe subprocess reporting to ``server``."""
    yield {**os.environ, "PREFECT_API_URL": server.api_url, **extra}


def wait_for_text(page, text: str, timeout_s: float = 30.0) -> str:
    """The page's visible text once it contains ``text`` (the UI renders asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while True:
        body = page.inner_text("body")
        if text in body:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not shown on {page.url} within {timeout_s} s; page text:\n{body[:3000]}")
        page.wait_for_timeout(500)
