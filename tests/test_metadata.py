"""Head metadata, JSON-LD and base URLs: what search engines and link previews read."""

from __future__ import annotations

import json
import re

import pytest
from helpers import run_cli, write
from sitecheck import EMBEDS, build, html_pages, parse_page, replace

from explainer.site.jsonld import jsonld

ORIGIN = "https://example.org"
BASE = f"{ORIGIN}/minerals/"
TITLE = "A small test explainer"


@pytest.fixture
def site(project):
    return build(project, "--base-url", BASE)


def test_every_page_has_title_description_canonical_and_open_graph(site):
    share = next((site / "static").glob("share.*.png")).name
    for route, path in html_pages(site).items():
        page = parse_page(path.read_text(encoding="utf-8"))
        assert page.lang == "en", route
        assert page.title.strip(), route
        assert page.meta("description"), route
        if route in EMBEDS:  # a part of a page for other sites' frames, not for sharing
            assert page.meta("robots") == "noindex"
            assert page.link("canonical") is None and page.meta("og:title") is None
            continue
        assert page.meta("og:title") == page.title, route
        assert page.meta("og:description") == page.meta("description"), route
        assert page.meta("og:site_name") == "Test Desk", route
        assert page.meta("og:type") == ("article" if route == "" else "website"), route
        assert page.meta("og:image") == f"{BASE}static/{share}", route
        assert page.meta("og:image:width") == "1200"
        assert page.meta("og:image:height") == "630"
        assert page.meta("og:image:alt").startswith(f"Explainer: {TITLE}.")
        assert page.meta("twitter:card") == "summary_large_image"
        assert page.meta("twitter:image") == page.meta("og:image")
        assert page.meta("twitter:title") == page.title
        if route == "404.html":
            assert page.link("canonical") is None
            assert page.meta("og:url") is None
            assert page.meta("robots") == "noindex"
        else:
            assert page.link("canonical") == BASE + route, route
            assert page.meta("og:url") == BASE + route, route
            assert page.meta("robots") is None


def test_page_specific_descriptions(site):
    actor = parse_page((site / "actors/minister/index.html").read_text())
    assert actor.meta("description") == "Ann Example, Minister: Wants a deal."
    assert actor.title == f"Ann Example · {TITLE}"
    home = parse_page((site / "index.html").read_text())
    assert home.title == TITLE
    assert home.meta("article:published_time") == "2025-02-16"


def test_home_is_a_background_news_article(site):
    home = parse_page((site / "index.html").read_text())
    [article] = home.structured()
    assert article["@context"] == "https://schema.org"
    assert article["@type"] == "BackgroundNewsArticle"
    for key in ["headline", "image", "datePublished", "dateModified", "author", "publisher"]:
        assert article[key], key
    assert article["headline"] == TITLE
    assert article["datePublished"] == article["dateModified"] == "2025-02-16"
    assert article["url"] == article["mainEntityOfPage"] == BASE
    assert article["author"] == [{"@type": "Person", "name": "Test Author"}]
    assert article["publisher"] == {"@type": "Organization", "name": "Test Desk"}
    image = article["image"]
    assert image["@type"] == "ImageObject"
    assert image["url"] == home.meta("og:image")
    assert (image["width"], image["height"]) == (1200, 630)
    # every source is cited: reports and documents as works, people as text
    citations = article["citation"]
    assert len(citations) == 3
    assert citations[0] == {
        "@type": "CreativeWork",
        "name": "Daily · report",
        "description": "the Daily's own report",
        "publisher": {"@type": "Organization", "name": "The Daily"},
    }
    assert citations[1] == "Daily · 2 people familiar: two people familiar with the talks"
    # only named actors are mentioned as persons
    assert [m["name"] for m in article["mentions"]] == ["Ann Example"]


def test_named_actors_are_persons_and_unnamed_are_not(site):
    [person] = parse_page((site / "actors/minister/index.html").read_text()).structured()
    assert person == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Ann Example",
        "jobTitle": "Minister",
        "description": "Wants a deal.",
        "mainEntityOfPage": f"{BASE}actors/minister/",
    }
    assert parse_page((site / "actors/official/index.html").read_text()).jsonld == []
    assert parse_page((site / "quotes/index.html").read_text()).jsonld == []


def test_path_only_base_url_leaves_out_what_needs_an_origin(project):
    site = build(project, "--base-url", "/explainers/minerals/")
    for route, path in html_pages(site).items():
        page = parse_page(path.read_text())
        if route in EMBEDS:
            continue
        if route != "404.html":
            assert page.link("canonical") == "/explainers/minerals/" + route
        assert page.meta("og:url") is None
        assert page.meta("og:image") is None
        assert page.meta("twitter:card") == "summary"
        assert page.meta("og:title") and page.meta("og:description")
    [article] = parse_page((site / "index.html").read_text()).structured()
    assert article["image"]["url"].startswith("/explainers/minerals/static/share.")
    assert not (site / "sitemap.xml").exists()
    assert "Sitemap:" not in (site / "robots.txt").read_text()


