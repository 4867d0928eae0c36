"""Property-based tests: random content trees either build a safe site or fail cleanly.

"Cleanly" means exit 0 or 1 with diagnostics: never exit 70 (an internal error) and never
a traceback. A successful build must pass `safety.problems` on every page, and every
plain-text field must appear on its page escaped exactly once.

The default run is derandomized and short (a few seconds, the same examples every time,
so CI is reproducible). For a long random search:
    HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import make_project
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from safety import assert_safe_site, parse, template_tags

from explainer.build.pipeline import Project
from explainer.content.model import SOURCE_KINDS

settings.register_profile(
    "default",
    max_examples=25,
    deadline=5000,  # ms; one build takes ~50 ms, so only a hang or a blow-up can reach it
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", parent=settings.get_profile("default"), max_examples=2000, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# --- Strategies ---------------------------------------------------------------------------
#
# Each tree draws a level of chaos once: 0 gives content that should build (only the text
# is random), 1 spoils a field now and then, 2 spoils many. So some trees get past
# validation and reach rendering, and others probe every error path.

NASTY = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "</script><!--",
    "&amp;&lt;&#34;",
    "{{ 7*7 }}{% raw %}",
    "javascript:alert(1)",
    "[x]{src=report}",
    "::: quote q\n:::",
    "---",
    "\u2028\u202e\ufeff",
    "💥 Ünïcødé",
    "a\tb\nc",
]
CHAOS = [0, 0, 0, 1, 2]  # 0: should build; 1: a few spoilt fields; 2: many
SOURCE_IDS = ["report", "a", "b-2"]
ACTOR_IDS = ["minister", "a"]
QUOTE_IDS = ["q1", "q2"]
BAD_IDS = ["con", "../x", "A", "x" * 70, "", "nope"]
SAFE_URLS = ["https://example.org/a?b=1&c=\"'<>", "/rel/", "mailto:a@b.c", "#frag", "//x.example/"]
FULL_URLS = st.sampled_from(["https://example.org/a?b=1&c=\"'<>", "http://news.example/"])
BAD_URLS = ["javascript:alert(1)", " data:x", "JaVaScRiPt:x", "java\tscript:x", "vbscript:x"]

text = st.one_of(st.text(max_size=30), st.sampled_from(NASTY))
# Text a field may hold: not empty, no control characters or lone surrogates (refused).
printable = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029"),
    max_size=20,
)
shown_text = st.one_of(printable, st.sampled_from(NASTY)).filter(str.strip)
junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text,
              st.dates(), st.sampled_from(BAD_IDS + BAD_URLS)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))
urls = st.sampled_from(SAFE_URLS)


@st.composite
def item(draw, chaos: int, required: tuple = (), **fields):
    """A mapping of `fields`: optional ones present or not, each value plausible or (with
    chaos) any YAML value, a required one now and then missing, a typo'd field now and then."""
    spoil = lambda odds: chaos and draw(st.integers(0, odds)) == 0  # noqa: E731
    data = {}
    for name, valid in fields.items():
        if (name in required and not spoil(10)) or draw(st.booleans()):
            data[name] = draw(junk) if spoil(4 if chaos > 1 else 20) else draw(valid)
    if spoil(10):
        data[draw(text)] = draw(junk)
    return data


@st.composite
def source(draw, chaos: int, sid: str):
    """A source. With chaos, any mix of fields; without, one the sourcing rules accept: a
    news report names its outlet, an unnamed source says how its people know and how many
    they are, in wording that agrees with the count."""
    fields = dict(
        id=st.just(sid), kind=st.sampled_from(SOURCE_KINDS), label=shown_text,
        description=shown_text, outlet=shown_text, title=shown_text, date=dates, url=urls,
        count=st.integers(1, 9), actor=ref(ACTOR_IDS, chaos), via=ref(SOURCE_IDS, chaos),
        note=shown_text,
    )  # fmt: skip
    if chaos:
        return draw(item(chaos, ("id", "kind", "label", "description"), **fields))
    data = draw(item(0, ("id", "kind", "label", "description", "outlet"), **fields))
    if data["kind"] == "anonymous":
        who, count = draw(st.sampled_from(UNNAMED))
        data["description"] = f"{who} ({draw(shown_text)})"
        data.pop("count", None)
        if count is not None:
            data["count"] = count
    return data


