"""End-to-end builds: output, links, escaping, base URLs, atomic output and determinism."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import run_cli, write

from explainer.build.pipeline import Project


def build(root: Path, *args: str) -> Path:
    result = run_cli(root, "build", *args)
    assert result.code == 0, result.err
    return root / "site"


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Links(HTMLParser):
    """Every id, href and src in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.hrefs.append(a[key])


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def test_build_writes_every_page(project):
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    files = sum(1 for p in (project / "site").rglob("*") if p.is_file())
    # every file but the hidden marker that says the folder is ours to replace
    assert re.fullmatch(
        rf"built 9 pages \(all rendered\), {files - 1} files into site/ in \d+\.\d\d s\n",
        result.out,
    )
    site = project / "site"
    for page in [
        "index.html",
        "404.html",
        "about/index.html",
        "actors/index.html",
        "actors/minister/index.html",
        "actors/official/index.html",
        "quotes/index.html",
        "sources/index.html",
    ]:
        assert (site / page).is_file(), page
    assert list((site / "static").glob("style.*.css"))


def test_fragment_links_and_internal_links_resolve(project):
    site = build(project)
    pages = {p: parse(p) for p in site.rglob("*.html")}
    for page, links in pages.items():
        assert len(links.ids) == len(set(links.ids)), f"duplicate ids in {page}"
        for href in links.hrefs:
            path, _, fragment = href.partition("#")
            if path.startswith(("http:", "https:", "mailto:")):
                continue
            target = page if not path else site / path.lstrip("/")
            if target.is_dir() or path.endswith("/"):
                target = target / "index.html"
            assert target.exists(), f"{page}: {href} points nowhere"
            if fragment:
                assert fragment in pages[target].ids, f"{page}: {href} has no target id"


def test_claims_chips_and_backlinks(project):
    html = (build(project) / "index.html").read_text()
    assert re.search(
        r'<span class="claim claim--reported" id="claim-offer-1">The offer was made on Wednesday</span>',
        html,
    )
    # one chip per source, linking to the page's source list, with a back-link from the entry
    assert 'id="ref-two-people-2" href="#src-two-people"' in html
    assert '<li id="src-two-people">' in html
    assert 'href="#ref-two-people-2"' in html
    # the margin summary is hidden from screen readers: the chip already says it
    assert '<span class="margin-note" aria-hidden="true">' in html


def test_content_is_escaped_and_never_run_as_template(project):
    html = (build(project) / "index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ not jinja }} &lt;b&gt;really&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "![x](javascript:alert(1))",
        "[x](https://ok.example){onclick=alert(1)}",
    ],
)
def test_unsafe_markdown_links_are_not_emitted(project, link):
    write(project, "content/pages/evil.md", f"---\ntitle: Evil\n---\n{link}\n")
    html = (build(project) / "evil/index.html").read_text()
    body = html[html.index("<main") :]
    assert not re.search(r"(?i)(href|src)=\"\s*(javascript|data|vbscript)", body)
    assert not re.search(r"<[^>]*\bonclick", body)


def test_base_url_path_prefix_reaches_every_link(project):
    site = build(project, "--base-url", "/explainers/minerals/")
    for page in site.rglob("*.html"):
        for href in parse(page).hrefs:
            if href.startswith("/"):
                assert href.startswith("/explainers/minerals/"), f"{page}: {href}"


def test_absolute_base_url_gives_absolute_canonical(project):
    site = build(project, "--base-url", "https://example.org/minerals/")
    html = (site / "actors/minister/index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/minerals/actors/minister/">' in html
    assert 'href="/minerals/static/style.' in html


def test_failed_build_leaves_previous_site_untouched(project):
    site = build(project)
    before = tree_digest(site)
    write(
        project,
        "content/quotes.yaml",
        "- id: x\n  speaker: nobody\n  text: t\n  sources: [report]\n",
    )
    result = run_cli(project, "build")
    assert result.code == 1
    assert "the previous site was left as it was" in result.err
    assert tree_digest(site) == before
    assert not list(project.glob(".site.*-*")), "temporary folders left behind"


def test_check_writes_nothing(project):
    assert run_cli(project, "check").code == 0
    assert not (project / "site").exists()


def test_two_builds_are_byte_identical(project, monkeypatch):
    first = tree_digest(build(project))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert tree_digest(build(project)) == first


def test_refuses_dangerous_output_directories(project):
    """A dangerous --out is a usage error (exit 2) naming the flag; site/ (no flag) exit 1."""
    for out in [".", "content", "templates", ".."]:
        result = run_cli(project, "build", "--out", str(project / out))
        assert result.code == 2, out
        assert f"error: --out '{project / out}': refusing to write the site" in result.err
    foreign = project / "mine"
    write(project, "mine/notes.txt", "precious")
    result = run_cli(project, "build", "--out", str(foreign))
    assert result.code == 2
    assert "was not made by explainer" in result.err
    assert (foreign / "notes.txt").read_text() == "precious"
    write(project, "site/notes.txt", "precious")
    result = run_cli(project, "build")
    assert result.code == 1
    assert "site: error: refusing to replace" in result.err
    assert (project / "site/notes.txt").read_text() == "precious"


def test_rebuild_replaces_stale_files(project):
    site = build(project)
    (project / "content/pages/about.md").unlink()
    build(project)
    assert not (site / "about").exists()


def test_drafts_only_with_flag(project):
    write(project, "content/pages/later.md", "---\ntitle: Later\ndraft: true\n---\nSoon.\n")
    assert not (build(project) / "later").exists()
    assert (build(project, "--drafts") / "later/index.html").exists()


def test_project_api_renders_without_writing(project):
    result = Project(project).build(write_output=False)
    assert result.ok
    assert "index.html" in result.files
    assert not (project / "site").exists()


def test_real_content_passes_strict_check(real_project):
    """The minerals explainer meets every sourcing rule, warnings included (CI runs this)."""
    result = run_cli(real_project, "check", "--strict")
    assert result.code == 0, result.err
    assert "0 errors, 0 warnings" in result.out


def test_real_content_builds_with_status_labels_and_ledger(real_project):
    site = build(real_project)
    html = (site / "index.html").read_text()
    assert html.count('class="status status--') >= 6
    assert 'id="ledger-title"' in html
    # the footer's policy link leads to the policy's own heading on the about page
    assert 'href="/about/#our-policy-on-unnamed-sources">Policy on unnamed sources</a>' in html
    about = (site / "about/index.html").read_text()
    assert '<h2 id="our-policy-on-unnamed-sources">Our policy on unnamed sources</h2>' in about


def test_text_files_beside_templates_are_not_compiled_as_templates(project):
    """templates/fonts/LICENSE.txt and the like are data: Jinja syntax in them is no error."""
    write(project, "templates/fonts/NOTES.txt", "A note with {{ braces and {% tags")
    write(project, "templates/static/readme.txt", "{{ not a template")
    run = run_cli(project, "build")
    assert run.code == 0, run.err
