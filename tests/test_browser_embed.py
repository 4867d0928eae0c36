"""The embeddable fact box in a real browser, inside another site's page.

The real explainer is built for and served at one origin (127.0.0.1 on one port); a host
page, served on another port and so another origin, pastes the snippet from the "Embed
this" disclosure. A third origin plays a hostile page. Axe and the Nu checker cover the
embed page itself in test_browser.py, which checks every page of the site.
"""

from __future__ import annotations

import functools
import html
import http.server
import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO
from helpers import run_cli
from test_browser import SCREENSHOTS, WIDTHS, open_page, wait_for

pytestmark = pytest.mark.browser


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path):
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A host page</title><link rel="icon" href="data:,">
<style>body {{ margin: 0; font-family: sans-serif; }} main {{ padding: 0 16px; }}</style>
</head><body><main>
<h1>Another newsroom's story</h1>
<p>Some text before the fact box.</p>
{embed}
<p id="after">Some text after it.</p>
</main></body></html>
"""

# A page on a third origin that the host frames: it posts a well-formed height message.
HOSTILE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title><link rel="icon" href="data:,">
<script>parent.postMessage({type: "explainer:height", height: 77}, "*");</script>
</head><body></body></html>
"""


@pytest.fixture(scope="module")
def origins(tmp_path_factory):
    """(site, host, hostile) base URLs: the explainer built for its own origin, a host page
    with the disclosure's snippet (twice, with and without the script), and a third one."""
    root = tmp_path_factory.mktemp("embed")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    out, host, hostile = root / "site", root / "host", root / "hostile"
    for folder in (out, host, hostile):
        folder.mkdir()
    with serve(out) as site, serve(host) as host_url, serve(hostile) as hostile_url:
        result = run_cli(root, "build", "--base-url", site)
        assert result.code == 0, result.err
        home = (out / "index.html").read_text(encoding="utf-8")
        iframe, script = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", home)]
        assert iframe.startswith(f'<iframe src="{site}embed/factbox/"')
        (host / "index.html").write_text(HOST_PAGE.format(embed=iframe + "\n" + script))
        narrow = iframe.replace("max-width:640px", "max-width:320px")  # a second, narrower one
        two = f'{iframe}\n<div id="second">{narrow}</div>\n{script}'
        (host / "two.html").write_text(HOST_PAGE.format(embed=two))
        (host / "static.html").write_text(HOST_PAGE.format(embed=iframe))  # no script
        (hostile / "index.html").write_text(HOSTILE_PAGE)
        yield site, host_url, hostile_url


def frame_of(page, index: int = 0):
    handle = page.locator("iframe").nth(index).element_handle()
    wait_for(lambda: handle.content_frame() is not None, "the iframe has a document")
    frame = handle.content_frame()
    frame.wait_for_load_state("load")
    return handle, frame


def frame_height(page, index: int = 0) -> float:
    return page.locator("iframe").nth(index).bounding_box()["height"]


def content_height(frame) -> float:
    return frame.evaluate("document.documentElement.getBoundingClientRect().height")


def fits(page, index: int = 0) -> bool:
    _, frame = frame_of(page, index)
    return abs(frame_height(page, index) - content_height(frame)) <= 1


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_host_script_fits_the_frame_to_the_box(origins, browser, width):
    site, host, _ = origins
    context, page, _, log = open_page(browser, host, "", width)
    try:
        page.locator("iframe").scroll_into_view_if_needed()  # loading="lazy"
        fixed = int(page.locator("iframe").get_attribute("height"))
        wait_for(lambda: fits(page), "the frame is as tall as the fact box")
        _, frame = frame_of(page)
        assert frame.url == site + "embed/factbox/"
        assert content_height(frame) != fixed  # it really was resized
        # the box changes height (a narrower column): the frame follows
        page.set_viewport_size({"width": 320, "height": 900})
        wait_for(lambda: fits(page), "the frame follows the box at 320 px")
        assert not any(log.values()), log
        label = next(k for k, v in WIDTHS.items() if v == width)
        page.set_viewport_size({"width": width, "height": 900})
        wait_for(lambda: fits(page), "the frame is back at its width")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"embed-host-{label}.png"), full_page=True)
    finally:
        context.close()


