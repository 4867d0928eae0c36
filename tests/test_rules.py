"""Sourcing rules: each one passes on sound content and reports exactly what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli, write
from hypothesis import given, settings
from hypothesis import strategies as st
from test_errors import replace

from explainer.content.rules import RULES


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


# --- Own words, dates and YAML prose ---------------------------------------------------

REFERENCE = (
    "The Daily reported on Monday that the minister had rejected the offer from the company\n"
    "after long talks with the unions, according to two people familiar with the talks.\n"
)


def add_reference(root, text=REFERENCE, name="report"):
    write(root, f"content/reference/{name}.txt", text)


def test_copied_text_finds_a_lifted_run_with_where_it_is_in_the_reference(project):
    add_reference(project)
    replace(
        project,
        "content/sections/01-offer.md",
        "A [link](https://example.org)",
        "Here the minister had rejected the offer from the company after long talks. A [link](https://example.org)",
    )
    result = check(project)
    assert findings(result, "copied-text") == [
        "content/sections/01-offer.md:11:6: warning: 12 words in a row match reference text "
        "content/reference/report.txt:1:35 ('report'): \"the minister had rejected the offer from "
        "the company after long talks\"; say it in your own words, or put the source's words in "
        "quotation marks [copied-text]"
    ]


def test_copied_text_points_into_yaml_prose(project):
    add_reference(project)
    replace(
        project,
        "content/actors.yaml",
        'stance: "[Wants a deal]{src=minister}."',
        'stance: "[Wants a deal]{src=minister}, and rejected the offer from the company after long talks."',
    )
    assert findings(check(project), "copied-text") == [
        "content/actors.yaml:4:46: warning: 9 words in a row match reference text "
        "content/reference/report.txt:1:52 ('report'): \"rejected the offer from the company after "
        "long talks\"; say it in your own words, or put the source's words in quotation marks "
        "[copied-text]"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # in quotation marks, the words are the source's, and say so
        "It said the minister “had rejected the offer from the company after long talks”.",
        '"had rejected the offer from the company after long talks", it said.',
        # seven words in a row are not a copied run
        "The minister had rejected the offer from them.",
        # case and punctuation do not hide a run, but different words break it
        "The minister turned down the company's offer after lengthy union talks.",
    ],
)
def test_copied_text_passes_own_words_and_quotations(project, sentence):
    add_reference(project)
    replace(
        project,
        "content/sections/01-offer.md",
        "A [link](https://example.org)",
        f"{sentence} A [link](https://example.org)",
    )
    assert findings(check(project), "copied-text") == []


def test_reference_text_must_be_named_after_a_source(project):
    add_reference(project, name="repport")
    result = check(project)
    assert result.code == 1
    assert (
        "content/reference/repport.txt: error: reference text 'repport' is not named after a "
        "source in sources.yaml (did you mean 'report'?)" in result.err
    )


DATES = (
    "- id: talks\n  date: 2025-02-12\n  basis: derived\n"
    '  reasoning: "The Daily says Wednesday; the week is the one of its report."\n'
    "  sources: [report]\n"
)


def test_date_unmarked_in_markdown_and_in_plain_fields(project):
    replace(
        project,
        "content/sections/01-offer.md",
        "[The offer was made on Wednesday]{src=report}",
        "[The offer was made on Wednesday, 12 February 2025]{src=report}",
    )
    replace(project, "content/quotes.yaml", "Speaking to reporters.", "On 15 Feb, to reporters.")
    assert findings(check(project), "date-unmarked") == [
        "content/quotes.yaml:6:15: warning: calendar date '15 Feb' in context does not say how "
        "it is known: this field is plain text and cannot mark it: leave the date out or give it "
        "in the item's date: field [date-unmarked]",
        "content/sections/01-offer.md:6:35: warning: calendar date '12 February 2025' does not "
        "say how it is known: mark it [12 February 2025]{date=id} with an entry in dates.yaml "
        "[date-unmarked]",
    ]


@pytest.mark.parametrize("mark", ["talks", "2025-02-12"])
def test_marked_dates_pass(project, mark):
    write(project, "content/dates.yaml", DATES)
    replace(
        project,
        "content/sections/01-offer.md",
        "[The offer was made on Wednesday]{src=report}",
        f"[The offer was made on [Wednesday, 12 February 2025]{{date={mark}}}]{{src=report}}",
    )
    result = check(project)
    assert result.code == 0, result.err
    assert findings(result, "date-unmarked") == []


def test_weekdays_and_months_are_not_calendar_dates(project):
    replace(
        project,
        "content/sections/01-offer.md",
        "[The offer was made on Wednesday]{src=report}",
        "[The offer was made on Wednesday, in February 2025, may 5 people say]{src=report}",
    )
    assert findings(check(project), "date-unmarked") == []


def test_prose_unsourced_and_its_suppression(project):
    replace(project, "content/actors.yaml", '"[Wants a deal]{src=minister}."', "Wants a deal.")
    result = check(project)
    assert findings(result, "prose-unsourced") == [
        "content/actors.yaml:4:3: warning: stance of actor 'minister' carries no source "
        "annotation: mark its claims with [claim]{src=source-id}, or, if it is framing with no "
        "facts, suppress prose-unsourced with the reason [prose-unsourced]"
    ]
    replace(
        project,
        "content/actors.yaml",
        "  stance: Wants a deal.\n",
        "  stance: Wants a deal.\n  suppress:\n    prose-unsourced: Framing for the tests.\n",
    )
    result = check(project)
    assert findings(result, "prose-unsourced") == []
    assert "  prose-unsourced: 0 found, 1 suppressed" in result.err


def test_site_summary_needs_sources_or_a_reason(project):
    replace(
        project, "content/site.yaml", '"[A tiny explainer]{src=report} used by the tests."', "Hi."
    )
    assert findings(check(project), "prose-unsourced") == [
        "content/site.yaml:2:1: warning: the site summary carries no source annotation: mark its "
        "claims with [claim]{src=source-id}, or, if it is framing with no facts, suppress "
        "prose-unsourced with the reason [prose-unsourced]"
    ]
    site = project / "content/site.yaml"
    site.write_text(site.read_text() + "suppress:\n  prose-unsourced: It says hello.\n")
    assert findings(check(project), "prose-unsourced") == []


def test_heading_order(project):
    write(project, "content/pages/about.md", "---\ntitle: About\n---\n## One\n\n#### Two\n")
    write(
        project,
        "content/sections/02-more.md",
        "---\ntitle: More\norder: 2\n---\n## Too high\n\n[Text]{src=report}.\n",
    )
    assert findings(check(project), "heading-order") == [
        "content/pages/about.md:6:1: warning: heading 'Two' is h4 after h2; use ### (the page "
        "title is h1, and headings may not skip a level) [heading-order]",
        "content/sections/02-more.md:5:1: warning: heading 'Too high' is h2 after h2; use ### "
        "(the section title is h2, and headings may not skip a level) [heading-order]",
    ]
    write(project, "content/pages/about.md", "---\ntitle: About\n---\n## One\n\n### Two\n")
    replace(project, "content/sections/02-more.md", "## Too high", "### Fine\n\n```\n# code\n```")
    assert findings(check(project), "heading-order") == []


def test_own_reporting_needs_no_outlet(project):
    add_source(
        project,
        "- id: our-reporter\n  kind: own\n  label: Our reporter\n"
        "  description: our reporter at the meeting\n",
    )
    replace(project, "content/pages/about.md", "{src=minister}", '{src="minister our-reporter"}')
    result = check(project, "--strict")
    assert findings(result, "outlet-named") == []
    assert findings(result, "unused-source") == []


def test_the_readme_rules_table_is_made_from_the_rules():
    """The README's table was kept by hand before and could drift from what `check` does
    (a rule added or its severity changed without the README)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "rules_table.py"
    spec = importlib.util.spec_from_file_location("rules_table", path)
    rules_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rules_table)
    readme = rules_table.README.read_text()
    assert rules_table.with_table(readme) == readme, "run: python scripts/rules_table.py --write"
    for rule_id in RULES:
        assert f"| `{rule_id}` |" in readme


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "12",
                "2025-02-12",
                "February",
                "Feb.",
                "Sept",
                "May",
                "may",
                " ",
                "\n",
                "of",
                "[",
                "]",
                "{date=d}",
                "{src=s}",
                "“",
                "”",
                "<b>",
                "3rd",
                ",",
                "x",
                "2025",
            ]
        ),
        max_size=14,
    ).map("".join)
)
def test_a_text_ruled_out_for_dates_holds_none_however_masked(text):
    """`may_hold_dates` lets the date rule skip most texts; it must never skip one in
    which masking leaves a date to find."""
    from explainer.content import calendar, wording

    for kind in (wording.PLAIN, wording.INLINE, wording.BODY):
        masked = wording.mask(text, kind, dates=True)
        assert calendar.may_hold_dates(text) or not calendar.dates_in(masked)
