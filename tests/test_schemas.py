"""JSON Schemas for editors: generated from the model, they accept what `check` accepts and
reject what it rejects for types and unknown fields."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, REPO
from helpers import run_cli

from explainer.content import schemas
from explainer.content.load import translation_of
from explainer.content.yamlpos import FRONT_MATTER
from explainer.start import SCAFFOLD

YAML_FILES = [name for name in schemas.FILES if name != "front-matter"]


def as_json(value):
    """YAML data as an editor's YAML server sees it: dates are text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_errors(name: str, data) -> list[str]:
    validator = jsonschema.Draft7Validator(schemas.file_schema(name))
    return [e.message for e in validator.iter_errors(as_json(data))]


def content_files(content: Path):
    """(schema name, data) for every content file and every front matter."""
    for name in YAML_FILES:
        path = content / f"{name}.yaml"
        if path.exists():
            yield name, path, yaml.safe_load(path.read_text(encoding="utf-8"))
    documents = [*content.glob("sections/*.md"), *content.glob("pages/*.md")]
    # Translations (x.uk.md) hold only text and `of:`; the schemas describe the originals.
    for path in sorted(p for p in documents if translation_of(p.stem) is None):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        yield "front-matter", path, yaml.safe_load(match.group(1))


@pytest.mark.parametrize(
    "content",
    [
        REPO / "content",
        SCAFFOLD / "content",
        FIXTURES / "minimal/content",
        FIXTURES / "ferry/content",
    ],
    ids=["minerals", "scaffold", "minimal", "ferry"],
)
def test_the_schemas_accept_content_that_checks(content):
    for name, path, data in content_files(content):
        assert schema_errors(name, data) == [], path


def test_the_schemas_are_valid_draft_7():
    for name in schemas.FILES:
        jsonschema.Draft7Validator.check_schema(schemas.file_schema(name))


def test_scaffold_files_name_their_schema_in_their_first_line(tmp_path):
    root = tmp_path / "story"
    assert run_cli_new(root) == 0
    for name in YAML_FILES:
        first = (root / "content" / f"{name}.yaml").read_text(encoding="utf-8").split("\n")[0]
        assert first == schemas.modeline(name)
        target = root / "content" / first.split("$schema=")[1]
        assert json.loads(target.read_text(encoding="utf-8")) == schemas.file_schema(name)


def run_cli_new(root: Path) -> int:
    from explainer.cli import main

    return main(["new", str(root)], prog="explainer")


# (file, a change that makes it wrong): `check` and the schema must both refuse each.
MISTAKES = [
    ("site", lambda d: d.update(titel="A title")),
    ("site", lambda d: d.update(published="last week")),
    ("site", lambda d: d.update(language="English")),
    ("site", lambda d: d.update(url="/explainers/x/")),
    ("site", lambda d: d.update(rules={"fact-unsorced": "error"})),
    ("site", lambda d: d.update(strings={"unamed": "Not named"})),
    ("site", lambda d: d.update(strings={"months": ["Jan"]})),
    ("site", lambda d: d["publisher"].update(homepage="https://x.example/")),
    ("site", lambda d: d.update(authors="Your Name")),
    ("sources", lambda d: d[0].update(kind="rumour")),
    ("sources", lambda d: d[3].update(count="two")),
    ("sources", lambda d: d[3].update(count=0)),
    ("sources", lambda d: d[0].update(url="javascript:alert(1)")),
    ("sources", lambda d: d[0].update(id="Gazette Report")),
    ("sources", lambda d: d[0].update(label="  ")),
    ("actors", lambda d: d[0].update(named="yes please")),
    ("actors", lambda d: d[0].update(nickname="Al")),
    ("actors", lambda d: d[0].pop("role")),
    ("quotes", lambda d: d[0].update(sources=3)),
    ("quotes", lambda d: d[0].update(key=1)),
    ("factbox", lambda d: d.update(rows={"label": "x"})),
    ("factbox", lambda d: d["rows"][0].update(sources=[["nested"]])),
    ("timeline", lambda d: d[0].update(date="next week")),
    ("timeline", lambda d: d[0].update(suppress={"no-such-rule": "why"})),
    ("corrections", lambda d: d[0].update(kind="fix")),
    ("corrections", lambda d: d[0].update(pages="explainer", extra=True)),
]