def test_each_frame_gets_its_own_height(origins, browser):
    _, host, _ = origins
    context, page, _, _ = open_page(browser, host, "two.html", 1280)
    try:
        page.locator("#second iframe").scroll_into_view_if_needed()
        wait_for(lambda: fits(page, 0) and fits(page, 1), "both frames fit their boxes")
        assert frame_height(page, 1) > frame_height(page, 0) + 50  # the narrow one is taller
    finally:
        context.close()


FORGED = [
    "{type: 'explainer:height', height: 1e9}",
    "{type: 'explainer:height', height: -5}",
    "{type: 'explainer:height', height: '400'}",
    "{type: 'explainer:height', height: NaN}",
    "{type: 'explainer:height', height: Infinity}",
    "{type: 'explainer:height', height: 400, extra: 1}",
    "{type: 'explainer:resize', height: 400}",
    "{height: 400}",
    "'explainer:height 400'",
    "null",
    "[400]",
]


def test_forged_messages_change_nothing(origins, browser):
    """From the host's own origin or a third one, any message is ignored; from the embed's
    origin, a message of the wrong shape or out of bounds is ignored."""
    _, host, hostile = origins
    context, page, _, _ = open_page(browser, host, "", 390)
    try:
        page.locator("iframe").scroll_into_view_if_needed()
        wait_for(lambda: fits(page), "the frame fits its box")
        _, frame = frame_of(page)
        settled = frame_height(page)
        # the host page itself (another origin) posts a well-formed message
        page.evaluate("window.postMessage({type: 'explainer:height', height: 77}, '*')")
        # the embed's own origin, but bad shapes
        for message in FORGED:
            frame.evaluate(f"parent.postMessage({message}, '*')")
        # a frame from a third origin, well-formed
        page.evaluate(
            "url => { const f = document.createElement('iframe'); f.src = url; "
            "f.title = 'third'; document.body.append(f); }",
            hostile,
        )
        wait_for(lambda: len(page.frames) == 3, "the third origin's frame loads")
        page.frames[2].wait_for_load_state("load")
        time.sleep(0.3)  # let every message be delivered
        assert frame_height(page) == settled
        assert page.locator("iframe[title=third]").evaluate("f => f.style.height") == ""
        # and the real one still works: the box grows, the frame follows
        frame.evaluate("document.querySelector('.factbox').style.paddingBottom = '300px'")
        wait_for(lambda: frame_height(page) >= settled + 250, "a real change still resizes")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_chip_click_navigates_the_top_window(origins, browser, javascript):
    site, host, _ = origins
    context, page, _, _ = open_page(browser, host, "static.html", 390, javascript=javascript)
    try:
        page.locator("iframe").scroll_into_view_if_needed()
        _, frame = frame_of(page)
        chip = frame.locator(".chip").first
        target = chip.get_attribute("href")
        chip.click()
        wait_for(lambda: page.url.startswith(site), "the top window leaves the host page")
        assert page.url == site + target.removeprefix("/")
        assert page.locator(target[target.index("#") :]).is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, *WIDTHS.values()])
def test_without_script_the_fixed_height_shows_the_whole_box(origins, browser, width):
    """No script on the host, or none at all: the snippet's height holds the whole box."""
    _, host, _ = origins
    for path, javascript in (("static.html", True), ("", False)):
        context, page, _, log = open_page(browser, host, path, width, javascript=javascript)
        try:
            page.locator("iframe").scroll_into_view_if_needed()
            handle, frame = frame_of(page)
            fixed = int(handle.get_attribute("height"))
            assert frame_height(page) == fixed
            credit = frame.locator(".embed__credit").bounding_box()  # the box's last line
            box = page.locator("iframe").bounding_box()
            assert credit["y"] + credit["height"] <= box["y"] + box["height"], (path, width)
            assert not any(log.values()), log
        finally:
            context.close()


def test_the_open_disclosure_is_accessible(origins, browser):
    from axe_playwright_python.sync_playwright import Axe

    site, _, _ = origins
    for width in WIDTHS.values():
        context, page, _, _ = open_page(browser, site, "", width)
        try:
            page.locator(".embed-code summary").click()
            assert page.locator(".embed-code__snippet").first.is_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"the snippet scrolls sideways at {width}px"
            results = Axe().run(page, context={"include": [[".embed-code"]]})
            problems = [v["id"] for v in results.response["violations"]]
            assert problems == [], problems
        finally:
            context.close()
