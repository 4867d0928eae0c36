"""Files for crawlers, hosts and reusers: sitemap.xml, robots.txt, _headers, explainer.json."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import REPO
from helpers import write
from sitecheck import build, html_pages, parse_page

BASE = "https://example.org/minerals/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@pytest.fixture
def site(project):
    return build(project, "--base-url", BASE)


def test_sitemap_lists_every_page_but_404_and_embeds_with_absolute_urls(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    locs = [url.findtext(f"{{{SITEMAP_NS}}}loc") for url in root]
    assert all(url.tag == f"{{{SITEMAP_NS}}}url" for url in root)
    assert len(locs) == len(set(locs))
    routes = []
    for loc in locs:
        assert loc.startswith(BASE), loc
        route = loc.removeprefix(BASE)
        assert (site / route / "index.html").is_file(), f"{loc} is not a page"
        routes.append(route)
    # the embed repeats the home page's fact box and asks not to be indexed
    unlisted = ("404.html", "embed/factbox/")
    assert sorted(routes) == sorted(r for r in html_pages(site) if r not in unlisted)
    assert 'name="robots" content="noindex"' in (site / "embed/factbox/index.html").read_text()
    lastmods = {url.findtext(f"{{{SITEMAP_NS}}}lastmod") for url in root}
    assert lastmods == {"2025-02-16"}


def test_robots_points_at_the_sitemap(site):
    assert (site / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"
    )


def parse_headers(text: str) -> dict[str, dict[str, str]]:
    """Netlify / Cloudflare `_headers`: a path line, then indented `Name: value` lines."""
    rules: dict[str, dict[str, str]] = {}
    path = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line[0].isspace():
            name, _, value = line.strip().partition(":")
            assert path is not None, line
            rules[path][name.strip()] = value.strip()
        else:
            path = line.strip()
            assert path not in rules, f"{path} listed twice"
            rules[path] = {}
    return rules


def test_headers_cache_fingerprinted_files_forever_and_revalidate_the_rest(site):
    rules = parse_headers((site / "_headers").read_text())
    immutable = "public, max-age=31536000, immutable"
    revalidate = "public, max-age=0, must-revalidate"
    assert rules.pop("/minerals/static/*") == {"Cache-Control": immutable}
    # no catch-all: both hosts merge every matching rule into one header
    assert not any(p.endswith("/*") for p in rules)
    embed = "/minerals/embed/factbox/"
    for path, headers in rules.items():
        assert headers.pop("Cache-Control") == revalidate, path
        # only the embed may be framed by other sites; every other page refuses framing
        framing = "frame-ancestors *" if path.startswith(embed) else "frame-ancestors 'self'"
        assert headers.pop("Content-Security-Policy") == framing, path
        if path == embed + "oembed.json":  # oEmbed consumers may read it from any page
            assert headers.pop("Access-Control-Allow-Origin") == "*"
        assert headers == {}, path
    assert {embed, embed + "index.html", embed + "oembed.json"} <= set(rules)
    files = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and p.name not in ("_headers", ".explainer-site")
    }
    for rel in files:
        if rel.startswith("static/"):
            continue
        assert f"/minerals/{rel}" in rules, rel
        if rel.endswith("index.html"):
            assert f"/minerals/{rel.removesuffix('index.html')}" in rules, rel


def test_static_files_are_fingerprinted_by_content(site):
    names = [p.name for p in (site / "static").iterdir()]
    assert any(n.startswith("share.") for n in names) and any(n.startswith("style.") for n in names)
    for path in (site / "static").iterdir():
        stem, digest, ext = path.name.rsplit(".", 2)
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest()[:10], path.name


def readme_example() -> dict:
    """The JSON example under "## Open data" in README.md: the documented shape."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Open data") :]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block, "README's Open data section has no ```json example"
    return json.loads(block.group(1))