# Unnamed sources that say how they know, with a count that agrees with the wording.
UNNAMED = [
    ("people familiar with the talks", 3),
    ("officials briefed on the draft", None),
    ("a senior official involved in the negotiations", 1),
]


def refs(pool: list[str], chaos: int):
    return st.lists(st.sampled_from(pool + (BAD_IDS if chaos else [])), min_size=1, max_size=3)


def ref(pool: list[str], chaos: int):
    return st.sampled_from(pool + (BAD_IDS if chaos else []))


@st.composite
def content_tree(draw) -> dict[str, str]:
    """content/ as {relative path: text}: every YAML file and some Markdown files."""
    chaos = draw(st.sampled_from(CHAOS))
    # A person's page is elsewhere: without chaos, a full address (a relative one is refused).
    person = item(chaos, ("name",), name=shown_text, url=urls if chaos else FULL_URLS)
    site = item(
        chaos, ("title", "summary", "description", "publisher", "authors", "published"),
        title=shown_text, summary=shown_text, description=shown_text, publisher=person,
        authors=st.lists(person, max_size=2), published=dates, updated=dates, kicker=shown_text,
        url=st.sampled_from(["https://example.org/", "https://example.org/m/"]),
        scope_note=shown_text,
        language=st.just("en"),
    )  # fmt: skip
    sources = [draw(source(chaos, sid)) for sid in SOURCE_IDS]
    actors = [
        draw(item(
            chaos, ("id", "name", "role", "stance"), id=st.just(aid), name=shown_text,
            role=shown_text, stance=shown_text, affiliation=shown_text, country=shown_text,
            named=st.booleans(), bio=shown_text,
        ))
        for aid in ACTOR_IDS
    ]  # fmt: skip
    quotes = [
        draw(item(
            chaos, ("id", "speaker", "text", "sources"), id=st.just(qid),
            speaker=ref(ACTOR_IDS, chaos), text=shown_text, sources=refs(SOURCE_IDS, chaos),
            context=shown_text, date=dates, place=shown_text, key=st.booleans(),
        ))
        for qid in QUOTE_IDS
    ]  # fmt: skip
    row = item(chaos, ("label", "value", "sources"), label=shown_text, value=shown_text,
               sources=refs(SOURCE_IDS, chaos))  # fmt: skip
    event = item(chaos, ("date", "title", "sources"), date=dates, title=shown_text,
                 sources=refs(SOURCE_IDS, chaos), text=shown_text)  # fmt: skip
    files = {
        "site.yaml": dump(draw(site)),
        "sources.yaml": dump(sources),
        "actors.yaml": dump(actors),
        "quotes.yaml": dump(quotes),
        "factbox.yaml": dump(draw(item(chaos, ("rows",), title=shown_text, as_of=dates,
                                       rows=st.lists(row, max_size=3)))),
        "timeline.yaml": dump(draw(st.lists(event, min_size=1, max_size=3))),
    }  # fmt: skip
    front = item(chaos, ("title",), title=shown_text, order=st.integers(-5, 5),
                 summary=shown_text, draft=st.just(False))  # fmt: skip
    slugs = ["01-one", "two", "3-three"] + (["con", "sources", "Bad Name", "ä"] if chaos else [])
    for folder in ("sections", "pages"):
        for slug in draw(st.lists(st.sampled_from(slugs), max_size=2, unique=True)):
            body = draw(markdown(chaos))
            files[f"{folder}/{slug}.md"] = f"---\n{dump(draw(front))}---\n{body}\n"
    if chaos > 1 and draw(st.booleans()):
        files[draw(st.sampled_from(sorted(files)))] = draw(st.text(max_size=200))  # not YAML
    return chaos, files


