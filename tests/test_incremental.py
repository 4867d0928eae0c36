"""Cached and incremental builds must write exactly the bytes of a clean build.

A project goes through random sequences of edits of every kind (page text inside and
outside claims, front matter, sources, quotes, site settings, sections, templates,
interface strings, CSS, pages added and removed). After each edit it is built twice:
incrementally (the build cache of earlier builds, as `python build.py` uses it, and a
long-lived in-memory Project, as `serve` uses it) and cleanly (a fresh Project, no
cache). Every file must be the same.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, THEME

from explainer.build import workers as parallel
from explainer.build.pipeline import Project
from explainer.build.write import MARKER, MARKER_TEXT

PAGES = 6


def add_page(root: Path, n: int, rng: random.Random) -> None:
    sources = ["ft-report", "three-familiar", "five-familiar", "two-knowledgeable"]
    body = []
    for i in range(3):
        src = rng.choice(sources)
        body.append(f"Paragraph {i} of page {n}. [A claim number {i}]{{src={src}}} and more.")
    (root / f"content/pages/extra-{n}.md").write_text(
        f"---\ntitle: Extra page {n}\n"
        + (f"nav_title: Extra {n}\n" if n % 2 else "")
        + "---\n"
        + "\n\n".join(body)
        + "\n"
    )


def real_site_with_pages(tmp_path: Path, seed: int, pages: int = PAGES) -> Path:
    """The real content and templates plus `pages` annotated free-standing pages."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(THEME, root / "templates")
    rng = random.Random(seed)
    for n in range(pages):
        add_page(root, n, rng)
    return root


def pages(root: Path) -> list[Path]:
    return sorted((root / "content/pages").glob("extra-*.md"))


def sub(path: Path, pattern: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    changed = re.sub(pattern, new, text, count=count)
    assert changed != text, (path, pattern)
    path.write_text(changed)


def edit_text_outside_claims(root, rng, n):
    page = rng.choice(pages(root))
    page.write_text(page.read_text() + f"\nAn added sentence {n}.\n")


def edit_text_inside_a_claim(root, rng, n):
    sub(rng.choice(pages(root)), r"A claim number", f"A claim (edit {n}) number")


def edit_front_matter(root, rng, n):
    sub(rng.choice(pages(root)), r"title: Extra page (\d+)", rf"title: Extra page \1 v{n}")


def edit_nav_title(root, rng, n):
    page = rng.choice(pages(root))
    text = page.read_text()
    if "nav_title:" in text:
        page.write_text(re.sub(r"nav_title: .*\n", "", text))
    else:
        page.write_text(text.replace("---\n", f"---\nnav_title: Nav {n}\n", 1))


def edit_source(root, rng, n):
    sub(root / "content/sources.yaml", r"label: (.*)", rf"label: \1 {n}")


def edit_quote(root, rng, n):
    sub(root / "content/quotes.yaml", r'context: "(.*)"', rf'context: "\1 ({n})"')


def edit_site(root, rng, n):
    sub(root / "content/site.yaml", r'description: "(.*)"', rf'description: "\1 ({n})"')


def edit_section(root, rng, n):
    section = rng.choice(sorted((root / "content/sections").glob("*.md")))
    section.write_text(section.read_text() + f"\nA section note {n}.\n")


def edit_template(root, rng, n):
    name = rng.choice(["base.html", "page.html", "sources.html", "_macros.html"])
    path = root / "templates" / name
    path.write_text(path.read_text() + f"{{# edit {n} #}}<!-- {n} -->\n")


def edit_strings(root, rng, n):
    sub(root / "templates/strings/en.yaml", r"(\nnav_\w+: )(\w)", rf"\1Edited {n} \2")


def edit_css(root, rng, n):
    path = root / "templates/static/style.css"
    path.write_text(path.read_text() + f"\n/* {n} */\n")


def add_or_remove_page(root, rng, n):
    existing = pages(root)
    if len(existing) > 2 and rng.random() < 0.5:
        rng.choice(existing).unlink()
    else:
        add_page(root, 100 + n, rng)


def touch_nothing(root, rng, n):
    page = rng.choice(pages(root))
    page.write_text(page.read_text())


EDITS = [
    edit_text_outside_claims,
    edit_text_outside_claims,
    edit_text_inside_a_claim,
    edit_front_matter,
    edit_nav_title,
    edit_source,
    edit_quote,
    edit_site,
    edit_section,
    edit_template,
    edit_strings,
    edit_css,
    add_or_remove_page,
    touch_nothing,
]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".explainer-site"
    }


def clean_build(root: Path) -> dict[str, bytes]:
    result = Project(root).build(out=None)
    assert result.ok, [str(d) for d in result.diagnostics.items]
    return dict(result.files)


