"""One address, set once: `url:` in site.yaml places links and assets and makes absolute URLs."""

from __future__ import annotations

import re

from helpers import run_cli, write

URL = "https://ledger.example/explainers/budget-2027/"


def add_site(root, text: str) -> None:
    site = root / "content/site.yaml"
    write(root, "content/site.yaml", site.read_text(encoding="utf-8") + text)


def errors(result) -> list[str]:
    """What it says about site.yaml (the fixture has warnings of its own elsewhere)."""
    return [line for line in result.err.splitlines() if line.startswith("content/site.yaml:")]


def test_url_sets_the_path_of_links_and_assets_too(project, tmp_path):
    """Before, `url:` moved canonical links and the sitemap under its path while stylesheets
    and links stayed at /static/… and /: deployed under that path, the CSS broke."""
    add_site(project, f"url: {URL}\n")
    out = tmp_path / "out"
    result = run_cli(project, "build", "--out", str(out))
    assert result.code == 0, result.err
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="stylesheet" href="/explainers/budget-2027/static/style\.', home)
    assert '<a class="masthead__brand" href="/explainers/budget-2027/">' in home
    assert f'<link rel="canonical" href="{URL}">' in home
    assert f'<meta property="og:image" content="{URL}static/share.' in home
    assert f"<loc>{URL}quotes/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "note:" not in result.err


def test_base_url_option_overrides_the_path_for_a_preview(project, tmp_path):
    add_site(project, f"url: {URL}\n")
    out = tmp_path / "out"
    result = run_cli(project, "build", "--out", str(out), "--base-url", "/preview/")
    assert result.code == 0, result.err
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/preview/static/style.' in home
    assert f'<link rel="canonical" href="{URL}">' in home  # previews point at production


def test_a_build_without_an_address_says_what_it_left_out(project, tmp_path):
    result = run_cli(project, "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    notes = [line for line in result.err.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: no absolute address known, so the site has no sitemap.xml, og:url, og:image or "
        "oEmbed, and its embed code works on this host only: "
        "set url: in content/site.yaml (or pass --base-url https://…)"
    ]
    assert not (tmp_path / "out/sitemap.xml").exists()
    assert not (tmp_path / "out/embed/factbox/oembed.json").exists()
    assert "&lt;iframe src=&#34;/embed/factbox/&#34;" in (tmp_path / "out/index.html").read_text()
    absolute = run_cli(project, "build", "--out", str(tmp_path / "abs"), "--base-url", URL)
    assert "note:" not in absolute.err


def test_base_url_and_url_that_disagree_are_an_error(project):
    add_site(project, f"base_url: /\nurl: {URL}\n")
    result = run_cli(project, "check")
    assert result.code == 1
    assert errors(result) == [
        f"content/site.yaml:10:1: error: base_url '/' and url '{URL}' give different "
        "addresses; remove base_url: (url: sets the path too; --base-url overrides it for a "
        "preview)"
    ]


def test_old_base_url_still_works_and_says_how_to_migrate(project, tmp_path):
    add_site(project, "base_url: /explainers/old/\n")
    out = tmp_path / "out"
    result = run_cli(project, "build", "--out", str(out))
    assert result.code == 0, result.err
    assert 'href="/explainers/old/static/style.' in (out / "index.html").read_text("utf-8")
    strict = run_cli(project, "check", "--strict")
    assert strict.code == 1
    assert errors(strict) == [
        "content/site.yaml:10:1: warning: base_url: is replaced by url:, the explainer's full "
        "address (like https://news.example/explainers/budget/), which sets the path too; "
        "remove base_url: and set url:, or pass --base-url for a preview"
    ]


def test_publisher_url_is_the_newsrooms_absolute_address(project):
    """Before, `publisher: {url: /}` (the README's example) linked the publisher to the
    explainer itself."""
    text = (project / "content/site.yaml").read_text(encoding="utf-8")
    write(
        project,
        "content/site.yaml",
        text.replace("  name: Test Desk\n", "  name: Test Desk\n  url: /\n"),
    )
    result = run_cli(project, "check")
    assert result.code == 1
    assert errors(result) == [
        "content/site.yaml:7:3: error: publisher url '/' must be the newsroom's own full "
        "address, like https://news.example/ (a relative URL would point into this explainer)"
    ]


def test_url_must_be_a_full_address(project):
    add_site(project, "url: /explainers/budget/\n")
    result = run_cli(project, "check")
    assert errors(result) == [
        "content/site.yaml:10:1: error: url '/explainers/budget/' must be the explainer's full "
        "address, like https://news.example/explainers/budget/ (for a preview elsewhere, pass "
        "--base-url)"
    ]
    add_site(project, "")
    write(
        project,
        "content/site.yaml",
        (project / "content/site.yaml")
        .read_text("utf-8")
        .replace("url: /explainers/budget/", f"url: {URL}?x=1"),
    )
    assert errors(run_cli(project, "check")) == [
        f"content/site.yaml:10:1: error: url '{URL}?x=1' must be an address without '?' or '#'"
    ]
