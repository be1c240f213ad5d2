"""Fixtures: the site published to a local bare remote, served by mike, and Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .published import ROOT, MikeServer, expected_lines, publish_copy

REPORTS = Path(os.environ.get("DOCS_REPORTS", ROOT / "build" / "examples-report"))
SCREENSHOTS = ROOT / "build" / "site-screenshots"
#: Debian's Chromium, headless, with nothing that phones home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def published(tmp_path_factory):
    return publish_copy(tmp_path_factory.mktemp("publish"), expected_lines(), REPORTS)


@pytest.fixture(scope="session")
def site(published, tmp_path_factory):
    with MikeServer(published, tmp_path_factory.mktemp("mike") / "serve.log") as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("No chromium on PATH: apt-get install -y chromium (or set CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
