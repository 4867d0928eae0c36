"""The embeddable fact box as files: the embed page, its oEmbed response, the discovery link
and the snippet in the "Embed this" disclosure. In a browser: tests/test_browser_embed.py."""

from __future__ import annotations

import html
import json
import re

import pytest
from helpers import write
from sitecheck import build, parse_page, replace

BASE = "https://example.org/minerals/"
EMBED = BASE + "embed/factbox/"


@pytest.fixture
def site(project):
    return build(project, "--base-url", BASE)


def snippets(home: str) -> list[str]:
    """The code blocks of the "Embed this" disclosure, as a reader copies them."""
    disclosure = re.search(r'<details class="embed-code">(.*?)</details>', home, re.S)
    assert disclosure, "no Embed this disclosure on the home page"
    return [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", disclosure.group(1))]


def test_oembed_is_a_rich_response_with_the_disclosure_snippet(site):
    data = json.loads((site / "embed/factbox/oembed.json").read_text(encoding="utf-8"))
    assert list(data) == [
        "version", "type", "title", "provider_name", "provider_url", "html", "width", "height"
    ]  # fmt: skip
    assert (data["version"], data["type"]) == ("1.0", "rich")
    assert data["title"] == "At a glance · A small test explainer"
    assert (data["provider_name"], data["provider_url"]) == ("Test Desk", BASE)
    iframe, script = snippets((site / "index.html").read_text(encoding="utf-8"))
    assert data["html"] == iframe
    assert iframe.startswith(f'<iframe src="{EMBED}" title="{data["title"]}" ')
    assert f'height="{data["height"]}"' in iframe and 'loading="lazy"' in iframe
    assert script == f'<script src="{BASE}embed/embed.js" async></script>'
    assert isinstance(data["width"], int) and 200 < data["height"] < 5000


def test_the_explainer_page_advertises_its_oembed(site):
    home = parse_page((site / "index.html").read_text(encoding="utf-8"))
    [link] = [a for a in home.links if a.get("type") == "application/json+oembed"]
    assert link["rel"] == "alternate" and link["href"] == EMBED + "oembed.json"
    assert link["title"] == "At a glance · A small test explainer"


def test_the_host_script_keeps_one_name(site):
    """Host pages keep the pasted <script> line for years: its URL must not change with
    the file, unlike the fingerprinted copy the embed page itself loads."""
    script = (site / "embed/embed.js").read_bytes()
    [hashed] = (site / "static").glob("embed.*.js")
    assert hashed.read_bytes() == script
    assert hashed.name in (site / "embed/factbox/index.html").read_text(encoding="utf-8")


def test_the_embed_is_the_fact_box_alone_with_links_to_the_top_window(site):
    page = (site / "embed/factbox/index.html").read_text(encoding="utf-8")
    assert "<nav" not in page and "masthead" not in page and "notes." not in page
    assert '<h1 id="factbox-title">At a glance</h1>' in page
    assert "Reported + unnamed sources" in page and "Not <em>signed</em>" in page  # labels, prose
    assert '<time datetime="2025-02-15">15 February 2025</time>' in page  # the "as of" date
    links = re.findall(r"<a [^>]*>", page)
    chips = [a for a in links if 'class="chip' in a]
    assert len(chips) == 3
    for a in links:  # every link leaves the frame for a page of the explainer
        assert ' target="_top"' in a, a
    assert all('href="/minerals/sources/#src-' in a for a in chips)
    assert '<a href="/minerals/" target="_top">A small test explainer</a>' in page
    # the explainer's own chips still point into its own source list, in the same window
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="#src-report">' in home and "_top" not in home.split("<footer")[0]


def test_a_derived_as_of_date_links_to_its_reasoning_on_the_explainer(project):
    write(
        project,
        "content/dates.yaml",
        "- id: sat\n  date: 2025-02-15\n  basis: derived\n  reasoning: From the weekday.\n"
        "  sources: [report]\n",
    )
    replace(project, "content/factbox.yaml", "as_of: 2025-02-15", "as_of: sat")
    site = build(project, "--base-url", BASE)
    embed = (site / "embed/factbox/index.html").read_text(encoding="utf-8")
    assert '<a class="derived" href="/minerals/#date-sat" target="_top">' in embed
    assert 'id="date-sat"' in (site / "index.html").read_text(encoding="utf-8")


def test_without_an_address_there_is_no_oembed_and_the_snippet_is_root_relative(project):
    site = build(project, "--base-url", "/m/")
    assert not (site / "embed/factbox/oembed.json").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "json+oembed" not in home
    iframe, script = snippets(home)
    assert iframe.startswith('<iframe src="/m/embed/factbox/" ')
    assert script == '<script src="/m/embed/embed.js" async></script>'


def test_no_fact_box_no_embed(project):
    (project / "content/factbox.yaml").unlink()
    site = build(project, "--base-url", BASE)
    assert not (site / "embed").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "embed-code" not in home and "json+oembed" not in home
    assert "/embed/" not in (site / "_headers").read_text()