@pytest.fixture
def always_fork(monkeypatch):
    """Spread work over processes even for a handful of pages."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edit_sequences_build_exactly_what_a_clean_build_does(tmp_path, seed, always_fork):
    root = real_site_with_pages(tmp_path, seed)
    rng = random.Random(seed)
    serving = Project(root)  # long-lived, as under `serve`
    for step in range(14):
        edit = rng.choice(EDITS)
        edit(root, rng, step)
        expected = clean_build(root)
        # A new process's view: the disk cache, and pages parsed and rendered in 2 processes.
        built = Project(root, jobs=2).build(out=root / "site")
        assert built.ok, [str(d) for d in built.diagnostics.items]
        on_disk = tree(root / "site")
        assert set(on_disk) == set(expected), (step, edit.__name__)
        for path in expected:
            assert on_disk[path] == expected[path], (step, edit.__name__, path)
        served = serving.build(out=None)
        assert dict(served.files) == expected, (step, edit.__name__)


def test_the_cache_is_used_and_unchanged_files_keep_their_inode(tmp_path):
    root = real_site_with_pages(tmp_path, 0)
    assert Project(root).build(out=root / "site").ok
    assert (root / ".explainer-cache/build.json").is_file()
    before = {p: p.stat().st_ino for p in (root / "site").rglob("*.html")}
    target = root / "content/pages/extra-2.md"
    target.write_text(target.read_text() + "\nOne more sentence.\n")
    project = Project(root)
    rendered = []
    original = project.renderer._render_page
    project.renderer._render_page = lambda page, *a: (
        rendered.append(page.path) or original(page, *a)
    )
    assert project.build(out=root / "site").ok
    assert rendered == ["extra-2/"]  # only the edited page was rendered
    after = {p: p.stat().st_ino for p in (root / "site").rglob("*.html")}
    changed = sorted(
        p.relative_to(root / "site").as_posix() for p in after if after[p] != before[p]
    )
    assert changed == ["extra-2/index.html"]


def test_a_broken_or_foreign_cache_file_is_ignored(tmp_path):
    root = real_site_with_pages(tmp_path, 0, pages=0)
    expected = clean_build(root)
    cache = root / ".explainer-cache/build.json"
    cache.parent.mkdir()
    for junk in ["{not json", "[]", '{"engine": 1}', '{"claims": {"x": [[1, 2, 3]]}}']:
        cache.write_text(junk)
        assert Project(root).build(out=root / "site").ok
        assert tree(root / "site") == expected


def test_work_spread_over_processes_gives_the_same_bytes(tmp_path, always_fork):
    root = real_site_with_pages(tmp_path, 5)
    alone = Project(root, jobs=1).build(out=None)
    spread = Project(root, jobs=3).build(out=None)
    assert alone.ok and dict(spread.files) == dict(alone.files)


def test_a_failing_share_is_redone_here_and_reported_as_usual(tmp_path, always_fork):
    root = real_site_with_pages(tmp_path, 0)
    page = root / "templates/page.html"
    page.write_text(
        page.read_text().replace("{{ markdown(doc) }}", "{{ markdown(doc) }}{{ nope.x }}")
    )
    result = Project(root, jobs=2).build(out=None)
    errors = [str(d) for d in result.diagnostics.errors]
    assert len(errors) == 1 and errors[0].startswith("templates/page.html:"), errors
    assert "'nope' is undefined" in errors[0]


def test_fork_map_keeps_order_and_survives_a_dying_child(always_fork):
    calls = []

    def work(share):
        calls.append(list(share))
        if os.getpid() != parent and 1 in share:
            os._exit(9)  # a child killed mid-share: its share is redone here
        return [x * 10 for x in share]

    parent = os.getpid()
    assert parallel.render_shares(work, list(range(10)), 3) == [x * 10 for x in range(10)]
    assert [1, 4, 7] in calls  # this process redid the dead child's share


def test_one_changed_file_is_renamed_into_place_and_the_rest_stay(tmp_path):
    root = real_site_with_pages(tmp_path, 0)
    assert Project(root).build(out=root / "site").ok
    site_inode = (root / "site").stat().st_ino
    target = root / "content/pages/extra-3.md"
    target.write_text(target.read_text() + "\nOne more sentence.\n")
    killed = tmp_path / "project/.site.tmp-killed"  # a killed build's folder, marked as ours
    killed.mkdir()
    (killed / MARKER).write_bytes(MARKER_TEXT)
    (killed / "file").write_text("a killed build's file")
    assert Project(root).build(out=root / "site").ok
    assert (root / "site").stat().st_ino == site_inode  # not swapped: one file replaced
    assert "One more sentence." in (root / "site/extra-3/index.html").read_text()
    assert sorted(p.name for p in root.glob(".site.*-*")) == []  # leftovers cleaned
    assert tree(root / "site") == clean_build(root)


@pytest.mark.parametrize("reach", ["doc.body", "doc['body']", "doc|attr('body')", "doc.tokens"])
def test_templates_cannot_show_a_body_except_through_markdown(tmp_path, reach):
    """Page keys leave other pages' bodies out, so no template may read a body directly."""
    root = real_site_with_pages(tmp_path, 0, pages=1)
    page = root / "templates/page.html"
    page.write_text(
        page.read_text().replace("{{ markdown(doc) }}", "{{ markdown(doc) }}{{ " + reach + " }}")
    )
    result = Project(root).build(out=None)
    assert not result.ok
    assert [d.pos.file for d in result.diagnostics.errors] == ["templates/page.html"]