@pytest.mark.parametrize(("name", "change"), MISTAKES)
def test_check_and_the_schema_reject_the_same_mistakes(tmp_path, name, change):
    root = tmp_path / "story"
    shutil.copytree(SCAFFOLD / "content", root / "content")
    path = root / "content" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli(root, "check")
    assert result.code == 1, result.err
    assert f"content/{name}.yaml:" in result.err
    assert schema_errors(name, data) != []


def test_check_and_the_schema_reject_bad_front_matter(tmp_path):
    root = tmp_path / "story"
    shutil.copytree(SCAFFOLD / "content", root / "content")
    page = root / "content/pages/about.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "nav_title: About", "nav_title: About\norder: first"
        ),
        encoding="utf-8",
    )
    assert run_cli(root, "check").code == 1
    match = FRONT_MATTER.match(page.read_text(encoding="utf-8"))
    assert schema_errors("front-matter", yaml.safe_load(match.group(1))) != []


def test_schema_writes_the_files_and_check_says_when_they_are_stale(tmp_path):
    root = tmp_path / "story"
    assert run_cli_new(root) == 0
    stale = root / "content/.schemas/actors.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    result = run_cli(root, "check", "--strict")
    assert result.code == 1
    assert (
        "content/.schemas/actors.schema.json: warning: out of date for this version of "
        "explainer: run explainer schema" in result.err
    )
    written = run_cli(root, "schema")
    assert written.code == 0, written.err
    assert written.out == (
        "wrote 9 JSON Schemas into content/.schemas/ (see the first line of each file)\n"
    )
    assert run_cli(root, "check", "--strict").code == 0


def test_strings_in_the_schema_follow_the_projects_theme(tmp_path):
    root = tmp_path / "story"
    assert run_cli_new(root) == 0
    theme_strings = root / "templates/strings/en.yaml"
    theme_strings.parent.mkdir(parents=True)
    builtin = (REPO / "explainer/theme/strings/en.yaml").read_text(encoding="utf-8")
    theme_strings.write_text(builtin + "desk_motto: Facts first\n", encoding="utf-8")
    assert run_cli(root, "check", "--strict").code == 1  # the schema is stale now
    assert run_cli(root, "schema").code == 0
    site = json.loads((root / "content/.schemas/site.schema.json").read_text(encoding="utf-8"))
    assert "desk_motto" in site["properties"]["strings"]["properties"]


def test_schema_never_writes_or_reads_through_a_link(tmp_path):
    root = tmp_path / "story"
    assert run_cli_new(root) == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.json"
    victim.write_text("mine\n", encoding="utf-8")
    schema_file = root / "content/.schemas/site.schema.json"
    schema_file.unlink()
    schema_file.symlink_to(victim)
    (root / "content/.schemas/actors.schema.json").unlink()
    (root / "content/.schemas/actors.schema.json").symlink_to("/dev/zero")
    stale = run_cli(root, "check", "--strict")  # reads neither, and does not hang on /dev/zero
    assert "content/.schemas/actors.schema.json: warning: out of date" in stale.err
    assert run_cli(root, "schema").code == 0
    assert victim.read_text(encoding="utf-8") == "mine\n"
    assert not schema_file.is_symlink()
    shutil.rmtree(root / "content/.schemas")
    (root / "content/.schemas").symlink_to(outside)
    result = run_cli(root, "schema")
    assert (result.code, result.err) == (
        2,
        "explainer: error: content/.schemas is a link; not writing through it\n",
    )
    assert sorted(p.name for p in outside.iterdir()) == ["victim.json"]
