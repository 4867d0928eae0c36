"""A build that finds nothing changed since the last good one gives its result again.

Nothing it could read changed (content/, templates/, the built-in theme, the options, the
engine) and its output folder is exactly as it was left: the stages are skipped, the same
diagnostics are printed again, and the output is untouched. Any change at all means a real
build, whose bytes are a clean build's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO
from helpers import run_cli, write
from test_cache_trust import tree

from explainer.build import memo, pipeline
from explainer.build.pipeline import Project


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    # One warning, to see that a build that changes nothing still reports it.
    site = root / "content/site.yaml"
    site.write_text(site.read_text() + "\nrules:\n  unused-actor: warning\n")
    path = root / "content/sources.yaml"
    path.write_text(
        path.read_text()
        + "\n- id: spare-report\n  kind: document\n  label: Spare\n  description: not cited\n"
    )
    return root


@pytest.fixture
def stages_watched(monkeypatch):
    """Counts the builds that ran the stages (loaded content)."""
    calls = []
    real = pipeline.load

    def load(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load", load)
    return calls


def test_nothing_changed_skips_the_stages_and_reports_the_same(project, stages_watched):
    first = run_cli(project)
    assert first.code == 0, first.err
    assert "unused-source" in first.err
    before = tree(project / "site")
    again = run_cli(project)
    assert again.code == 0
    assert again.err == first.err  # the same warnings, in the same words
    pages = first.out.split(" pages")[0]  # "built 14"
    assert again.out.startswith(f"{pages} pages (rendered 0, reused ")
    assert len(stages_watched) == 1  # the second build ran no stage
    assert tree(project / "site") == before


def _edit_content(root: Path) -> None:
    path = root / "content/sections/01-what-the-us-offered.md"
    path.write_text(path.read_text() + "\nOne more plain paragraph.\n")


def _add_template(root: Path) -> None:
    write(root, "templates/robots.txt", "User-agent: *\nDisallow: /private/\n")


def _edit_output(root: Path) -> None:
    path = root / "site/index.html"
    path.write_bytes(path.read_bytes().replace(b"<main", b"<main data-x", 1))


def _add_output(root: Path) -> None:
    write(root, "site/stray.html", "stray")


def _remove_output(root: Path) -> None:
    (root / "site/sources/index.html").unlink()


def _link_in_content(root: Path) -> None:
    os.symlink("/etc/hostname", root / "content/reference/linked.txt")


def _options(root: Path) -> None:
    pass  # the second build passes --base-url


@pytest.mark.parametrize(
    "change",
    [_edit_content, _add_template, _edit_output, _add_output, _remove_output, _options],
)
def test_any_change_means_a_real_build(project, stages_watched, change):
    """Each of these left the output of the last build in place before the stages were
    skipped; now each one means a build that gives exactly what a clean build gives."""
    assert run_cli(project).code == 0
    change(project)
    args = ["--base-url", "https://news.example/minerals/"] if change is _options else []
    again = run_cli(project, *args)
    assert again.code == 0, again.err
    assert len(stages_watched) == 2
    clean_root = project.parent / "clean"
    shutil.copytree(project / "content", clean_root / "content")
    if (project / "templates").exists():
        shutil.copytree(project / "templates", clean_root / "templates")
    assert run_cli(clean_root, *args).code == 0
    assert tree(project / "site") == tree(clean_root / "site")


def test_a_link_among_the_inputs_means_a_real_build_that_refuses_it(project, stages_watched):
    assert run_cli(project).code == 0
    _link_in_content(project)
    again = run_cli(project)
    assert len(stages_watched) == 2
    assert again.code == 1
    assert "linked.txt" in again.err


def test_a_forged_record_is_not_taken(project, stages_watched):
    """The record is signed like the memo: one edited by hand (here: its warnings dropped)
    is ignored and the build runs."""
    assert run_cli(project).code == 0
    path = project / memo.FOLDER / memo.LAST
    mac, _, payload = path.read_bytes().partition(b"\n")
    path.write_bytes(b"0" * len(mac) + b"\n" + payload)
    again = run_cli(project)
    assert len(stages_watched) == 2
    assert "unused-source" in again.err


def test_a_failed_build_leaves_the_last_good_record_usable(project, stages_watched):
    """A failed build never touches site/; going back to the last good content finds the
    site as that build left it."""
    assert run_cli(project).code == 0
    site_yaml = project / "content/site.yaml"
    good = site_yaml.read_text()
    site_yaml.write_text(good + "\nnot: [valid\n")
    assert run_cli(project).code == 1
    site_yaml.write_text(good)
    again = run_cli(project)
    assert again.code == 0
    assert len(stages_watched) == 2  # the good build and the failed one
    assert Project(project).build(out=None).files == tree(project / "site")
