"""Bad input: every mistake is reported with file:line:col, exit 1, no traceback, site/ untouched."""

from __future__ import annotations

import pytest
from helpers import run_cli, write


def replace(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(root):
    result = run_cli(root, "check")
    assert "Traceback" not in result.err
    return result


def test_clean_fixture_checks(project):
    result = check(project)
    assert result.code == 0, result.err
    assert result.out.startswith("checked 9 pages: 0 errors")


def test_unknown_speaker_points_at_the_field_with_a_suggestion(project):
    replace(project, "content/quotes.yaml", "speaker: minister", "speaker: ministr")
    result = check(project)
    assert result.code == 1
    assert (
        "content/quotes.yaml:2:3: error: speaker 'ministr' is not an actor "
        "(did you mean 'minister'?)" in result.err
    )


def test_unknown_source_in_a_list_points_at_the_item(project):
    replace(project, "content/factbox.yaml", "[two-people, report]", "[two-people, reprt]")
    result = check(project)
    assert result.code == 1
    assert (
        "content/factbox.yaml:9:27: error: sources 'reprt' is not a source (did you mean 'report'?)"
        in result.err
    )


def test_dangling_annotation_source_in_markdown(project):
    replace(project, "content/sections/01-offer.md", "{src=report}", "{src=repot}")
    result = check(project)
    assert result.code == 1
    assert (
        "content/sections/01-offer.md:6:39: error: source 'repot' is not in sources.yaml "
        "(did you mean 'report'?)" in result.err
    )


def test_annotation_without_src(project):
    replace(project, "content/sections/01-offer.md", "{src=report}", "{sorce=report}")
    result = check(project)
    assert result.code == 1
    assert "content/sections/01-offer.md:6:" in result.err
    assert "names no source: write {src=source-id}" in result.err


def test_dangling_quote_embed(project):
    replace(project, "content/sections/01-offer.md", "::: quote we-talk", "::: quote we-tlk")
    result = check(project)
    assert (
        "content/sections/01-offer.md:8:11: error: quote 'we-tlk' is not in quotes.yaml "
        "(did you mean 'we-talk'?)" in result.err
    )


def test_yaml_syntax_error_has_line_and_column(project):
    write(project, "content/actors.yaml", "- id: a\n  name: [unclosed\n  role: x\n")
    result = check(project)
    assert result.code == 1
    assert "content/actors.yaml:2:9: error: this '[' is never closed" in result.err


def test_tab_indentation_is_explained(project):
    write(project, "content/actors.yaml", "- id: a\n\tname: x\n")
    result = check(project)
    assert "content/actors.yaml:2:1: error: a tab character:" in result.err
    assert "not tabs" in result.err


def test_wrong_type_and_missing_field_and_unknown_field(project):
    write(
        project,
        "content/actors.yaml",
        "- id: minister\n  name: 42\n  role: Minister\n  stance: x\n"
        "- id: official\n  name: Someone\n  stance: y\n  rol: Official\n",
    )
    result = check(project)
    assert result.code == 1
    assert (
        "content/actors.yaml:2:3: error: field 'name' must be text, got the number 42 "
        "(put it in quotes to make it text)" in result.err
    )
    assert "content/actors.yaml:5:3: error: actor is missing required field 'role'" in result.err
    assert (
        "content/actors.yaml:8:3: error: unknown field 'rol' in actor (did you mean 'role'?)"
        in result.err
    )


def test_duplicate_ids(project):
    text = (project / "content/actors.yaml").read_text()
    write(
        project, "content/actors.yaml", text + "- id: minister\n  name: B\n  role: r\n  stance: s\n"
    )
    result = check(project)
    assert (
        "content/actors.yaml:10:3: error: duplicate actor id 'minister' (first defined at line 1)"
        in result.err
    )


def test_duplicate_yaml_key(project):
    write(project, "content/actors.yaml", "- id: a\n  name: A\n  name: B\n  role: r\n  stance: s\n")
    result = check(project)
    assert "content/actors.yaml:3:3: error: duplicate key 'name' in the same mapping" in result.err


def test_bad_choice_and_bad_date(project):
    replace(project, "content/sources.yaml", "kind: anonymous", "kind: anonymus")
    replace(project, "content/timeline.yaml", "date: 2025-02-12", "date: 12 Feb")
    result = check(project)
    assert (
        "content/sources.yaml:7:3: error: kind 'anonymus' is not one of document, on-record, "
        "report, own, anonymous (did you mean 'anonymous'?)" in result.err
    )
    assert (
        "content/timeline.yaml:1:3: error: field 'date' must be a date (YYYY-MM-DD) or the id "
        "of an entry in dates.yaml, got the text '12 Feb'" in result.err
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "java\tscript:x",
        " vbscript:x",
    ],
)
def test_unsafe_urls_in_yaml_are_errors(project, url):
    text = (project / "content/sources.yaml").read_text()
    write(project, "content/sources.yaml", text + f"  url: {url!r}\n".replace("'", '"'))
    result = check(project)
    assert result.code == 1
    assert "is not an http(s), mailto or relative URL" in result.err