def markdown(chaos: int, sources=SOURCE_IDS, quotes=QUOTE_IDS):
    """Markdown with annotations of `sources`, embeds of `quotes`, links and markup-like text.
    Without chaos, no NUL (refused) and no text that spells an embed of a missing quote."""
    words = text if chaos else text.filter(lambda s: ":::" not in s and "\x00" not in s)
    inline = st.one_of(
        words,
        st.builds("[{}]{{src={}}}".format, shown_text, ref(sources, chaos)),
        st.builds('[{}]{{src="{} {}"}}'.format, shown_text, *[ref(sources, chaos)] * 2),
        st.builds("[{}]({})".format, words, st.sampled_from(SAFE_URLS + BAD_URLS)),
        st.builds("![{}]({})".format, words, st.sampled_from(SAFE_URLS + BAD_URLS)),
        st.sampled_from(["*em*", "**b**", "`<code>`", "<b onclick=x>", "&#106;", "\\", "[", "]{"]),
    )
    block = st.one_of(
        st.lists(inline, min_size=1, max_size=6).map(" ".join),
        st.builds("::: quote {}\n:::".format, ref(quotes, chaos)),
        st.builds("> {}".format, words),
        st.builds("- {}\n- {}".format, words, words),
        st.builds("# {}".format, words),
        st.integers(1, 25 if chaos else 5).map(lambda n: "> " * n + "deep"),
    )
    return st.lists(block, max_size=6).map("\n\n".join)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))


# --- Helpers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One project whose content/ each example replaces (copying templates is the slow part)."""
    return make_project(tmp_path_factory.mktemp("prop"))


@pytest.fixture(scope="module")
def explainer_project(workdir: Path) -> Project:
    """One long-lived Project, as the dev server keeps one: a third of the CLI's time."""
    return Project(workdir)


@pytest.fixture(scope="module")
def allowed_tags(workdir: Path) -> set[str]:
    assert run_cli(workdir, "build").code == 0
    tags = template_tags(workdir / "site")
    shutil.rmtree(workdir / "site")
    return tags


def build(project: Project, files: dict[str, str | bytes], must_build: bool = False) -> bool:
    """Build `files` as content/; True when the site was built (`must_build`: or fail).

    The CLI turns any exception escaping `Project.build` into exit 70 (and prints a
    traceback only under EXPLAINER_DEBUG), so "no exception here" is "exit 0 or 1".
    """
    root = project.root
    shutil.rmtree(root / "content")
    for rel, data in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    result = project.build(out=root / "site")
    assert result.ok or not must_build, "\n".join(map(str, result.diagnostics.errors))
    for d in result.diagnostics.errors:  # each error names a file (and usually its line)
        assert d.pos.file and d.message, d
    return result.ok


# --- Properties ---------------------------------------------------------------------------


def test_random_content_trees_build_or_fail_cleanly(explainer_project, allowed_tags):
    """Trees without chaos must build, so `assert_safe_site` really runs on random sites.

    It failed before: every tree broke a sourcing rule (a report without an outlet, an
    unnamed source without a basis), so 0 of 25 built and the safety check never ran.
    """
    built = []

    @given(tree=content_tree())
    def check(tree):
        chaos, files = tree
        ok = build(explainer_project, files, must_build=chaos == 0)
        if ok:
            assert_safe_site(explainer_project.root / "site", allowed_tags)
        built.append(ok)

    check()
    assert sum(built) >= len(built) // 3, f"only {sum(built)} of {len(built)} trees built"


@given(
    body=markdown(0, ["report", "two-people", "minister"], ["we-talk"]),
    front=st.sampled_from(["title: Random", "title: R\nsummary: <i>"]),
)
def test_random_markdown_with_annotations_is_safe(explainer_project, allowed_tags, body, front):
    base = make_project_files()
    base["pages/random.md"] = f"---\n{front}\n---\n{body}\n"
    if build(explainer_project, base):
        assert_safe_site(explainer_project.root / "site", allowed_tags)


@given(
    name=st.sampled_from(["site.yaml", "sources.yaml", "factbox.yaml", "sections/01-offer.md"]),
    data=st.one_of(st.binary(max_size=300), st.text(max_size=300)),
)
def test_any_bytes_in_a_content_file_fail_cleanly(explainer_project, allowed_tags, name, data):
    files = make_project_files()
    files[name] = data
    if build(explainer_project, files):
        assert_safe_site(explainer_project.root / "site", allowed_tags)


