"""Fixtures of the console tests: one real server (SQLite) for the module, flytekit to register and run the engine
apps on it, and one headless Chromium (Debian's package, driven by Playwright) per module.

Screenshots of every page a test looks at are written to `test-artifacts/console/` (gitignored)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.engine.support import QuickRemote, use_engine_apps
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "console"

use_engine_apps()


def _chromium_or_skip() -> None:
    if CHROMIUM.exists() and shutil.which(str(CHROMIUM)):
        return
    message = f"the console's browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("console-home"))
    assert running.endpoint.startswith("127.0.0.1:"), running.endpoint  # loopback only
    yield running
    running.stop()


@pytest.fixture(scope="module")
def flyte(console_server: RunningServer) -> Any:
    return QuickRemote.for_endpoint(
        console_server.endpoint, insecure=True, default_project="flytesnacks", default_domain="development"
    )


@pytest.fixture(scope="module")
def project(flyte: Any, request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    return new_project(flyte, module[:40])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page (1280 by 900); whatever it shows at the end is saved as a screenshot named after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(60_000)
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


def shoot(page: Any, name: str) -> None:
    """A screenshot of the page as it is now, for the artifacts folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
