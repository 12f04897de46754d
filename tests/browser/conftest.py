"""A real headless Chromium (Debian's ``chromium``), driven by Playwright's Python package pointed
at it (Playwright's own browser download is never used). Without the browser or the package the
browser tests are skipped, with the reason; ``.ci/run`` installs the browser when it can."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AGENCY_BOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# the flags this machine's closed network needs (no background requests, no first-run)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _why_not() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver, or set AGENCY_BOT_CHROMIUM)"
    return None


SKIP = _why_not()


@pytest.fixture
async def chromium():
    if SKIP:
        pytest.skip(SKIP)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:  # each launch gets a fresh, empty profile of its own
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()
