"""Regression tests for the hostile review of issue 14: each says what went wrong before.

Template packs, command-line values and dev-server clients are as untrusted as content:
every case here either gives a clear error (exit 1, or 2 for a usage error, never 70) or
does the right thing, and none of them may touch anything outside the project.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import THEME, make_project
from helpers import run_cli, write
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFont
from test_serve import running

from explainer.build.write import is_ours, lock_name
from explainer.serve.server import LIVE_SCRIPT
from explainer.site.share_image import wrap
from explainer.site.theme import Theme

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


# -- 3. Lock files: in the cache folder, never through a link, never committed -----------


def test_a_planted_lock_link_empties_nothing(project: Path) -> None:
    """Failed on 525e37f: the lock was `.site.lock` beside site/, opened with
    open(..., "w"), so a link planted there (a commit can carry one) emptied its target.
    Now the lock is in .explainer-cache/ and opened without following a link."""
    victim = outside(project) / "id_rsa"
    (project / ".site.lock").symlink_to(victim)
    cache = project / ".explainer-cache"
    cache.mkdir()
    (cache / ".gitignore").write_text("*\n")
    (cache / lock_name(project / "site")).symlink_to(victim)
    result = run_cli(project, "build")
    assert victim.read_text() == "SECRET-KEY\n"
    assert result.code == 1, result.err
    assert f"cannot write the site: Too many levels of symbolic links ({cache}/" in result.err
    assert not (project / "site").exists()
    (cache / lock_name(project / "site")).unlink()
    assert run_cli(project, "build").code == 0
    assert victim.read_text() == "SECRET-KEY\n"


def test_locks_live_in_the_git_ignored_cache_folder(project: Path) -> None:
    """Failed on 525e37f: each output folder had a `.<name>.lock` beside it."""
    assert run_cli(project, "build").code == 0
    assert run_cli(project, "build", "--out", str(project / "other")).code == 0
    cache = project / ".explainer-cache"
    assert (cache / ".gitignore").read_text() == "*\n"
    assert {p.name for p in cache.glob("*.lock")} == {
        lock_name(project / "site"),
        lock_name(project / "other"),
    }
    assert not list(project.glob("*.lock")) and not list(project.glob(".*.lock"))


def test_no_lock_file_is_committed() -> None:
    """Failed on 525e37f: .site.lock was tracked in git."""
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    assert not [name for name in listed.stdout.splitlines() if name.endswith(".lock")]


# -- 4, 5, 11. --out: relative, `..`, glob characters, long names ------------------------


@pytest.mark.parametrize("out, shown", [
    ("site2", "site2"), ("./site3", "site3"), ("newdir/../site4", "site4"),
])  # fmt: skip
def test_relative_out_builds_there(project: Path, monkeypatch, out: str, shown: str) -> None:
    """Failed on 525e37f: any relative --out exited 70 after writing the site (`'site2' is
    not in the subpath of …`)."""
    monkeypatch.chdir(project)
    result = run_cli(project, "build", "--out", out)
    assert result.code == 0, result.err
    assert f" files into {shown}/ in " in result.out
    assert (project / shown / "index.html").is_file()
    assert not (project / "newdir").exists()


def test_glob_characters_in_out_are_just_characters(project: Path) -> None:
    """Failed on 525e37f: with --out 'parent/*' the leftover globs `.*.old-*` and
    `.*.tmp-*` matched parent/.mydata.old-2023/, which was renamed into place as "the
    old site" and deleted. Leftovers are now known by explainer's marker inside them."""
    parent = project.parent / "parent"
    for name in (".mydata.old-2023", ".x.tmp-1", ".*.old-1", ".*.tmp-abc"):
        (parent / name).mkdir(parents=True)
        (parent / name / "data").write_text("precious\n")
    assert run_cli(project, "build", "--out", str(parent / "*")).code == 0
    assert run_cli(project, "build", "--out", str(parent / "*")).code == 0
    assert (parent / "*" / "index.html").is_file()
    for name in (".mydata.old-2023", ".x.tmp-1", ".*.old-1", ".*.tmp-abc"):
        assert (parent / name / "data").read_text() == "precious\n"
    assert sorted(p.name for p in parent.iterdir()) == sorted(
        ["*", ".mydata.old-2023", ".x.tmp-1", ".*.old-1", ".*.tmp-abc"]
    )


