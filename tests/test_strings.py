"""Interface strings: the built-in theme is story-neutral; a story's wording is in site.yaml."""

from __future__ import annotations

import re

import yaml
from conftest import REPO, THEME
from helpers import run_cli, write

# Words that tie a string to one story, outlet or kind of source.
STORY_WORDS = re.compile(
    r"\b(the report|talks|minerals?|Ukraine|Financial Times|FT|the outlet)\b", re.IGNORECASE
)


def _texts(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    else:
        yield str(value)


def test_builtin_strings_assume_no_story():
    """Before, the theme said "Key dates in the talks, as the report places them", "Not named
    in the report" and "Every direct quote in the report" on every explainer."""
    strings = yaml.safe_load((THEME / "strings/en.yaml").read_text(encoding="utf-8"))
    leaks = [t for t in _texts(strings) if STORY_WORDS.search(t)]
    assert leaks == []


def test_builtin_templates_assume_no_story():
    for path in THEME.rglob("*"):
        if path.suffix in (".html", ".xml", ".txt", ".yaml") and "strings" not in path.parts:
            text = path.read_text(encoding="utf-8")
            assert not STORY_WORDS.search(text), path


def test_real_site_keeps_its_wording_through_overrides():
    site = yaml.safe_load((REPO / "content/site.yaml").read_text(encoding="utf-8"))
    assert site["strings"]["unnamed"] == "Not named in the text as supplied"


def test_a_story_overrides_strings_in_site_yaml(project, tmp_path):
    with (project / "content/site.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "strings:\n"
            "  unnamed: Not named by the Gazette\n"
            "  kind: {report: Gazette report}\n"
            "  people_count: '{n} council staff'\n"
        )
    out = tmp_path / "out"
    result = run_cli(project, "build", "--out", str(out))
    assert result.code == 0, result.err
    actor = (out / "actors/official/index.html").read_text(encoding="utf-8")
    assert "Not named by the Gazette" in actor
    sources = (out / "sources/index.html").read_text(encoding="utf-8")
    assert "Gazette report" in sources
    assert "2 council staff" in sources
    assert "Unnamed sources" in sources  # the other kinds keep the theme's words


def test_string_overrides_are_checked(project):
    write(
        project,
        "content/site.yaml",
        (project / "content/site.yaml").read_text(encoding="utf-8") + "strings:\n"
        "  unamed: Not named\n"
        "  timeline_intro: 3\n"
        "  kind: {on-recrd: x}\n"
        "  status: nope\n"
        "  people_count: '{count} people'\n"
        "  date_format: '{day} {month}'\n"
        "  cited_on: '{n.__class__}'\n",
    )
    result = run_cli(project, "check")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert errors == [
        "content/site.yaml:11:3: error: unknown interface string 'unamed' in strings: "
        "(did you mean 'unnamed'?)",
        "content/site.yaml:12:3: error: interface string 'timeline_intro' must be text, "
        "got the number 3 (put it in quotes to make it text)",
        "content/site.yaml:13:3: error: unknown interface string 'kind.on-recrd' in strings: "
        "(did you mean 'kind.on-record'?)",
        "content/site.yaml:14:3: error: interface string 'status' must be a mapping of "
        "on-record, on-record+reported, reported, on-record+unnamed, on-record+reported+unnamed, "
        "reported+unnamed, unnamed, disputed, got the text 'nope'",
        "content/site.yaml:15:3: error: interface string 'people_count' may use only the "
        "placeholders of the theme's text ({n})",
        "content/site.yaml:16:3: error: interface string date_format must be a date pattern of "
        "d (day), M (month), y (year) and E (weekday), with other words in 'quotes', such as "
        '"d MMMM y"',
        "content/site.yaml:17:3: error: interface string 'cited_on' may use only the "
        "placeholders of the theme's text ({n})",
    ]