# Text fields shown as they are (not Markdown), and the page that shows each. The site
# summary and actors' stance and bio are inline Markdown (`test_markdown_fields_…`).
SHOWN_ON = {
    ("site", "title"): "index.html",
    ("site", "description"): "index.html",
    ("site", "kicker"): "index.html",
    ("site", "scope_note"): "index.html",
    ("publisher", "name"): "index.html",
    ("author", "name"): "index.html",
    ("source", "label"): "sources/index.html",
    ("source", "description"): "sources/index.html",
    ("source", "outlet"): "sources/index.html",
    ("source", "title"): "sources/index.html",
    ("source", "note"): "sources/index.html",
    ("actor", "name"): "actors/minister/index.html",
    ("actor", "role"): "actors/minister/index.html",
    ("actor", "affiliation"): "actors/minister/index.html",
    ("actor", "country"): "actors/minister/index.html",
    ("quote", "text"): "quotes/index.html",
    ("quote", "context"): "quotes/index.html",
    ("quote", "place"): "quotes/index.html",
    ("factbox", "title"): "index.html",
    ("row", "label"): "index.html",
    ("event", "title"): "index.html",
    ("event", "text"): "index.html",
    ("page", "title"): "about/index.html",
    ("page", "summary"): "about/index.html",
    ("section", "title"): "index.html",
    ("section", "summary"): "index.html",
}


@given(values=st.fixed_dictionaries({key: shown_text for key in SHOWN_ON}))
def test_text_fields_appear_escaped_exactly_once(explainer_project, values):
    # A unique prefix per field: one field's escaped text can never be another's raw text.
    v = {key: f"F{n}·{value}" for n, (key, value) in enumerate(values.items())}
    files = {
        "site.yaml": dump({
            "title": v["site", "title"], "summary": "[Summary]{src=report}.",
            "description": v["site", "description"], "kicker": v["site", "kicker"],
            "scope_note": v["site", "scope_note"], "publisher": {"name": v["publisher", "name"]},
            "authors": [{"name": v["author", "name"]}], "published": dt.date(2025, 2, 16),
        }),
        "sources.yaml": dump([{
            "id": "report", "kind": "report", "label": v["source", "label"],
            "description": v["source", "description"], "outlet": v["source", "outlet"],
            "title": v["source", "title"], "note": v["source", "note"],
        }]),
        "actors.yaml": dump([{
            "id": "minister", "name": v["actor", "name"], "role": v["actor", "role"],
            "stance": "[Stance]{src=report}.", "affiliation": v["actor", "affiliation"],
            "country": v["actor", "country"],
        }]),
        "quotes.yaml": dump([{
            "id": "q", "speaker": "minister", "text": v["quote", "text"], "sources": ["report"],
            "context": v["quote", "context"], "place": v["quote", "place"],
        }]),
        "factbox.yaml": dump({
            "title": v["factbox", "title"],
            "rows": [{"label": v["row", "label"], "value": "plain", "sources": ["report"]}],
        }),
        "timeline.yaml": dump([{
            "date": dt.date(2025, 2, 12), "title": v["event", "title"], "text": v["event", "text"],
            "sources": ["report"],
        }]),
        "pages/about.md": "---\n" + dump({"title": v["page", "title"],
                                          "summary": v["page", "summary"]}) + "---\nBody.\n",
        "sections/01-s.md": "---\n" + dump({"title": v["section", "title"],
                                            "summary": v["section", "summary"]}) + "---\nBody.\n",
    }  # fmt: skip
    assert build(explainer_project, files)
    pages: dict[str, tuple[str, str]] = {}
    for key, page in SHOWN_ON.items():
        if page not in pages:
            html = (explainer_project.root / "site" / page).read_text(encoding="utf-8")
            pages[page] = (html, parse(html).values())
        html, decoded = pages[page]
        value = v[key]
        assert str(escape(value)) in html, f"{key} not escaped as expected on {page}"
        assert value in decoded, f"{key} does not read back as written on {page}"
        twice = str(escape(str(escape(value))))
        # the "Embed this" code shows HTML as text: there an attribute's value is rightly
        # escaped once as HTML and once more as text
        shown = re.sub(r'<pre class="embed-code__snippet".*?</pre>', "", html, flags=re.S)
        assert twice == str(escape(value)) or twice not in shown, f"{key} escaped twice on {page}"


def make_project_files() -> dict[str, str]:
    """The minimal fixture's content, as {relative path: text}."""
    fixture = Path(__file__).parent / "fixtures" / "minimal" / "content"
    return {
        p.relative_to(fixture).as_posix(): p.read_text(encoding="utf-8")
        for p in fixture.rglob("*")
        if p.is_file()
    }