def test_site_url_gives_path_only_builds_an_origin(project):
    write(
        project,
        "content/site.yaml",
        (project / "content/site.yaml").read_text() + "url: https://news.example/m\n",
    )
    site = build(project, "--base-url", "/preview/")
    page = parse_page((site / "actors/index.html").read_text())
    assert page.link("canonical") == "https://news.example/m/actors/"
    assert page.meta("og:image").startswith("https://news.example/m/static/share.")
    assert page.link("stylesheet").startswith("/preview/static/style.")
    assert "<loc>https://news.example/m/about/</loc>" in (site / "sitemap.xml").read_text()
    # an absolute --base-url wins
    site = build(project, "--base-url", BASE)
    assert parse_page((site / "index.html").read_text()).link("canonical") == BASE


@pytest.mark.parametrize("url", ["/minerals/", "example.org/minerals/", "ftp://example.org/"])
def test_site_url_must_be_a_full_http_address(project, url):
    write(
        project,
        "content/site.yaml",
        (project / "content/site.yaml").read_text() + f"url: {url}\n",
    )
    result = run_cli(project, "check")
    assert result.code == 1
    assert re.search(r"content/site\.yaml:10:\d+: error: url ", result.err), result.err


def test_root_relative_markdown_and_yaml_links_get_the_base_path(project):
    write(
        project,
        "content/pages/links.md",
        "---\ntitle: Links\n---\n[about](/about/), [home](/), ![map](/static/map.png), "
        "[relative](quotes/), [fragment](#x), [external](https://example.org/a/), "
        "[protocol-relative](//cdn.example/x)\n",
    )
    replace(
        project,
        "content/sources.yaml",
        "  outlet: The Daily\n",
        "  outlet: The Daily\n  title: Our report\n  url: /about/\n",
    )
    replace(
        project,
        "content/site.yaml",
        "  - name: Test Author\n",
        "  - name: Test Author\n    url: /about/\n",
    )
    site = build(project, "--base-url", "/explainers/minerals/")
    html = (site / "links/index.html").read_text()
    assert '<a href="/explainers/minerals/about/">about</a>' in html
    assert '<a href="/explainers/minerals/">home</a>' in html
    assert 'src="/explainers/minerals/static/map.png"' in html
    assert '<a href="quotes/">relative</a>' in html
    assert '<a href="#x">fragment</a>' in html
    assert '<a href="https://example.org/a/">external</a>' in html
    assert '<a href="//cdn.example/x">protocol-relative</a>' in html
    assert (
        '<a href="/explainers/minerals/about/">Our report</a>'
        in (site / "sources/index.html").read_text()
    )
    assert (
        '<a href="/explainers/minerals/about/">Test Author</a>' in (site / "index.html").read_text()
    )
    # at the root nothing changes
    site = build(project)
    assert '<a href="/about/">about</a>' in (site / "links/index.html").read_text()


HOSTILE = "</script><script>alert(1)</script> \"double\" 'single' <!-- & -->"


def test_hostile_titles_stay_inert_in_json_ld_and_meta_tags(project):
    replace(project, "content/site.yaml", f"title: {TITLE}", f"title: {json.dumps(HOSTILE)}")
    replace(project, "content/actors.yaml", "name: Ann Example", f"name: {json.dumps(HOSTILE)}")
    site = build(project, "--base-url", BASE)
    for route, path in html_pages(site).items():
        html = path.read_text()
        assert "<script>alert(1)" not in html, route
        assert "<!-- &" not in html, route
        page = parse_page(html)
        # the only inline scripts are the JSON-LD blocks, each parsing back to the original text
        assert page.inline_scripts == len(page.jsonld), route
        for block in page.jsonld:
            assert "<" not in block and ">" not in block and "&" not in block
        assert HOSTILE in (page.title if route in EMBEDS else page.meta("og:title")), route
    home = parse_page((site / "index.html").read_text())
    assert home.title == HOSTILE
    assert home.meta("og:image:alt").startswith(f"Explainer: {HOSTILE}.")
    [article] = home.structured()
    assert article["headline"] == HOSTILE
    assert article["mentions"][0]["name"] == HOSTILE
    [person] = parse_page((site / "actors/minister/index.html").read_text()).structured()
    assert person["name"] == HOSTILE


def test_jsonld_filter_escapes_what_could_end_a_script():
    text = str(jsonld({"a": "</script><!--x-->&amp;", "b": ["é", 1, None]}))
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"a": "</script><!--x-->&amp;", "b": ["é", 1, None]}
