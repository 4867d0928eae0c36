"""Shared fixtures: throw-away projects built from fixtures, and a real Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
THEME = REPO / "explainer" / "theme"  # the built-in theme, copied into test projects to edit
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = os.environ.get("EXPLAINER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def make_project(tmp_path: Path, fixture: str = "minimal") -> Path:
    """A copy of tests/fixtures/<fixture>/content with the real templates/, to edit freely."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / fixture / "content", root / "content")
    shutil.copytree(THEME, root / "templates")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    """A copy of the real minerals-deal content and templates."""
    root = tmp_path / "real"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(THEME, root / "templates")
    return root


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by playwright; never downloads a browser."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium'")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
