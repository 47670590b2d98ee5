"""A headless Chromium (Debian's) for tests of what users see in the Prefect UI."""

from __future__ import annotations

import os
import time
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