def test_an_unmarked_folder_named_like_a_leftover_is_left_alone(project: Path) -> None:
    """Only the name matched before: a `.site.old-1` of someone else's became site/."""
    assert run_cli(project, "build").code == 0
    shutil.rmtree(project / "site")
    write(project, ".site.old-1/notes.txt", "precious\n")
    write(project, ".site.tmp-abc/notes.txt", "precious\n")
    assert run_cli(project, "build").code == 0
    assert (project / ".site.old-1/notes.txt").read_text() == "precious\n"
    assert (project / ".site.tmp-abc/notes.txt").read_text() == "precious\n"
    assert not (project / "site/notes.txt").exists()


@pytest.mark.parametrize(
    "out", ["x" * 300, "a/" + "y" * 256 + "/b", "", "a\x00b"], ids=["300", "256", "empty", "nul"]
)
def test_unusable_out_is_a_usage_error(project: Path, out: str) -> None:
    """Failed on 525e37f: a 300-character name exited 70 (ENAMETOOLONG), '' built site/."""
    result = run_cli(project, "build", "--out", out)
    assert result.code == 2, result.err
    assert f"error: --out {out!r}: " in result.err
    assert "Traceback" not in result.err
    assert not (project / "site").exists()


def test_a_long_but_valid_out_name_builds(project: Path) -> None:
    """Exited 1 on 525e37f: the temporary folder beside it, `.<name>.tmp-…`, was a name too
    long to make. Temporary names are now shortened, so 255 bytes is enough."""
    out = project.parent / ("z" * 255)
    assert run_cli(project, "build", "--out", str(out)).code == 0
    assert run_cli(project, "build", "--out", str(out)).code == 0
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in project.parent.iterdir()) == sorted(["project", "z" * 255])


OUT_PARTS = [
    "site2", "..", ".", "*", "[ab]", "?", "new dir", "ü", "y" * 200, "z" * 256, "link-in",
    "link-out", "dangling", "file", ".mydata.old-2023", ".site2.old-1", "content", "templates",
]  # fmt: skip
DECOYS = [".mydata.old-2023", ".site2.old-1", ".site2.tmp-abc", ".*.tmp-abc", ".[ab].old-1"]


def out_area(base: Path, pristine: Path) -> Path:
    """base/area/w/project (also the current folder) among decoys, links and a file; a
    link leads to base/elsewhere/d1/d2. Two `..` from the project stay inside base."""
    root = base / "area/w/project"
    shutil.copytree(pristine, root, symlinks=True)
    far = base / "elsewhere/d1/d2"
    far.mkdir(parents=True)
    (base / "area/target").mkdir()
    for folder in (base / "area", base / "area/w", root, far):  # area/target stays empty
        for name in DECOYS:
            write(folder, f"{name}/data", "precious\n")
        (folder / "file").write_text("a file\n")
        (folder / "link-in").symlink_to(base / "area/target")
        (folder / "link-out").symlink_to(far)
        (folder / "dangling").symlink_to(base / "area/gone")
    return root


def snapshot(base: Path) -> dict[str, tuple]:
    """Every entry under base: its kind and its bytes or link target."""
    found = {}
    for folder, dirs, files in os.walk(base):
        for name in dirs + files:
            path = Path(folder, name)
            rel = path.relative_to(base).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir",)
            else:
                found[rel] = ("file", path.read_bytes())
    return found


@settings(
    max_examples=400 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 15,
    derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "thorough",
    database=None,
    deadline=None,
)
@given(
    parts=st.lists(st.sampled_from(OUT_PARTS), min_size=1, max_size=4).filter(
        lambda parts: parts.count("..") <= 2
    ),
    absolute=st.booleans(),
)
def test_any_out_is_a_usage_error_or_a_site_exactly_there(
    tmp_path_factory, pristine_project, parts, absolute
):
    """Either exit 2 with a message naming --out and nothing changed on disk, or a site at
    exactly the folder --out names (links and `..` resolved as the system does) and
    nothing else changed but that folder, the folders made to hold it and the project's
    cache folder. Each of 4, 5 and the long names of 11 failed this on 525e37f."""
    base = tmp_path_factory.mktemp("out")
    root = out_area(base, pristine_project)
    value = "/".join(parts)
    if absolute:
        value = f"{root}/{value}"
    expected = Path(os.path.realpath(root / value))
    before = snapshot(base)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = run_cli(root, "build", "--out", value)
    finally:
        os.chdir(cwd)
    assert "Traceback" not in result.err
    after = snapshot(base)
    cache = (root / ".explainer-cache").relative_to(base).as_posix()
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    changed = {p for p in changed if p != cache and not p.startswith(f"{cache}/")}
    if result.code == 2:
        assert f"error: --out {value!r}: " in result.err
        assert changed == set()
        return
    assert result.code == 0, result.err
    assert is_ours(expected) and (expected / "index.html").is_file()
    made = {expected, *expected.parents}
    for rel in changed:
        path = base / rel
        assert path in made or path.is_relative_to(expected), f"{rel} changed"


