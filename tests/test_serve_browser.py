"""The live preview in a real Chromium: saves show up without the test ever reloading."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve import replace, running, wait_until

pytestmark = pytest.mark.browser

PREFIX = "/explainers/minerals/"
WAIT_MS = 10_000


@contextlib.contextmanager
def live_page(browser, server) -> Iterator:
    """A page on the preview whose livereload client has connected."""
    from livereload.handlers import LiveReloadHandler

    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server.url)
        wait_until(lambda: LiveReloadHandler.waiters, what="livereload's client to connect")
        page.evaluate("window.__notReloaded = true")
        yield page
    finally:
        context.close()


def not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_a_content_edit_appears_without_reloading_by_hand(browser, project: Path) -> None:
    with running(project) as server, live_page(browser, server) as page:
        assert "Wednesday" in page.inner_text("main")
        replace(project, "content/sections/01-offer.md", "on Wednesday", "on Thursday")
        page.wait_for_function("document.querySelector('main').innerText.includes('Thursday')")
        assert not not_reloaded(page), "livereload reloaded the page, not the test"


def test_a_css_edit_is_swapped_in_without_a_page_reload(browser, project: Path) -> None:
    spacing = "getComputedStyle(document.querySelector('h1')).letterSpacing"
    with running(project, base_url=PREFIX) as server, live_page(browser, server) as page:
        assert page.evaluate(spacing) != "3px"
        with (project / "templates/static/style.css").open("a") as f:
            f.write("\nh1 { letter-spacing: 3px }\n")
        page.wait_for_function(f"{spacing} === '3px'")
        assert not_reloaded(page), "the stylesheet was swapped, the page was not reloaded"
        # A second edit swaps again, although the page still links the first file name.
        with (project / "templates/static/style.css").open("a") as f:
            f.write("\nh1 { letter-spacing: 5px }\n")
        page.wait_for_function(f"{spacing} === '5px'")
        assert not_reloaded(page)


def test_a_broken_file_shows_the_error_overlay_until_fixed(browser, project: Path) -> None:
    quotes = project / "content/quotes.yaml"
    good = quotes.read_text()
    with running(project) as server, live_page(browser, server) as page:
        quotes.write_text(good.replace("speaker: minister", "speaker: [minister"))
        page.wait_for_selector("text=The site did not build")
        lines = page.locator(".diagnostics li").all_inner_texts()
        printed = [line for line in server.err.getvalue().splitlines() if ": error: " in line]
        assert lines == printed, "the overlay shows the command line's lines"
        assert lines == [  # one mistake, one error: no "is not a quote" for its embed too
            "content/quotes.yaml:2:12: error: this '[' is never closed: end it with ']' (or, "
            "if the [ is part of the text, put the whole value in quotes)"
        ]
        quotes.write_text(good)
        page.wait_for_selector("text=We are still talking")
        assert page.locator("text=The site did not build").count() == 0
