"""The browser every web test drives: Debian's chromium through Playwright (no download).

``ASSISTANT_CHROMIUM`` names another binary; without one the browser tests are
skipped, or fail when ``ASSISTANT_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path(os.environ.get("ASSISTANT_CHROMIUM", "/usr/bin/chromium"))
# as root, headless, on a closed network: no sandbox, no background connections
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: `make browser` (apt-get install chromium) installs it"
        if os.environ.get("ASSISTANT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield launched
        launched.close()
