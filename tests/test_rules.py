"""Sourcing rules: each one passes on sound content and reports exactly what is wrong."""

from __future__ import annotations

import pytest
from helpers import run_cli, write
from test_errors import replace


def check(root, *args):
    result = run_cli(root, "check", *args)
    assert "Traceback" not in result.err
    return result


def add_source(root, text):
    path = root / "content/sources.yaml"
    path.write_text(path.read_text() + text, encoding="utf-8")


def findings(result, rule):
    return [line for line in result.err.splitlines() if line.endswith(f"[{rule}]")]


def test_fixture_passes_every_error_rule(project):
    result = check(project)
    assert result.code == 0
    assert not [line for line in result.err.splitlines() if ": error: " in line]


def test_fact_unsourced(project):
    replace(project, "content/factbox.yaml", "sources: [report]", "sources: []")
    result = check(project)
    assert result.code == 1
    assert findings(result, "fact-unsourced") == [
        "content/factbox.yaml:6:5: error: fact-box row 'Status' cites no source [fact-unsourced]"
    ]


def test_quote_unsourced(project):
    replace(project, "content/quotes.yaml", "sources: [minister]", "sources: []")
    assert findings(check(project), "quote-unsourced") == [
        "content/quotes.yaml:7:3: error: quote 'we-talk' cites no source [quote-unsourced]"
    ]


def test_paragraph_unsourced_and_its_suppression(project):
    result = check(project)
    assert findings(result, "paragraph-unsourced") == [
        "content/sections/01-offer.md:11:1: warning: paragraph has no source annotation: "
        "'A [link](https://example.org) and raw <s...'; mark its claims with "
        "[claim]{src=source-id} [paragraph-unsourced]"
    ]
    replace(
        project,
        "content/sections/01-offer.md",
        "summary: What was offered.",
        "summary: What was offered.\nsuppress:\n  paragraph-unsourced: the last paragraph is a test of escaping",
    )
    result = check(project)
    assert findings(result, "paragraph-unsourced") == []
    assert "  paragraph-unsourced: 0 found, 1 suppressed" in result.err


def test_anonymous_count(project):
    replace(project, "content/sources.yaml", "  count: 2\n", "")
    assert findings(check(project), "anonymous-count") == [
        "content/sources.yaml:6:3: warning: unnamed source 'two-people' does not say how many "
        "people (count:) [anonymous-count]"
    ]


def test_anonymous_basis(project):
    replace(project, "content/sources.yaml", "two people familiar with the talks", "two people")
    result = check(project)
    assert result.code == 1
    assert findings(result, "anonymous-basis") == [
        "content/sources.yaml:9:3: error: unnamed source 'two-people' does not say how they know: "
        "describe them as e.g. 'people familiar with the talks' or 'a senior official' [anonymous-basis]"
    ]


def test_anonymous_vague(project):
    add_source(
        project,
        "- id: vague\n  kind: anonymous\n  label: A source\n  description: a source\n"
        "  count: 1\n  via: report\n",
    )
    result = check(project)
    assert findings(result, "anonymous-vague") == [
        "content/sources.yaml:21:3: error: 'a source' says nothing about who 'vague' is [anonymous-vague]"
    ]


@pytest.mark.parametrize(
    "description, count, expected",
    [
        (
            "officials familiar with the talks",
            1,
            "'officials familiar with the talks' is plural ('officials') but count is 1",
        ),
        (
            "a senior official familiar with the talks",
            3,
            "'a senior official familiar with the talks' is singular ('a senior official') but count is 3",
        ),
    ],
)
def test_anonymous_number(project, description, count, expected):
    add_source(
        project,
        f"- id: odd\n  kind: anonymous\n  label: Odd\n  description: {description}\n"
        f"  count: {count}\n  via: report\n",
    )
    assert findings(check(project), "anonymous-number") == [
        f"content/sources.yaml:22:3: error: {expected} [anonymous-number]"
    ]