@pytest.fixture(scope="module")
def pristine_project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("pristine"))


# -- 8. The share card: bounded text, linear wrapping ------------------------------------


class CountingFont:
    """A font that counts the characters it is asked to measure."""

    def __init__(self, font) -> None:
        self.font, self.measured = font, 0

    def getlength(self, text: str) -> float:
        self.measured += len(text)
        return self.font.getlength(text)


@pytest.mark.parametrize("text", [
    "ab " * 333_333,  # 1 MB of short words
    "W" * 50_000,  # one word far wider than the card
    "x" * 8_000 + " end",
    ("\u200b" * 50 + " ") * 20_000,  # words that take no room at all
], ids=["1-mb-of-words", "one-50000-char-word", "8000-char-word", "zero-width-words"])  # fmt: skip
def test_wrapping_measures_only_what_the_lines_can_show(text: str) -> None:
    """Failed on 525e37f: `wrap` measured the whole text, line after line, and trimmed the
    last line one character at a time (a 1 MB headline of short words took 72 s), and a
    word wider than the card was kept whole, drawn past its edge."""
    font = CountingFont(ImageFont.truetype(str(THEME / "fonts/DejaVuSans-Bold.ttf"), 40))
    lines = wrap(text, font, 1056, max_lines=4)
    assert 1 <= len(lines) <= 4 and lines[-1].endswith(" …")
    assert all(font.font.getlength(line) <= 1056 for line in lines)
    assert font.measured < 200_000, f"measured {font.measured} characters"


def test_a_50000_character_headline_builds_a_card(project: Path) -> None:
    """Failed on 525e37f: it exited 70 (Pillow's DecompressionBombError: the one word was
    drawn at its full length). The time bound is generous: it catches blow-ups, not
    slowness (the 1 MB headline is tested above)."""
    site = project / "content/site.yaml"
    lines = [x for x in site.read_text().splitlines() if not x.startswith("title:")]
    site.write_text("\n".join([*lines, "title: " + "W" * 50_000]) + "\n")
    start = time.perf_counter()
    result = run_cli(project, "build")
    assert result.code == 0, result.err[-2000:]
    assert time.perf_counter() - start < 20
    [card] = (project / "site/static").glob("share.*.png")
    assert Image.open(card).size == (1200, 630)


# -- 10. The dev server answers only its own pages -------------------------------------


