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

from explainer.build import workers
from explainer.build.pipeline import Project
from explainer.build.write import MARKER, MARKER_TEXT
from explainer.site.render import Site

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


def translate_page(page: Path) -> None:
    """A Ukrainian translation of an extra page: other words, the same annotations."""
    text = page.read_text().replace("title: Extra page", "title: Додаткова сторінка")
    text = re.sub(r"nav_title: Extra", "nav_title: Додаткова", text)
    text = text.replace("Paragraph", "Абзац").replace("A claim number", "Твердження номер")
    page.with_name(page.stem + ".uk.md").write_text(text)


def real_site_with_pages(tmp_path: Path, seed: int, pages: int = PAGES) -> Path:
    """The real content and templates plus `pages` annotated free-standing pages, in
    English and Ukrainian (a translation of some of it: the rest falls back)."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(THEME, root / "templates")
    rng = random.Random(seed)
    for n in range(pages):
        add_page(root, n, rng)
        if n % 2:
            translate_page(root / f"content/pages/extra-{n}.md")
    site = root / "content/site.yaml"
    if "languages:" not in site.read_text():
        site.write_text(re.sub(r"(?m)^language: en\n", "languages: [en, uk]\n", site.read_text()))
    quotes = root / "content/quotes.uk.yaml"
    if not quotes.exists():
        quotes.write_text(
            "- id: zelenskyy-still-in-discussions\n  of: 00000000\n"
            '  text: "Ми все ще обговорюємо"\n  context: "Переклад контексту."\n'
        )
    return root


def pages(root: Path) -> list[Path]:
    """The extra pages in English (their translations are `translated_pages`)."""
    return sorted(p for p in (root / "content/pages").glob("extra-*.md") if ".uk." not in p.name)


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


SNIPPETS = [
    "<p>{{ site.scope_note }}</p>",
    "<p>{{ (content.pages | last).title }}</p>",
    "<p>{{ content.sources | map(attribute='description') | join(' ') }}</p>",
    "<p>{{ content.claims | length }} claims</p>",
    "<p>{{ (content.pages | first).body | wordcount }}</p>",
    "<p>{{ content.quotes | map(attribute='context') | first }}</p>",
    "<p>{% for c in content.corrections_for('explainer') %}{{ c.text }}{% endfor %}</p>",
    "<p>{{ t.how_we_know }} {{ t.date_format }}</p>",
]


def edit_template_reading_new_fields(root, rng, n):
    """Templates may read anything public: the pages that do must follow those reads."""
    name = rng.choice(["home.html", "page.html", "actor.html", "sources.html"])
    sub(
        root / "templates" / name,
        r"\{% block content %\}",
        "{% block content %}" + rng.choice(SNIPPETS),
    )


def edit_source_description(root, rng, n):
    sub(
        root / "content/sources.yaml",
        r"description: ([A-Za-z][^\n\"]*)\n",  # an unquoted one
        rf"description: \1 (v{n})\n",
    )


def edit_strings(root, rng, n):
    sub(root / "templates/strings/en.yaml", r"(\nnav_\w+: )(\w)", rf"\1Edited {n} \2")


def edit_css(root, rng, n):
    path = root / "templates/static/style.css"
    path.write_text(path.read_text() + f"\n/* {n} */\n")


def add_or_remove_page(root, rng, n):
    existing = pages(root)
    if len(existing) > 2 and rng.random() < 0.5:
        page = rng.choice(existing)
        page.unlink()
        page.with_name(page.stem + ".uk.md").unlink(missing_ok=True)  # else an orphan
    else:
        add_page(root, 100 + n, rng)


def translated_pages(root: Path) -> list[Path]:
    return sorted((root / "content/pages").glob("extra-*.uk.md"))


def edit_translated_page(root, rng, n):
    found = translated_pages(root)
    if not found:
        return translate_page(rng.choice(pages(root)))
    page = rng.choice(found)
    sub(page, r"Твердження номер", f"Твердження (правка {n}) номер")


def add_or_remove_translation(root, rng, n):
    found = translated_pages(root)
    if found and rng.random() < 0.5:
        rng.choice(found).unlink()
    else:
        translate_page(rng.choice(pages(root)))


def edit_translated_quote(root, rng, n):
    sub(root / "content/quotes.uk.yaml", r'text: "([^"\n]*)"', rf'text: "\1 {n}"')


def edit_translation_stamp(root, rng, n):
    sub(root / "content/quotes.uk.yaml", r"of: ([0-9a-f]{8})", f"of: {n:08x}")


def edit_ukrainian_strings(root, rng, n):
    sub(root / "templates/strings/uk.yaml", r"(\nnav_\w+: )(\w)", rf"\1Правка {n} \2")


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
    edit_template_reading_new_fields,
    edit_source_description,
    edit_strings,
    edit_css,
    add_or_remove_page,
    edit_translated_page,
    add_or_remove_translation,
    edit_translated_quote,
    edit_translation_stamp,
    edit_ukrainian_strings,
    touch_nothing,
]


SEEDS = (1, 2, 3)
STEPS = 8  # edits per seed


def edit_plan(seed: int) -> list:
    """A seed's edits: its share of one shuffled round of every kind (so the seeds
    together make each kind at least once), in an order of its own, topped up at random."""
    shares = random.Random(0).sample(EDITS, len(EDITS))[seed - 1 :: len(SEEDS)]
    rng = random.Random(seed)
    plan = shares + [rng.choice(EDITS) for _ in range(STEPS - len(shares))]
    rng.shuffle(plan)
    return plan


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
    monkeypatch.setattr(workers, "MIN_ITEMS", 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_edit_sequences_build_exactly_what_a_clean_build_does(tmp_path, seed, always_fork):
    root = real_site_with_pages(tmp_path, seed)
    rng = random.Random(seed)
    serving = Project(root)  # long-lived, as under `serve`
    for step, edit in enumerate(edit_plan(seed)):
        edit(root, rng, step)
        expected = clean_build(root)
        # A new process's view: the disk cache, and pages parsed and rendered in 2 processes.
        built = Project(root, jobs=2).build(out=root / "site")
        assert built.ok, [str(d) for d in built.diagnostics.items]
        if edit is touch_nothing:  # the same text: every page's reads answer the same
            assert built.rendered == 0, step
        on_disk = tree(root / "site")
        assert set(on_disk) == set(expected), (step, edit.__name__)
        for path in expected:
            assert on_disk[path] == expected[path], (step, edit.__name__, path)
        served = serving.build(out=None)
        assert dict(served.files) == expected, (step, edit.__name__)


def test_the_cache_is_used_and_unchanged_files_keep_their_inode(tmp_path, monkeypatch):
    root = real_site_with_pages(tmp_path, 0)
    assert Project(root).build(out=root / "site").ok
    assert (root / ".explainer-cache/memo").is_file()
    before = {p: p.stat().st_ino for p in (root / "site").rglob("*.html")}
    target = root / "content/pages/extra-2.md"
    target.write_text(target.read_text() + "\nOne more sentence.\n")
    rendered = []
    original = Site.render_page
    monkeypatch.setattr(
        Site,
        "render_page",
        lambda site, page, *a: rendered.append(page.path) or original(site, page, *a),
    )
    assert Project(root).build(out=root / "site").ok
    # Only the edited page was rendered, in English and in Ukrainian (it has no
    # translation: the Ukrainian page shows the English text, marked lang="en").
    assert rendered == ["extra-2/", "extra-2/"]
    assert (root / ".explainer-cache/memo-uk").is_file()  # each language has its own
    after = {p: p.stat().st_ino for p in (root / "site").rglob("*.html")}
    changed = sorted(
        p.relative_to(root / "site").as_posix() for p in after if after[p] != before[p]
    )
    assert changed == ["extra-2/index.html", "uk/extra-2/index.html"]


def test_a_broken_or_foreign_cache_file_is_ignored(tmp_path):
    root = real_site_with_pages(tmp_path, 0, pages=0)
    expected = clean_build(root)
    cache = root / ".explainer-cache/memo"
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


def test_a_team_keeps_order_and_survives_a_dying_child():
    """Phase 1 gives every process all results in order; a child that dies mid-phase has
    its share redone here; phase 2 puts results back in item order."""
    parent = os.getpid()

    def parse(x):
        if os.getpid() != parent and x == 1:
            os._exit(9)  # a child killed mid-share
        return x * 10

    def render(key):
        return ("rendered", key, os.getpid() != parent)

    items = list(range(10))
    team = workers.Team.fork(
        3, workers.Plan(render=render, parse=parse, link=lambda r: None), items
    )
    assert team is not None
    assert team.all(parse) == [x * 10 for x in items]
    assert 1 not in team.children  # the dead child was dismissed
    results = team.gather(lambda k: render(k), items, key=lambda x: x, owner=lambda x: None)
    assert [r[1] for r in results] == items
    assert any(r[2] for r in results)  # the living child did its share
    team.stop()


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


@pytest.mark.parametrize(
    "reach", ["doc.tokens", "doc.pos", "doc['field_pos']", "doc|attr('body_line')", "doc._x"]
)
def test_templates_see_only_public_fields(tmp_path, reach):
    """Internal fields reach no template: `doc.share` printed -1 with one job and 0 with two,
    and `doc.digest` survived an incremental build stale (failed on 77dc05f: both rendered)."""
    root = real_site_with_pages(tmp_path, 0, pages=1)
    page = root / "templates/page.html"
    page.write_text(
        page.read_text().replace("{{ markdown(doc) }}", "{{ markdown(doc) }}{{ " + reach + " }}")
    )
    result = Project(root).build(out=None)
    assert not result.ok
    assert [d.pos.file for d in result.diagnostics.errors] == ["templates/page.html"]


@pytest.mark.parametrize(
    "mutation", ["site.authors.append(1)", "content.sources.pop()", "site.rules.update(a=1)"]
)
def test_templates_cannot_change_the_content(tmp_path, mutation):
    """`{{ site.authors.append(1) }}` changed the content and then exited 70 (77dc05f)."""
    root = real_site_with_pages(tmp_path, 0, pages=0)
    home = root / "templates/home.html"
    line = home.read_text().splitlines().index("{% block content %}") + 1
    home.write_text(
        home.read_text().replace(
            "{% block content %}", "{% block content %}{{ " + mutation + " }}", 1
        )
    )
    result = Project(root).build(out=None)
    errors = [str(d) for d in result.diagnostics.errors]
    assert len(errors) == 1 and errors[0].startswith(
        f"templates/home.html:{line}: error: template error:"
    ), errors


def test_a_template_may_show_another_pages_body_and_stays_right(tmp_path):
    """Page bodies were hidden from templates so hand-made page keys stayed right; with
    recorded reads, any page may show any body, and an edit re-renders exactly those."""
    root = real_site_with_pages(tmp_path, 0, pages=3)
    home = root / "templates/home.html"
    home.write_text(
        home.read_text().replace(
            "{% block content %}",
            "{% block content %}{% for d in content.pages %}<p>{{ d.body | length }}</p>{% endfor %}",
            1,
        )
    )
    assert Project(root).build(out=root / "site").ok
    target = root / "content/pages/extra-1.md"
    target.write_text(target.read_text() + "\nA longer body now.\n")
    assert Project(root).build(out=root / "site").ok
    assert tree(root / "site") == clean_build(root)


def test_the_seeds_make_every_kind_of_edit():
    assert {e for seed in SEEDS for e in edit_plan(seed)} == set(EDITS)
    assert all(len(edit_plan(seed)) == STEPS for seed in SEEDS)


def test_a_whole_claim_is_probed_as_the_general_way_would():
    """`Probes.whole_claim` makes a claim's probe value directly, for speed: it must be
    exactly the general `plain` of every field and property (a field added to Claim and
    not to the fast way would otherwise go unseen, and pages showing it would go stale)."""
    from explainer.build import deps
    from explainer.content.load import load
    from explainer.content.markdown import make_markdown
    from explainer.content.model import Claim
    from explainer.content.resolve import resolve
    from explainer.content.schema import validate
    from explainer.diagnostics import Diagnostics

    diags = Diagnostics()
    content = validate(load(REPO, diags), diags, False)
    resolve(content, make_markdown(), diags)
    assert not diags.errors
    probes = deps.Probes(deps.Model(content, {}), {})
    claims = content.claims
    assert {c.status for c in claims} == {"on-record", "reported", "unnamed"}
    claims[0].sources = [s for c in claims for s in c.sources]  # every kind: mixed
    claims[1].disputed = True
    for claim in claims:
        general = probes.plain([getattr(claim, name) for name in deps._whole(Claim)])
        assert probes.whole_claim(claim) == general, claim.anchor
        assert deps._digest(probes.whole_claim(claim)) == deps._digest(general), claim.anchor


def test_a_digest_is_of_the_value_not_of_how_its_objects_are_shared():
    """Probe values are packed with marshal's format 2. Its later formats refer back to an
    object met twice, so the same value made of one shared text or of two equal texts
    would pack differently, and pages would be rendered again for nothing."""
    from explainer.build import deps

    shared = "a claim's text " * 4
    equal = "".join(["a claim's text "] * 4)
    assert shared == equal and shared is not equal
    assert deps._digest([shared, shared]) == deps._digest([shared, equal])
    assert deps._digest([True]) != deps._digest([1])  # types stay apart, as in `repr`
    assert deps._digest(["1"]) != deps._digest([1])
    assert deps._digest(("@", "x")) != deps._digest(["@", "x"])
    assert deps._digest("text") != deps._digest_text("text")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_build_writes_its_pages_as_it_renders_them(tmp_path, always_fork, jobs):
    """A 4,000-page build held every page's bytes until the write stage (116 MB, the
    build's peak memory above Hugo's), and re-read every unchanged page from the last
    site. Pages now go to the next site's folder as they are rendered, by whichever
    process renders them, and an unchanged page is linked from the last site unread: the
    output holds markers, never their bytes, and the site is a clean build's. (A
    translation's pages are rendered before the original's and still held.)"""
    from explainer.build.write import KEPT, STAGED

    root = real_site_with_pages(tmp_path, 1)
    first = Project(root, jobs=jobs).build(out=root / "site")
    assert first.ok
    assert first.files["index.html"] is STAGED
    original = [p for p in first.files if p.endswith(".html") and not p.startswith("uk/")]
    assert all(first.files[p] is STAGED for p in original)  # (a translation's are not)
    assert tree(root / "site") == clean_build(root)
    assert sorted(p.name for p in root.glob(".site.*-*")) == []  # the staging folder is site/

    target = root / "content/pages/extra-2.md"
    target.write_text(target.read_text() + "\nOne more sentence.\n")
    second = Project(root, jobs=jobs).build(out=root / "site")
    assert second.ok and second.rendered == 1  # (the original's pages: the count shown)
    assert second.files["index.html"] is KEPT
    assert tree(root / "site") == clean_build(root)


def test_a_build_that_fails_after_staging_pages_leaves_the_last_site_alone(tmp_path, always_fork):
    """The staging folder is removed when the build fails after its pages were written
    there (here, in the hosting files' template, rendered after every page)."""
    root = real_site_with_pages(tmp_path, 0)
    assert Project(root, jobs=2).build(out=root / "site").ok
    before = tree(root / "site")
    set_title = root / "content/site.yaml"  # every page changes: all are staged
    set_title.write_text(set_title.read_text().replace('title: "', 'title: "Now: ', 1))
    headers = root / "templates/headers.txt"
    headers.write_text(headers.read_text() + "{{ nope.x }}\n")
    result = Project(root, jobs=2).build(out=root / "site")
    assert not result.ok
    assert [str(d) for d in result.diagnostics.errors][0].startswith("templates/headers.txt:")
    assert tree(root / "site") == before
    assert sorted(p.name for p in root.glob(".site.*-*")) == []


def test_a_large_build_that_changes_nothing_leaves_the_site_alone(tmp_path, always_fork):
    """With the memo gone every page is rendered again, into the staging folder: each is
    linked there from the last site (the same bytes), and since nothing changed, site/
    itself is left as it was instead of being swapped for an equal copy."""
    import shutil as sh

    from explainer.build.write import LINKED

    root = real_site_with_pages(tmp_path, 2)
    assert Project(root, jobs=2).build(out=root / "site").ok
    site_inode = (root / "site").stat().st_ino
    files = {p: p.stat().st_ino for p in (root / "site").rglob("*") if p.is_file()}
    sh.rmtree(root / ".explainer-cache")
    again = Project(root, jobs=2).build(out=root / "site")
    assert again.ok and again.rendered == again.total
    assert again.files["index.html"] is LINKED
    assert (root / "site").stat().st_ino == site_inode
    assert {p: p.stat().st_ino for p in files} == files
    assert sorted(p.name for p in root.glob(".site.*-*")) == []


def test_a_fifo_or_link_in_the_last_site_does_not_hang_or_leak_into_a_large_build(
    tmp_path, always_fork
):
    """The staging folder compares each page with the last site's file of the same name,
    to link it when equal. That file is opened without following a link and without
    blocking: a FIFO planted in site/ hung the comparison's first version (open blocks
    until a writer comes), and a link to a file outside must never be linked into the
    new site."""
    import threading

    root = real_site_with_pages(tmp_path, 3)
    assert Project(root, jobs=2).build(out=root / "site").ok
    page = root / "site/extra-1/index.html"
    outside = tmp_path / "outside.html"
    outside.write_bytes(page.read_bytes())  # the very bytes the page will have
    page.unlink()
    page.symlink_to(outside)
    fifo = root / "site/extra-2/index.html"
    fifo.unlink()
    os.mkfifo(fifo)
    (root / ".explainer-cache").rename(tmp_path / "old-cache")  # every page rendered again
    done = []
    build = threading.Thread(
        target=lambda: done.append(Project(root, jobs=2).build(out=root / "site")), daemon=True
    )
    build.start()
    build.join(60)
    assert done and done[0].ok, "the build hung on a FIFO in the last site"
    new = root / "site/extra-1/index.html"
    assert not new.is_symlink() and new.stat().st_ino != outside.stat().st_ino
    assert tree(root / "site") == clean_build(root)


def test_a_claim_read_field_by_field_is_one_whole_probe():
    """A page reads a claim's text, sources, status… one by one; they must make one probe
    of the whole claim (per-field probes of 48,000 claims made a worker's records a
    quarter of its memory, and a first version of the faster lookup missed the fields
    that have no default, which are not class attributes)."""
    from explainer.build import deps
    from explainer.content.load import load
    from explainer.content.markdown import make_markdown
    from explainer.content.resolve import resolve
    from explainer.content.schema import validate
    from explainer.diagnostics import Diagnostics

    diags = Diagnostics()
    content = validate(load(REPO, diags), diags, False)
    resolve(content, make_markdown(), diags)
    probes = deps.Probes(deps.Model(content, {}), {})
    claim, source = content.claims[0], content.sources[0]
    reads = {(claim, "text"), (claim, "anchor"), (claim, "sources"), (claim, "status")}
    reads |= {(source, "label"), (source, "cited_by")}
    found = sorted(probe for probe, _ in probes.record(reads))
    key = f"claim:{claim.page}#{claim.anchor}"
    assert found == sorted(
        [
            ("a", key, "*"),
            ("a", f"source:{source.id}", "*"),
            ("a", f"source:{source.id}", "cited_by"),
        ]
    )