def test_non_utf8_file(project):
    (project / "content/actors.yaml").write_bytes(b"- id: a\n  name: caf\xe9\n")
    result = check(project)
    assert "content/actors.yaml:2:12: error: file is not valid UTF-8 (byte 0xe9)" in result.err


def test_bom_and_crlf_are_fine(project):
    path = project / "content/actors.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert check(project).code == 0


def test_aliases_and_python_tags_are_refused(project):
    write(
        project,
        "content/timeline.yaml",
        "- &a\n  date: 2025-02-12\n  title: x\n  sources: [report]\n- *a\n",
    )
    write(project, "content/actors.yaml", "- !!python/object/apply:os.system ['echo hi']\n")
    result = check(project)
    assert "content/timeline.yaml:5:3: error: YAML anchors and aliases" in result.err
    assert "content/actors.yaml:1:3: error: unsupported YAML tag" in result.err
    assert "file is empty" not in result.err


def test_missing_front_matter_and_bad_front_matter(project):
    write(project, "content/pages/bare.md", "No front matter here.\n")
    write(project, "content/pages/typo.md", "---\ntitle: T\ntitel: x\n---\nBody\n")
    result = check(project)
    assert "content/pages/bare.md:1:1: error: missing front matter" in result.err
    assert (
        "content/pages/typo.md:3:1: error: unknown field 'titel' in document (did you mean 'title'?)"
        in result.err
    )


def test_reserved_and_clashing_slugs(project):
    write(project, "content/pages/sources.md", "---\ntitle: S\n---\n")
    write(project, "content/pages/1-about.md", "---\ntitle: A\n---\n")
    result = check(project)
    assert "content/pages/sources.md:1:1: error: slug 'sources' is reserved" in result.err
    assert "slug 'about' is also used by content/pages/1-about.md" in result.err


def test_all_errors_are_reported_sorted(project):
    replace(project, "content/quotes.yaml", "speaker: minister", "speaker: nobody")
    replace(project, "content/sections/01-offer.md", "{src=report}", "{src=nope}")
    replace(project, "content/factbox.yaml", "[report]", "[nope]")
    result = check(project)
    lines = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(lines) == 3
    assert lines == sorted(lines)
    assert result.err.strip().endswith("3 errors, 0 warnings")


def test_undefined_template_variable_has_template_line(project):
    replace(
        project, "templates/quotes.html", "{{ t.quotes_intro }}", "{{ t.quotes_intro }}{{ nope }}"
    )
    result = check(project)
    assert result.code == 1
    assert "templates/quotes.html:6: error: template error: 'nope' is undefined" in result.err


def test_undefined_attribute_in_macro_has_macro_line(project):
    replace(project, "templates/_macros.html", "text=q.text", "text=q.txet")
    result = check(project)
    assert "templates/_macros.html:" in result.err
    assert "has no attribute 'txet'" in result.err


def test_template_syntax_error(project):
    write(
        project, "templates/404.html", '{% extends "base.html" %}\n{% block content %}\n{% if %}\n'
    )
    result = check(project)
    assert result.code == 1
    assert "templates/404.html:3: error: template syntax error:" in result.err


def test_missing_required_file(project):
    (project / "content/site.yaml").unlink()
    result = check(project)
    assert result.code == 1
    assert "content/site.yaml: error: missing file: create content/site.yaml" in result.err


def test_usage_error_exits_2(project):
    result = run_cli(project, "build", "--no-such-flag")
    assert result.code == 2
    assert "unrecognized arguments: --no-such-flag" in result.err