def request(port: int, path: str = "/", **headers: str) -> tuple[int, bytes]:
    """A GET with exactly these headers (`Host` included: a DNS-rebinding page sends its
    own domain)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            conn.putheader(name.replace("_", "-"), value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def websocket(port: int, origin: str) -> int:
    """The status of a websocket handshake with the reload endpoint from `origin`."""
    return request(
        port, "/livereload", Host=f"127.0.0.1:{port}", Origin=origin, Connection="Upgrade",
        Upgrade="websocket", Sec_WebSocket_Version="13", Sec_WebSocket_Key="dGhlIHNhbXBsZSBub25jZQ==",
    )[0]  # fmt: skip


def test_the_preview_refuses_foreign_hosts_and_origins(project: Path) -> None:
    """Failed on 525e37f: any Host got the pages (DNS rebinding: a web page on a domain
    that resolves to 127.0.0.1 could read the preview, drafts included), and the reload
    websocket accepted any Origin."""
    with running(project) as server:
        port = server.port
        for host in [f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST.:{port}"]:
            assert request(port, Host=host)[0] == 200, host
        for host in [f"rebind.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", ""]:
            assert request(port, Host=host)[0] == 421, host
        assert request(port, "/livereload.js", Host=f"evil.example:{port}")[0] == 421
        assert websocket(port, "http://evil.example") == 403
        assert websocket(port, "null") == 403
        assert websocket(port, f"http://localhost:{port}") == 101


def test_the_reload_script_goes_into_html_only(project: Path) -> None:
    """Failed on 525e37f: livereload's container put its script before every `</head>`
    of any response, so content mentioning `</head>` broke data/explainer.json."""
    site = project / "content/site.yaml"
    site.write_text(site.read_text().replace("title: A small", "title: </head> A small"))
    with running(project) as server:
        status, body = request(server.port, "/data/explainer.json", Host=f"127.0.0.1:{server.port}")
        assert status == 200
        assert LIVE_SCRIPT not in body
        assert json.loads(body)
        html = request(server.port, "/", Host=f"127.0.0.1:{server.port}")[1]
        assert html.count(LIVE_SCRIPT) == 1
        assert html.index(LIVE_SCRIPT) < html.index(b"</head>") < html.index(b"<body")


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "argument --port: '70000' is not a port number from 0 to 65535"),
    (["--port", "-1"], "argument --port: '-1' is not a port number from 0 to 65535"),
    (["--host", ""], "argument --host: '' is not an address"),
    (["--host", "nonexistent.invalid"], "error: --host 'nonexistent.invalid': no such address"),
    (["--host", "8.8.8.8"], "error: --host '8.8.8.8': not an address of this machine"),
])  # fmt: skip
def test_unusable_serve_addresses_are_usage_errors(project: Path, args, message) -> None:
    """Failed on 525e37f: --port 70000 served on 4464, --host '' listened on every
    interface while printing 127.0.0.1, and --port -1, --host nonexistent.invalid and
    --host 8.8.8.8 exited 70."""
    command = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(project), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


# -- 11. A user's mistake is a clear error, never an internal one ------------------------


def test_a_static_file_deleted_during_the_build_is_a_read_error(project: Path, monkeypatch):
    """Failed on 525e37f: a static file deleted between listing and reading exited 70
    (FileNotFoundError, or a TypeError when it was no longer found)."""
    write(project, "templates/static/extra.css", "p { color: red }\n")
    real_names = Theme.names

    def names_then_delete(self, folder):
        found = real_names(self, folder)
        if folder == "static":
            (project / "templates/static/extra.css").unlink(missing_ok=True)
        return found

    monkeypatch.setattr(Theme, "names", names_then_delete)
    result = run_cli(project, "build")
    assert result.code == 1, result.err
    assert [x for x in result.err.splitlines() if ": error: " in x] == [
        "templates/static/extra.css: error: cannot read file: No such file or directory"
    ]


def test_static_names_that_clash_or_cannot_be_stored_are_user_errors(project: Path) -> None:
    """Failed on 525e37f: both were refused as an "internal consistency error" naming an
    output path, not the files to rename."""
    static = project / "templates/static"
    shutil.copy(static / "style.css", static / "Style.css")  # same bytes: same fingerprint
    write(project, "templates/static/con.js", "// a Windows device name\n")
    result = run_cli(project, "build")
    assert result.code == 1, result.err
    errors = [x for x in result.err.splitlines() if ": error: " in x]
    assert len(errors) == 2, result.err
    assert errors[0].startswith(
        "templates/static/con.js: error: cannot publish this static file: 'con."
    )
    assert errors[0].endswith(".js' is not a name every host can store safely; rename it")
    assert errors[1].startswith(
        "templates/static/style.css: error: static file clashes with templates/static/Style.css"
    )
    assert "internal" not in result.err


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u00a0", "\u3000", "\u200b", "\u202e"])
def test_base_urls_with_hidden_characters_are_refused(project: Path, char: str) -> None:
    """Failed on 525e37f: U+0085 (and any other Unicode space or control character) was
    accepted and reached _headers, robots.txt and the pages."""
    url = f"https://example.org/m{char}/"
    result = run_cli(project, "build", "--base-url", url)
    assert result.code == 2
    assert f"--base-url {url!r} is not an http(s) URL or a path (it contains U+" in result.err
    site = project / "content/site.yaml"
    site.write_text(site.read_text() + f'base_url: "https://example.org/m{char}/"\n')
    result = run_cli(project, "build")
    assert result.code == 1, result.err
    assert "is not an http(s), mailto or relative URL" in result.err
    assert not (project / "site").exists()
