"""Errors an editor can act on: YAML slips in plain words, and one mistake gives one error."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO
from helpers import run_cli, write


def errors(result) -> list[str]:
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if ": error: " in line]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- id: a\n  name: A\n  role: Mayor: since 2020\n  stance: For.\n",
            "content/actors.yaml:3:9: error: this value contains ': ', which YAML reads as the "
            'start of another key: put this value in quotes (role: "…")',
        ),
        (
            "- id: a\n\tname: A\n",
            "content/actors.yaml:2:1: error: a tab character: YAML indentation must use spaces, "
            "not tabs",
        ),
        (
            '- id: a\n  name: "A\n  role: x\n',
            'content/actors.yaml:2:9: error: this quoted value is never closed: end it with " '
            '(a " inside the value is written \\")',
        ),
        (
            "- id: a\n  name: [A, B\n  role: x\n",
            "content/actors.yaml:2:9: error: this '[' is never closed: end it with ']' (or, if "
            "the [ is part of the text, put the whole value in quotes)",
        ),
        (
            '- id: a\n  name: "A "B" C"\n',
            "content/actors.yaml:2:13: error: text goes on after a closing quote: a quote mark "
            'inside a quoted value is written \\" (or quote the value with the other kind of '
            "quote mark)",
        ),
        (
            "- id: a\n  name: A\nrole: x\n",
            "content/actors.yaml:3:1: error: a 'key: value' line where list items ('- …') were "
            "expected: check its indentation, or start the line with '- '",
        ),
        (
            "- id: a\n  name: @a\n",
            "content/actors.yaml:2:9: error: a value cannot start with '@' in YAML: put this "
            "value in quotes",
        ),
    ],
    ids=[
        "unquoted-colon",
        "tab",
        "unclosed-quote",
        "unclosed-bracket",
        "quote-in-quotes",
        "key-among-items",
        "reserved-character",
    ],  # fmt: skip
)
def test_yaml_slips_get_a_hint_and_no_knock_on_errors(project, text, expected):
    """Before, an unquoted colon gave "YAML syntax error: mapping values are not allowed
    here" plus one "speaker 'x' is not an actor" per quote and source that named an actor."""
    write(project, "content/actors.yaml", text)
    result = run_cli(project, "check")
    assert result.code == 1
    assert errors(result) == [expected]


def test_a_list_where_a_mapping_was_expected(project):
    write(project, "content/factbox.yaml", "- title: At a glance\n  rows: []\n")
    assert errors(run_cli(project, "check")) == [
        "content/factbox.yaml:1:1: error: expected a mapping of fields (rows, title, as_of, …), "
        "got a list (remove the '- ' in front of the fields)"
    ]


def test_a_mapping_where_a_list_was_expected(project):
    write(project, "content/actors.yaml", "id: minister\nname: Ann\nrole: Minister\n")
    assert errors(run_cli(project, "check")) == [
        "content/actors.yaml:1:1: error: expected a list of actor entries ('- id: …'), got a "
        "mapping (start each entry with '- ')"
    ]


@pytest.fixture
def real(tmp_path):
    root = tmp_path / "real"
    shutil.copytree(REPO / "content", root / "content")
    return root


def test_one_syntax_error_in_the_real_actors_file_is_one_error(real):
    """Before: 25 errors, one per quote and source naming an actor."""
    path = real / "content/actors.yaml"
    path.write_text(
        path.read_text("utf-8").replace("role: US Treasury Secretary", "role: US: Treasury"),
        "utf-8",
    )
    result = run_cli(real, "check")
    assert len(errors(result)) == 1, result.err
    assert "put this value in quotes (role: " in result.err


def test_one_huge_number_in_the_real_sources_file_is_one_error(real):
    """Before: 75 errors, one per claim citing a source of the file that failed to load."""
    path = real / "content/sources.yaml"
    path.write_text(
        path.read_text("utf-8").replace("count: 3\n", f"count: {'9' * 5000}\n", 1), "utf-8"
    )
    result = run_cli(real, "check")
    assert len(errors(result)) == 1, result.err
    assert "is not a whole number of at most 4300 digits" in result.err


def test_an_empty_actors_file_is_one_error(real):
    """Before: 25 errors, one per quote and source naming an actor."""
    (real / "content/actors.yaml").write_text("", "utf-8")
    result = run_cli(real, "check")
    assert errors(result) == [
        "content/actors.yaml:1:1: error: expected a list of actor entries, file is empty"
    ]


def test_references_into_a_broken_quotes_file_are_not_reported(real):
    (real / "content/quotes.yaml").write_text("- id: x\n  text: 'open\n", "utf-8")
    result = run_cli(real, "check")
    assert len(errors(result)) == 1, result.err


def test_a_reference_to_a_missing_id_is_still_reported(real):
    path = real / "content/quotes.yaml"
    path.write_text(
        path.read_text("utf-8").replace("speaker: bessent", "speaker: besent", 1), "utf-8"
    )
    (line,) = errors(run_cli(real, "check"))
    assert line.endswith("error: speaker 'besent' is not an actor (did you mean 'bessent'?)")