@pytest.mark.parametrize(
    "description, count",
    [("a senior official familiar with the talks", 1), ("three people familiar with the talks", 3)],
)
def test_anonymous_number_passes(project, description, count):
    add_source(
        project,
        f"- id: fine\n  kind: anonymous\n  label: Fine\n  description: {description}\n"
        f"  count: {count}\n  via: report\n",
    )
    assert findings(check(project), "anonymous-number") == []


def test_outlet_named(project):
    replace(project, "content/sources.yaml", "  outlet: The Daily\n", "")
    replace(
        project,
        "content/sources.yaml",
        "  via: report\n",
        "",
    )
    result = check(project)
    assert findings(result, "outlet-named") == [
        "content/sources.yaml:1:3: error: news report 'report' does not name its outlet (outlet:) [outlet-named]",
        "content/sources.yaml:5:3: error: source 'two-people' does not say who reported it: add outlet: or via: (a report) [outlet-named]",
    ]


def test_conflicting_values_are_flagged_and_shown_disputed(project):
    text = (project / "content/factbox.yaml").read_text()
    text = text.replace("  - label: Status\n", "  - label: Status\n    fact: status\n")
    text += "  - label: Status (other account)\n    fact: status\n    value: Signed\n    sources: [two-people]\n"
    write(project, "content/factbox.yaml", text)
    result = check(project)
    assert findings(result, "conflicting-values") == [
        "content/factbox.yaml:12:5: warning: 'status' conflicts with line 5: Not *signed* vs Signed; "
        "both are shown as disputed until one says resolution: [conflicting-values]"
    ]
    assert run_cli(project, "build").code == 0
    html = (project / "site/index.html").read_text()
    assert (
        html.count('<span class="status status--disputed" title=') == 2
    )  # the fact box's two rows
    write(
        project,
        "content/factbox.yaml",
        text + "    resolution: The Daily later confirmed it was signed.\n",
    )
    assert findings(check(project), "conflicting-values") == []


def test_unused_source_and_actor(project):
    add_source(
        project,
        "- id: spare\n  kind: document\n  label: Memo\n  description: an internal memo\n",
    )
    result = check(project)
    assert findings(result, "unused-source") == [
        "content/sources.yaml:18:3: warning: source 'spare' is not cited by any claim [unused-source]"
    ]
    assert findings(result, "unused-actor") == [
        "content/actors.yaml:5:3: warning: actor 'official' appears nowhere: no quote, source or mention [unused-actor]"
    ]


def test_rule_severity_is_configurable(project):
    site = project / "content/site.yaml"
    site.write_text(
        site.read_text() + "rules:\n  unused-actor: error\n  paragraph-unsourced: off\n"
    )
    result = check(project)
    assert result.code == 1
    assert findings(result, "unused-actor")[0].startswith("content/actors.yaml:5:3: error:")
    assert findings(result, "paragraph-unsourced") == []


def test_unknown_rule_names_are_errors(project):
    site = project / "content/site.yaml"
    site.write_text(site.read_text() + "rules:\n  unused-actr: off\n")
    result = check(project)
    assert (
        "content/site.yaml:11:3: error: unknown rule 'unused-actr' in rules: (did you mean 'unused-actor'?)"
        in result.err
    )


def test_suppression_needs_a_reason(project):
    replace(
        project,
        "content/actors.yaml",
        "  named: false\n",
        "  named: false\n  suppress:\n    unused-actor: ''\n",
    )
    result = check(project)
    assert result.code == 1
    assert (
        "content/actors.yaml:11:5: error: field 'suppress.unused-actor' must not be empty"
        in result.err
    )


def test_strict_fails_on_warnings(project):
    assert check(project).code == 0
    result = check(project, "--strict")
    assert result.code == 1
    assert result.err.strip().endswith("0 errors, 2 warnings")
