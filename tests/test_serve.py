"""The live preview without a browser: watcher, rebuild queue, in-memory serving, the CLI."""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import run_cli, write
from markupsafe import escape

from explainer.build.pipeline import Project
from explainer.serve import watch
from explainer.serve.preview import Preview, Snapshot, describe, respond, stylesheet_swaps
from explainer.serve.server import LIVE_SCRIPT, PortInUse, PreviewServer
from explainer.serve.watch import ignored

REPO = Path(__file__).resolve().parent.parent


# -- helpers ----------------------------------------------------------------------------


def wait_until(check: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.01)


@contextlib.contextmanager
def running(root: Path, **options) -> Iterator[PreviewServer]:
    """A preview server on a free port in a thread; always stopped, even when the test fails."""
    server = PreviewServer(root, port=0, out=io.StringIO(), err=io.StringIO(), **options)
    server.bind()
    thread = threading.Thread(target=server.run, name="test-preview", daemon=True)
    thread.start()
    try:
        assert server.ready.wait(20), "preview did not start"
        yield server
    finally:
        server.stop()
        thread.join(20)
        assert not thread.is_alive(), "preview did not stop"


def get(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def page(server: PreviewServer, path: str = "/") -> str:
    return get(server, path)[2].decode("utf-8")


def settled(server: PreviewServer, quiet: float = 0.4, timeout: float = 10.0) -> int:
    """The number of builds once no new build has started for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    seen, since = server.preview.builds, time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "builds never settled"
        time.sleep(0.02)
        if server.preview.builds != seen:
            seen, since = server.preview.builds, time.monotonic()
    return seen


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def strip_script(html: bytes) -> bytes:
    assert html.count(LIVE_SCRIPT) == 1, "livereload's script should be injected exactly once"
    return html.replace(LIVE_SCRIPT, b"")


# -- editor files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "content/.quotes.yaml.swp",
        "content/.quotes.yaml.swx",
        "content/quotes.yaml~",
        "content/4913",
        "templates/.#home.html",
        "content/sections/#01-offer.md#",
        "content/quotes.yaml.tmp",
        "templates/home.html___jb_tmp___",
        "content/.goutputstream-X1Y2Z3",
        "content/.git/index",
        "content/.DS_Store",
    ],
)
def test_editor_and_vcs_files_are_ignored(name: str) -> None:
    assert ignored(name)


@pytest.mark.parametrize(
    "name",
    [
        "content/quotes.yaml",
        "content/sections/01-offer.md",
        "content/sections/4913-notes.md",
        "templates/static/style.css",
        "templates/static/.well-known/security.txt",
        "templates/_macros.html",
    ],
)
def test_sources_are_watched(name: str) -> None:
    assert not ignored(name)


def test_describe_changes() -> None:
    assert describe({"content/quotes.yaml": "modified"}) == "content/quotes.yaml changed"
    assert describe({"content/pages/about.md": "deleted"}) == "content/pages/about.md deleted"
    many = {f"content/sections/{i:02}-x.md": "added" for i in range(30)}
    assert describe(many) == "content/sections/00-x.md and 29 other files added"
    mixed = {"content/a.md": "added", "content/b.md": "deleted"}
    assert describe(mixed) == "content/a.md and 1 other file changed"


# -- the rebuild queue (no watcher: changes are posted directly) ------------------------


class Gate:
    """Wraps Project.build so a test can hold a build half-way and count the builds."""

    def __init__(self, project: Project) -> None:
        self.real = project.build
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        project.build = self  # type: ignore[method-assign]

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.started.set()
        assert self.release.wait(10), "test never released the build"
        return self.real(*args, **kwargs)


@pytest.fixture
def preview(project: Path) -> Iterator[Preview]:
    p = Preview(Project(project), out=io.StringIO(), err=io.StringIO())
    p.rebuild()
    p.start()
    yield p
    p.stop()


def test_the_preview_collects_garbage_only_when_idle_after_a_build(
    project: Path, monkeypatch
) -> None:
    """Builds leave reference cycles behind, and `serve` runs the collector rarely while
    building; the preview collects once after a quiet spell that follows a build, never
    while saves keep coming, and not again until another build."""
    from explainer.serve import preview as module

    collected: list[float] = []
    monkeypatch.setattr(module, "IDLE_COLLECT_S", 1.0)
    monkeypatch.setattr(module.gc, "collect", lambda *a: collected.append(time.monotonic()))

    def collections(n: int) -> int:
        deadline = time.monotonic() + 10
        while len(collected) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(collected)

    p = Preview(Project(project), out=io.StringIO(), err=io.StringIO())
    p.rebuild()
    p.start()
    try:
        assert collections(1) == 1, "no collection once idle after the first build"
        time.sleep(1.5)
        assert len(collected) == 1, "collected again with no build in between"
        for _ in range(4):  # saves well under a second apart
            p.post({"content/site.yaml": "modified"})
            p.current(timeout=10)
        assert len(collected) == 1, "collected between saves"
        assert collections(2) == 2, "no collection once idle after the last build"
    finally:
        p.stop()


def test_changes_during_a_build_are_coalesced_into_one_more_build(
    project: Path, preview: Preview
) -> None:
    gate = Gate(preview.project)
    preview.post({"content/site.yaml": "modified"})
    assert gate.started.wait(5)
    # A checkout touching 30 files while the first build runs: one more build, not 30.
    for i in range(30):
        name = f"content/sections/{i + 10:02}-extra-{i}.md"
        write(project, name, f"---\ntitle: Extra {i}\n---\nx\n")
        preview.post({name: "added"})
    gate.release.set()
    preview.current(timeout=10)  # waits for every build asked for so far
    assert gate.calls == 2
    home = preview.snapshot.files["index.html"].decode()
    assert all(f"Extra {i}<" in home for i in range(30)), "the last build saw the final state"
    assert "and 29 other files added" in preview.out.getvalue()


def test_a_request_during_a_rebuild_waits_for_it(project: Path, preview: Preview) -> None:
    gate = Gate(preview.project)
    replace(project, "content/site.yaml", "A small test explainer", "A renamed explainer")
    preview.post({"content/site.yaml": "modified"})
    assert gate.started.wait(5)
    answers: list[bytes] = []
    environ = {"PATH_INFO": "/", "REQUEST_METHOD": "GET"}
    request = threading.Thread(target=lambda: answers.extend(preview(environ, lambda *a: None)))
    request.start()
    time.sleep(0.3)
    assert not answers, "a request must not be answered from a build that is being replaced"
    gate.release.set()
    request.join(10)
    assert b"A renamed explainer" in answers[0]


def test_a_request_after_a_change_was_reported_waits_for_its_build(
    project: Path, preview: Preview
) -> None:
    gate = Gate(preview.project)
    gate.release.set()
    replace(project, "content/site.yaml", "A small test explainer", "Renamed again")
    preview.post({"content/site.yaml": "modified"})
    assert b"Renamed again" in preview.current().files["index.html"]


def test_a_crash_inside_the_build_becomes_an_error_page(project: Path, preview: Preview) -> None:
    def explode(*args, **kwargs):
        raise FileNotFoundError("content/sections/01-offer.md vanished")

    preview.project.build = explode  # type: ignore[method-assign]
    outcome = preview.rebuild({"content/sections/01-offer.md": "deleted"})
    assert not outcome.ok
    body = respond(preview.snapshot, "/").body.decode()
    assert "explainer: error: internal error: FileNotFoundError" in body


# -- what is served ---------------------------------------------------------------------


def test_serves_exactly_the_bytes_build_writes(project: Path, tmp_path: Path) -> None:
    built = Project(project).build(out=tmp_path / "site")
    assert built.ok
    with running(project) as server:
        for name, data in built.files.items():
            url = "/" + name.removesuffix("index.html")
            status, headers, body = get(server, url)
            assert status == 200, url
            if name.endswith(".html"):
                assert headers["Content-Type"] == "text/html; charset=utf-8"
                body = strip_script(body)
            else:
                assert LIVE_SCRIPT not in body
            assert body == (tmp_path / "site" / name).read_bytes() == data, url
        assert get(server, "/nowhere/")[0] == 404
        status, headers, _ = get(server, "/about")
        assert (status, headers["Location"]) == (302, "/about/")
        status, headers, body = get(server, "/about/", method="HEAD")
        assert (status, body) == (200, b"")
    assert not (project / "site").exists(), "the preview never writes site/"


def test_serves_under_a_base_url_path(project: Path, tmp_path: Path) -> None:
    prefix = "/explainers/minerals/"
    built = Project(project).build(out=tmp_path / "site", base_url=prefix)
    with running(project, base_url=prefix) as server:
        assert server.url.endswith(f":{server.port}{prefix}")
        status, _, body = get(server, prefix + "about/")
        assert status == 200
        assert strip_script(body) == built.files["about/index.html"]
        assert f'href="{prefix}static/style.'.encode() in body
        css = next(n for n in built.files if n.endswith(".css"))
        assert get(server, prefix + css)[2] == built.files[css]
        assert get(server, "/")[1]["Location"] == prefix
        assert get(server, prefix.rstrip("/"))[1]["Location"] == prefix
        assert get(server, "/about/")[0] == 404


def test_the_path_of_url_in_site_yaml_is_picked_up(project: Path) -> None:
    with running(project) as server:
        before = settled(server)
        (project / "content/site.yaml").write_text(
            (project / "content/site.yaml").read_text() + "url: https://news.example/moved/\n"
        )
        wait_until(lambda: server.preview.snapshot.base_path == "/moved/", what="new base path")
        assert settled(server) == before + 1
        assert get(server, "/moved/")[0] == 200
        assert get(server, "/")[1]["Location"] == "/moved/"


def test_an_old_stylesheet_url_redirects_to_the_current_one() -> None:
    snap = Snapshot({"static/style.0123456789.css": b"b{}", "index.html": b"x"}, "/m/")
    moved = respond(snap, "/m/static/style.abcdefabcd.css")
    assert (moved.status, moved.headers["Location"]) == (302, "/m/static/style.0123456789.css")
    assert respond(snap, "/m/static/other.abcdefabcd.css").status == 404


def test_only_a_stylesheet_change_is_swapped_without_reload() -> None:
    a, b = "static/style.aaaaaaaaaa.css", "static/style.bbbbbbbbbb.css"
    old = {a: b"a", "index.html": f'<link href="/{a}">x'.encode()}
    css = {b: b"b", "index.html": f'<link href="/{b}">x'.encode()}
    both = {**css, "index.html": css["index.html"] + b"y"}
    assert stylesheet_swaps(old, css) == [a]
    assert stylesheet_swaps(old, both) is None
    assert stylesheet_swaps(old, old) is None


def test_reload_messages_for_each_kind_of_change(project: Path, preview: Preview) -> None:
    css_before = next(n for n in preview.snapshot.files if n.endswith(".css"))
    with (project / "templates/static/style.css").open("a") as f:
        f.write("\nbody { letter-spacing: 1px }\n")
    assert preview.rebuild({"templates/static/style.css": "modified"}).reload == ["/" + css_before]
    replace(project, "content/site.yaml", "A small test explainer", "Other")
    assert preview.rebuild({"content/site.yaml": "modified"}).reload == ["*"]
    assert preview.rebuild({"content/site.yaml": "modified"}).reload == []
    assert "; the pages did not change" in preview.out.getvalue()


# -- watching real files ----------------------------------------------------------------


def test_a_save_is_rebuilt_and_reported_with_its_latency(project: Path) -> None:
    with running(project) as server:
        replace(project, "content/quotes.yaml", "We are still talking", "We keep talking")
        wait_until(lambda: "We keep talking" in page(server, "/quotes/"), what="new quote")
        out = server.out.getvalue()
        assert "serving http://127.0.0.1:" in out
        line = out.splitlines()[-1]
        assert line.startswith("rebuilt in ") and line.endswith(" ms (content/quotes.yaml changed)")


def test_a_burst_of_30_files_is_one_rebuild_of_the_final_state(project: Path) -> None:
    with running(project) as server:
        before = settled(server)
        for i in range(30):  # what a `git checkout` does, as fast as it does it
            name = f"content/sections/{i + 10:02}-burst-{i}.md"
            write(project, name, f"---\ntitle: Burst {i}\n---\nx\n")
        replace(project, "content/site.yaml", "A small test explainer", "After the burst")
        wait_until(lambda: "After the burst" in page(server), what="the burst's build")
        assert settled(server) == before + 1
        home = page(server)
        assert all(f"Burst {i}<" in home for i in range(30))


def test_editor_files_do_not_rebuild(project: Path) -> None:
    with running(project) as server:
        before = settled(server)
        for name in [".quotes.yaml.swp", "quotes.yaml~", "4913", ".#quotes.yaml", "#x.md#"]:
            write(project, f"content/{name}", "junk: [")
        (project / "content/4913").unlink()
        time.sleep(0.5)
        assert server.preview.builds == before
        assert "error" not in page(server)


def test_deleted_created_and_renamed_files_are_noticed(project: Path) -> None:
    with running(project) as server:
        (project / "content/pages/about.md").unlink()
        wait_until(lambda: get(server, "/about/")[0] == 404, what="about/ to go")
        assert "content/pages/about.md deleted" in server.out.getvalue()
        write(project, "content/pages/new.md", "---\ntitle: Brand new\n---\nHello.\n")
        wait_until(lambda: "Brand new" in page(server, "/new/"), what="the new page")
        os.rename(project / "content/pages/new.md", project / "content/pages/renamed.md")
        wait_until(lambda: get(server, "/renamed/")[0] == 200, what="the renamed page")
        assert get(server, "/new/")[0] == 404


def test_site_configuration_changes_are_picked_up(project: Path) -> None:
    with running(project) as server:
        replace(project, "content/site.yaml", "name: Test Desk", "name: Renamed Desk")
        wait_until(lambda: "Renamed Desk" in page(server, "/actors/"), what="new publisher")


def test_a_half_written_yaml_shows_the_error_page_then_recovers(project: Path) -> None:
    good = (project / "content/quotes.yaml").read_text()
    with running(project) as server:
        (project / "content/quotes.yaml").write_text(good[:40])  # cut mid-entry
        wait_until(lambda: get(server, "/")[0] == 500, what="the error page")
        status, _, body = get(server, "/quotes/")
        text = body.decode()
        assert status == 500 and "The site did not build" in text
        err = server.err.getvalue()
        cli_lines = [line for line in err.splitlines() if ": error: " in line]
        assert cli_lines and all(line.startswith("content/") for line in cli_lines)
        for line in cli_lines:  # exactly the command line's text, escaped as HTML
            assert str(escape(line)) in text
        assert "build failed in " in err and "(content/quotes.yaml changed)" in err
        css = next(n for n in server.preview.snapshot.files if n.endswith(".css"))
        assert get(server, "/" + css)[0] == 200, "assets still come from the last good build"
        (project / "content/quotes.yaml").write_text(good)
        wait_until(lambda: get(server, "/")[0] == 200, what="recovery")
        assert "We are still talking" in page(server, "/quotes/")


def test_a_template_error_names_the_template_line(project: Path) -> None:
    with running(project) as server:
        replace(project, "templates/404.html", "{% block content %}", "{% block content %}{% if %}")
        wait_until(lambda: get(server, "/")[0] == 500, what="the error page")
        assert "templates/404.html:3: error: template syntax error" in page(server)
        replace(project, "templates/404.html", "{% if %}", "")
        wait_until(lambda: get(server, "/")[0] == 200, what="recovery")


def test_a_broken_error_template_falls_back_to_a_bare_page(project: Path) -> None:
    with running(project) as server:
        write(project, "templates/_error.html", "{% for %}")
        write(project, "content/actors.yaml", "- id: [")
        wait_until(lambda: get(server, "/")[0] == 500, what="the error page")
        text = page(server)
        assert "content/actors.yaml:" in text and "templates/_error.html: error:" in text
        assert text.count("<script>") == 1, "the fallback page still gets livereload's client"


def test_removing_and_restoring_a_watched_folder(project: Path) -> None:
    replace(project, "templates/404.html", "<h1>", "<h1>Ours: ")
    with running(project) as server:
        assert "Ours: " in page(server, "/404.html")
        # Without templates/, the built-in theme is used.
        os.rename(project / "templates", project / "templates-away")
        wait_until(lambda: "Ours: " not in page(server, "/404.html"), what="the built-in theme")
        os.rename(project / "templates-away", project / "templates")
        wait_until(lambda: "Ours: " in page(server, "/404.html"), what="the override again")
        os.rename(project / "content", project / "content-away")
        wait_until(lambda: get(server, "/")[0] == 500, what="the error page")
        os.rename(project / "content-away", project / "content")
        wait_until(lambda: get(server, "/")[0] == 200, what="recovery")
        # The new folder is watched too.
        replace(project, "templates/404.html", "<h1>", "<h1>Lost: ")
        wait_until(lambda: "Lost: " in page(server, "/404.html"), what="edit after restore")


def test_polling_watcher_sees_every_save(project: Path, monkeypatch) -> None:
    monkeypatch.setattr(watch, "RECENT_S", 0.5)
    with running(project, poll=True) as server:
        for title in ["Polled title", "Polled again"]:  # two saves within one second
            replace(project, "content/site.yaml", "A small test explainer", title)
            wait_until(lambda title=title: title in page(server), what=title)
            replace(project, "content/site.yaml", title, "A small test explainer")
            wait_until(lambda title=title: title not in page(server), what="undo")
        (project / "content/pages/about.md").unlink()
        wait_until(lambda: get(server, "/about/")[0] == 404, what="about/ to go")
        before = settled(server)
        time.sleep(1.0)  # files age past RECENT_S: no change is made up
        assert server.preview.builds == before


# -- the command line and stopping ------------------------------------------------------


def test_stopping_leaves_no_threads_or_sockets(project: Path) -> None:
    with running(project) as server:
        port = server.port
        assert get(server, "/")[0] == 200
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("explainer-")]
    assert leftover == []
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the port is closed"


def test_open_opens_the_served_url(project: Path, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    with running(project, open_browser=True, base_url="/m/") as server:
        wait_until(lambda: opened, what="the browser to be opened")
        assert opened == [f"http://127.0.0.1:{server.port}/m/"]


def test_a_busy_port_is_a_clear_error(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(PortInUse, match=f"port {port} on 127.0.0.1 is already in use"):
            PreviewServer(project, port=port).bind()
        result = run_cli(project, "serve", "--port", str(port))
    assert result.code == 2
    assert "--port 0 for any free port" in result.err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_the_process_cleanly(project: Path, sig: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(project), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        lines = []
        deadline = time.monotonic() + 20
        while not any(line.startswith("serving ") for line in lines):
            assert time.monotonic() < deadline and proc.poll() is None, lines
            lines.append(proc.stdout.readline())
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert err.strip().endswith("stopped")
    assert "Traceback" not in err


def test_build_does_not_import_the_server_libraries(project: Path) -> None:
    code = (
        "import sys; from explainer.cli import main; main(['--root', sys.argv[1]]);"
        "print(sorted(m for m in ('livereload', 'tornado', 'watchfiles') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(project)], capture_output=True, text=True, cwd=REPO
    )
    assert out.stdout.strip().endswith("[]"), out
    shutil.rmtree(project / "site")
