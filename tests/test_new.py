"""A new explainer in minutes: `new`, the built-in theme, `theme`, and the command line."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, THEME
from helpers import run_cli

from explainer.cli import Progress, _parser, main

# The minerals story's words: none may reach an explainer made with `new`.
MINERALS = re.compile(
    r"\b(Ukraine|Ukrainian|minerals?|Zelenskyy|Financial Times|FT|Bessent|Kyiv)\b", re.I
)


def new(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(out), redirect_stderr(err):
        code = main(["new", *args], prog="explainer")
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """A new explainer, made with `new` in a temporary folder outside the repository."""
    root = tmp_path / "budget-vote"
    assert not root.resolve().is_relative_to(REPO)
    code, out, err = new(str(root))
    assert (code, err) == (0, ""), err
    assert "created a new explainer in" in out
    return root


def test_a_new_explainer_checks_strictly_and_builds_with_the_builtin_theme(story):
    """Before, there was no `new`, and a project without templates/ could not build."""
    assert not (story / "templates").exists()
    check = run_cli(story, "check", "--strict")
    assert check.code == 0, check.err
    assert check.out.startswith("checked 9 pages: 0 errors, 0 warnings")
    built = run_cli(story, "build")
    assert built.code == 0, built.err
    site = story / "site"
    for page in ["index.html", "about/index.html", "actors/mayor/index.html", "quotes/index.html"]:
        assert (site / page).is_file()
    assert len(list((site / "static").glob("style.*.css"))) == 1


def test_nothing_of_the_minerals_story_reaches_a_new_explainer(story):
    run_cli(story, "build")
    files = [p for p in story.rglob("*") if p.is_file() and ".explainer-cache" not in p.parts]
    assert len(files) > 20
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = MINERALS.search(text)
        assert found is None, f"{path.relative_to(story)}: {found and found[0]!r}"


def test_every_kind_of_item_is_in_the_example(story):
    content = story / "content"
    sources = (content / "sources.yaml").read_text(encoding="utf-8")
    for kind in ("on-record", "anonymous", "document", "report"):
        assert f"kind: {kind}\n" in sources
    for name in ("site", "actors", "quotes", "factbox", "timeline", "corrections"):
        assert (content / f"{name}.yaml").is_file()
    assert list((content / "sections").glob("*.md"))
    assert (content / "pages/about.md").is_file()
    assert (story / "README.md").is_file()
    assert (story / ".gitignore").read_text(encoding="utf-8").count("/site/") == 1


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, out, err = new(str(tmp_path))
    assert code == 2
    assert (
        err
        == f"explainer: error: {tmp_path} is not empty; choose a new folder for a new explainer\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_new_with_theme_copies_a_complete_theme(tmp_path, story):
    """The copied theme builds the same bytes as the built-in one."""
    themed = tmp_path / "themed"
    assert new(str(themed), "--with-theme")[0] == 0
    assert (themed / "templates/home.html").is_file()
    assert (themed / "templates/strings/en.yaml").is_file()
    for root in (story, themed):
        assert run_cli(root, "build", "--base-url", "https://news.example/x/").code == 0
    plain = {p.relative_to(story / "site"): p.read_bytes() for p in (story / "site").rglob("*")
             if p.is_file()}  # fmt: skip
    copied = {p.relative_to(themed / "site"): p.read_bytes() for p in (themed / "site").rglob("*")
              if p.is_file()}  # fmt: skip
    assert plain == copied


def test_theme_copies_single_files_and_never_overwrites(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    from contextlib import redirect_stderr, redirect_stdout

    target = tmp_path / "templates"
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["theme", str(target), "static/style.css"], prog="explainer") == 0
        assert main(["theme", str(target), "static/style.css"], prog="explainer") == 2
        assert main(["theme", str(target), "hom.html"], prog="explainer") == 2
        assert main(["theme", str(target)], prog="explainer") == 2
    assert (target / "static/style.css").read_bytes() == (THEME / "static/style.css").read_bytes()
    assert out.getvalue() == f"copied 1 theme file into {target}/\n"
    assert err.getvalue().splitlines() == [
        f"explainer: error: {target}/static/style.css exists already; not overwriting it",
        "explainer: error: the built-in theme has no file 'hom.html' (did you mean 'home.html'?)",
        f"explainer: error: {target} is not empty; choose a new folder for the theme",
    ]


def test_a_story_overrides_one_template_and_one_string(tmp_path):
    """tests/fixtures/ferry: its own 404.html and its own name for the Sources link; the
    rest comes from the built-in theme."""
    root = tmp_path / "ferry"
    shutil.copytree(FIXTURES / "ferry", root)
    result = run_cli(root, "check", "--strict")
    assert result.code == 0, result.err
    result = run_cli(root, "build")
    assert result.code == 0, result.err
    site = root / "site"
    assert "This page has sailed." in (site / "404.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert ">Where this comes from</a>" in home
    assert ">Sources</a>" not in home
    assert "This page has sailed." not in home
    builtin_css = (THEME / "static/style.css").read_bytes()
    assert [p.read_bytes() for p in (site / "static").glob("style.*.css")] == [builtin_css]
    assert 'href="/explainers/ferry/static/style.' in home


def test_no_content_folder_says_how_to_start(tmp_path):
    result = run_cli(tmp_path, "build")
    assert result.code == 2
    assert result.err == (
        f"explainer: error: no content/ folder in {tmp_path} (use --root, or start a new "
        "explainer with: explainer new FOLDER)\n"
    )


@pytest.mark.parametrize(
    ("command", "prog"),
    [
        ([sys.executable, str(REPO / "build.py")], "build.py"),
        ([sys.executable, "-m", "explainer"], "explainer"),
    ],
)
def test_help_names_the_program_as_it_was_run(command, prog):
    """Before, `explainer --help` said `usage: build.py`."""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    for sub in ([], ["new"], ["serve"]):
        result = subprocess.run(
            [*command, *sub, "--help"], capture_output=True, text=True, env=env, check=True
        )
        assert result.stdout.startswith(f"usage: {prog} {' '.join(sub)}".rstrip() + " ["), (
            result.stdout
        )


def test_every_option_has_help():
    """Before, serve's --host and --port had none."""
    parser = _parser("explainer")
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    for name, sub in commands.choices.items():
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest}"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal_and_only_after_two_seconds(monkeypatch):
    import time

    monkeypatch.setattr(sys, "stdout", FakeTerminal())
    term = FakeTerminal()
    progress = Progress(time.perf_counter(), term)
    progress("rendering pages")
    assert term.getvalue() == ""  # a quick build shows nothing
    late = Progress(time.perf_counter() - 3, term)
    late("rendering pages")
    late("writing files")
    late.clear()
    assert term.getvalue() == ("\r\x1b[Krendering pages… (3 s)\r\x1b[Kwriting files… (3 s)\r\x1b[K")
    pipe = io.StringIO()
    Progress(time.perf_counter() - 3, pipe)("rendering pages")
    assert pipe.getvalue() == ""
    worker = Progress(time.perf_counter() - 3, term := FakeTerminal())
    worker.pid = -1  # a worker process forked mid-build runs the later stages too: silent
    worker("rendering pages")
    assert term.getvalue() == ""


def test_the_build_line_says_what_was_rendered_and_reused(story):
    first = run_cli(story, "build")
    assert re.fullmatch(
        r"built 9 pages \(all rendered\), 18 files into site/ in \d+\.\d\d s\n", first.out
    )
    again = run_cli(story, "build")
    assert re.fullmatch(
        r"built 9 pages \(rendered 0, reused 9\), 18 files into site/ in \d+\.\d\d s\n",
        again.out,
    )


def test_nothing_lands_in_the_project_root_but_site_and_the_cache(story):
    before = {p.name for p in story.iterdir()}
    run_cli(story, "build")
    run_cli(story, "check")
    after = {p.name for p in story.iterdir()} - before
    # `.site.lock` is the output folder's lock (write.py), beside it until it moves too.
    assert after - {".site.lock"} == {"site", ".explainer-cache"}
