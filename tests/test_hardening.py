"""Regression tests for the hostile review of issue 14: each says what went wrong before.

Template packs, command-line values and dev-server clients are as untrusted as content:
every case here either gives a clear error (exit 1, or 2 for a usage error, never 70) or
does the right thing, and none of them may touch anything outside the project.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import THEME
from helpers import run_cli, write

REPO = Path(__file__).resolve().parent.parent


def serve_process(root: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """`build.py serve` on a free port, once it says it is serving (its first build done)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "build.py"),
            "serve",
            "--root",
            str(root),
            "--port",
            "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    deadline = time.monotonic() + 30
    line = ""
    while not line.startswith("serving "):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise AssertionError(f"serve did not start: {line!r} {proc.communicate()}")
        line = proc.stdout.readline()
    port = int(line.split()[1].rsplit(":", 1)[1].split("/")[0])
    return proc, port


def stop(proc: subprocess.Popen) -> str:
    """Stop a `serve_process` and return what it printed on stderr."""
    proc.terminate()
    try:
        return proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- 1. Every template runs in the sandbox, the preview's error page included ------------


def test_error_page_template_cannot_run_commands_in_the_preview(project: Path, tmp_path: Path):
    """Failed on 77dc05f: the preview rendered templates/_error.html with a plain
    jinja2.Environment, so with any template error elsewhere `serve` ran this command at
    start-up. The error page now falls back to a bare page naming the sandbox's refusal."""
    pwned = tmp_path / "pwned.txt"
    escape = "{{ cycler.__init__.__globals__.os.system('touch " + str(pwned) + "') }}"
    write(project, "templates/_error.html", f"<!doctype html><title>x</title>{escape}\n")
    write(project, "templates/robots.txt", "{{ undefined_name }}\n")
    proc, port = serve_process(project)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        response = conn.getresponse()
        body = response.read().decode()
        conn.close()
    finally:
        err = stop(proc)
    assert not pwned.exists(), "the error template ran a shell command"
    assert response.status == 500
    assert "undefined_name" in body and "cannot show this page" in body, body
    assert "Traceback" not in err


# -- 2. Theme files obey the same containment rule as content ---------------------------


class Hung(BaseException):
    """Raised by `deadline` in the main thread: not an Exception, so the CLI cannot catch it."""


@contextlib.contextmanager
def deadline(seconds: int):
    """Interrupt a build that blocks (opening a FIFO waits for a writer forever)."""

    def hung(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outside(root: Path) -> Path:
    """A folder beside the project holding a secret; what no build may publish."""
    folder = root.parent / "outside"
    folder.mkdir(exist_ok=True)
    (folder / "secret.txt").write_text("SECRET-KEY\n")
    (folder / "id_rsa").write_text("SECRET-KEY\n")
    return folder


def link_static_folder(root: Path) -> None:
    shutil.rmtree(root / "templates/static")
    (root / "templates/static").symlink_to(outside(root))


def link_static_subfolder(root: Path) -> None:
    (root / "templates/static/keys").symlink_to(outside(root))


def fifo_static_file(root: Path) -> None:
    os.mkfifo(root / "templates/static/pipe.css")


def card_font(font: str) -> Callable[[Path], None]:
    def op(root: Path) -> None:
        shutil.copy(FONT, outside(root) / "font.ttf")
        card = root / "templates/share_card.yaml"
        lines = card.read_text().splitlines()
        lines = [f"text_font: {font}" if x.startswith("text_font:") else x for x in lines]
        card.write_text("\n".join(lines) + "\n")
        if font == "fonts/pipe.ttf":
            os.mkfifo(root / font.replace("fonts/", "templates/fonts/"))
        if font == "fonts/link.ttf":
            (root / "templates/fonts/link.ttf").symlink_to(FONT)

    return op


FONT = THEME / "fonts" / "DejaVuSans.ttf"
CARD = "templates/share_card.yaml:10:1: error: "
CONTAINMENT = [
    ("static-folder-links-out", link_static_folder, [
        "templates/static: error: file is a link to outside the project; refusing to read it"
    ]),
    ("static-subfolder-links-out", link_static_subfolder, [
        "templates/static/keys: error: file is a link to outside the project; refusing to read it"
    ]),
    ("static-fifo", fifo_static_file, [
        "templates/static/pipe.css: error: not a regular file; refusing to read it"
    ]),
    ("font-fifo", card_font("fonts/pipe.ttf"), [
        "templates/fonts/pipe.ttf: error: not a regular file; refusing to read it"
    ]),
    ("font-absolute", card_font(str(FONT)), [
        f"{CARD}text_font {FONT} must be a path inside the theme, such as "
        "fonts/DejaVuSans.ttf (not absolute, no '..' or hidden names)"
    ]),
    ("font-dotdot", card_font("../../outside/font.ttf"), [
        f"{CARD}text_font ../../outside/font.ttf must be a path inside the theme, such as "
        "fonts/DejaVuSans.ttf (not absolute, no '..' or hidden names)"
    ]),
    ("font-links-out", card_font("fonts/link.ttf"), [
        "templates/fonts/link.ttf: error: file is a link to outside the project; "
        "refusing to read it"
    ]),
]  # fmt: skip


@pytest.mark.parametrize(
    "op, errors", [c[1:] for c in CONTAINMENT], ids=[c[0] for c in CONTAINMENT]
)
def test_theme_files_outside_the_project_or_not_regular_are_refused(project: Path, op, errors):
    """Failed on 525e37f: a linked static folder or subfolder was silently skipped, a FIFO
    in static/ or as a font hung the build, and absolute, `..` and linked font paths
    outside the project were drawn with. (A linked static file was refused already.)"""
    op(project)
    with deadline(20):
        result = run_cli(project, "build")
    assert result.code == 1, result.err
    assert [x for x in result.err.splitlines() if ": error: " in x] == errors
    assert not (project / "site").exists()


def test_links_inside_the_project_are_followed(project: Path) -> None:
    """The rule is about leaving the project: a static folder shared by a link within it
    is published like any other."""
    shutil.move(project / "templates/static", project / "shared-static")
    (project / "templates/static").symlink_to(project / "shared-static")
    (project / "shared-static/loop").symlink_to(project / "shared-static")  # visited once
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    assert list((project / "site/static").glob("style.*.css"))
    assert not (project / "site/static/loop").exists()


def test_hidden_static_files_are_not_published(project: Path) -> None:
    """Failed on 525e37f: templates/static/.git/config was published as
    static/.<hash>.git/config, and .env as static/.<hash>.env."""
    write(project, "templates/static/.git/config", "[remote]\nurl = secret\n")
    write(project, "templates/static/.env", "TOKEN=secret\n")
    write(project, "templates/static/img/.DS_Store", "x")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    published = [p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("*")]
    assert not [p for p in published if "/." in p or p.startswith(".") and p != ".explainer-site"]