def shape(value):
    """Keys in order, recursively; lists by their first item; scalars by type name."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def assert_same_shape(documented, actual, where="$"):
    if isinstance(documented, dict):
        assert isinstance(actual, dict), where
        assert list(actual) == list(documented), f"{where}: keys differ from README"
        for key in documented:
            assert_same_shape(documented[key], actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), where
        if documented and actual:
            assert_same_shape(documented[0], actual[0], f"{where}[0]")
    elif documented != "NoneType" and actual != "NoneType":
        assert documented == actual, f"{where}: README shows {documented}, file has {actual}"


def test_open_data_matches_the_documented_shape_and_the_content(site):
    data = json.loads((site / "data/explainer.json").read_text(encoding="utf-8"))
    assert_same_shape(shape(readme_example()), shape(data))
    assert data["version"] == 2
    assert data["site"]["url"] == BASE
    assert data["site"]["published"] == "2025-02-16"
    assert [r["value"] for r in data["factbox"]["rows"]] == ["Not signed", "Guarantees"]
    assert data["factbox"]["rows"][0]["value_markdown"] == "Not *signed*"
    assert data["factbox"]["rows"][1]["sources"] == ["two-people", "report"]
    # every source counts: the second row cites two unnamed people and the report
    assert [r["status"] for r in data["factbox"]["rows"]] == ["reported", "reported+unnamed"]
    # plain-text keys hold what readers see, never Markdown syntax
    assert data["site"]["summary"] == "A tiny explainer used by the tests."
    assert data["actors"][0]["stance"] == "Wants a deal."
    assert data["actors"][0]["stance_markdown"] == "[Wants a deal]{src=minister}."
    assert data["corrections"] == []
    assert [(a["id"], a["named"]) for a in data["actors"]] == [
        ("minister", True),
        ("official", False),
    ]
    assert data["actors"][0]["url"] == f"{BASE}actors/minister/"
    assert data["quotes"][0]["text"] == "We are still talking {{ not jinja }} <b>really</b>."
    assert data["quotes"][0]["date"] == "2025-02-15"
    assert data["quotes"][0]["date_basis"] == "stated"
    assert data["timeline"] == [
        {
            "date": "2025-02-12",
            "date_basis": "stated",
            "date_ref": None,
            "title": "Talks begin",
            "text": "The two sides met.",
            "status": "reported",
            "sources": ["report"],
        }
    ]
    assert [s["id"] for s in data["sources"]] == ["report", "two-people", "minister"]
    assert data["sources"][1]["count"] == 2 and data["sources"][1]["via"] == "report"
    # ids referred to exist
    ids = {s["id"] for s in data["sources"]}
    for item in [*data["factbox"]["rows"], *data["quotes"], *data["timeline"]]:
        assert set(item["sources"]) <= ids


def test_corrections_move_the_modified_date_everywhere(project):
    write(
        project,
        "content/corrections.yaml",
        "- date: 2025-03-01\n  kind: correction\n  text: Fixed a weekday.\n  why: Typo.\n",
    )
    site = build(project, "--base-url", BASE)
    data = json.loads((site / "data/explainer.json").read_text())
    assert data["site"]["updated"] == "2025-03-01"
    assert data["corrections"] == [
        {
            "date": "2025-03-01",
            "kind": "correction",
            "text": "Fixed a weekday.",
            "why": "Typo.",
            "pages": ["explainer"],
        }
    ]
    assert "<lastmod>2025-03-01</lastmod>" in (site / "sitemap.xml").read_text()
    home = parse_page((site / "index.html").read_text())
    assert home.meta("article:modified_time") == "2025-03-01"
    [article] = home.structured()
    assert (article["datePublished"], article["dateModified"]) == ("2025-02-16", "2025-03-01")


def test_open_data_without_a_fact_box(project):
    (project / "content/factbox.yaml").unlink()
    data = json.loads((build(project) / "data/explainer.json").read_text())
    assert data["factbox"] is None
    assert data["site"]["url"] == "/"


def tree(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("base_url", [BASE, "/explainers/minerals/"])
def test_builds_are_byte_identical_with_and_without_source_date_epoch(
    project, monkeypatch, base_url
):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = tree(build(project, "--base-url", base_url))
    assert any(name.endswith(".png") for name in first)
    assert tree(build(project, "--base-url", base_url)) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert tree(build(project, "--base-url", base_url)) == first
