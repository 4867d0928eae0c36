"""The live preview's state: the last good build, held in memory and rebuilt in place.

The preview never writes site/. It serves the `Result.files` of the last good
build, the very bytes `build` would write, so there is no half-written folder
to read from and nothing on disk for the watcher to trip over. Each rebuild
swaps in one new `Snapshot`; a request waits for every rebuild that was asked
for before it arrived, so a reload right after a save shows the save.

Builds run one at a time on one thread with the one `Project`, whose Markdown
parser and Jinja environment live as long as the preview. Changes arriving
during a build are gathered and built together afterwards: a burst never
queues one build per file, and no change is ever left unbuilt.

While the latest build has errors, pages show `templates/_error.html` with the
diagnostics exactly as the command line prints them; assets keep coming from
the last good build.

This module has no server in it: `serve.py` puts it behind livereload. `__call__`
is a plain WSGI application.
"""

from __future__ import annotations

import contextlib
import gc
import mimetypes
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TextIO

import jinja2
from markupsafe import escape

from ..build.pipeline import Project, Result
from ..diagnostics import Diagnostics, Pos, counts, report
from ..urls import split_base_url
from .watch import Changes

ERROR_TEMPLATE = "_error.html"
FINGERPRINTED = re.compile(r"^(static/.+)\.[0-9a-f]{10}((?:\.[^./]+)?)$")
REQUEST_WAIT_S = 30.0  # a request waits at most this long for pending rebuilds
# Seconds without a save after a rebuild before the builds' leftovers are collected. The
# collector runs rarely during builds (`cli` raises its thresholds for `serve` as for
# `build`); each rebuild leaves its predecessor's reference cycles behind (about 150,000
# objects at 4,000 pages), and a full collection takes a second or more at that size:
# done once the preview is idle, only a save made during it waits for it.
IDLE_COLLECT_S = 2.0


@dataclass(frozen=True)
class Snapshot:
    """What the preview serves: swapped whole, never changed in place."""

    files: dict[str, bytes]  # the last good build, by path under site/
    base_path: str  # "/" or "/explainers/minerals/": the site is served under it
    error_page: bytes | None = None  # set while the latest build failed


@dataclass
class Outcome:
    """What one rebuild did, for the terminal and for the browsers."""

    diagnostics: Diagnostics
    reload: list[str] = field(default_factory=list)  # livereload paths: "*" or stylesheet URLs
    latency_ms: float = 0.0  # newest save -> new snapshot served
    build_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Preview:
    """Builds the project on demand and answers requests from the last good build."""

    def __init__(
        self,
        project: Project,
        base_url: str | None = None,
        drafts: bool = False,
        on_rebuilt: Callable[[Outcome], None] | None = None,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.project = project
        self.base_url = base_url
        self.drafts = drafts
        self.on_rebuilt = on_rebuilt
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.snapshot = Snapshot({}, split_base_url(base_url or "/")[0])
        self.builds = 0  # rebuilds run so far (the tests count them)
        self._cond = threading.Condition()
        self._pending: Changes = {}
        self._since = 0.0  # when the oldest pending change was reported
        self._requested = 0  # change batches received
        self._done = 0  # change batches built
        self._stopping = False
        self._thread: threading.Thread | None = None

    # -- building ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread that rebuilds after `post`."""
        self._thread = threading.Thread(target=self._run, name="explainer-build", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def post(self, changes: Changes) -> None:
        """Ask for a rebuild (called by the watcher); returns at once."""
        with self._cond:
            if not self._pending:
                self._since = time.time()
            self._pending.update(changes)
            self._requested += 1
            self._cond.notify_all()

    def _run(self) -> None:
        untidy = True  # a build ran since the last collection
        while True:
            with self._cond:
                wake = self._cond.wait_for(
                    lambda: self._pending or self._stopping,
                    timeout=IDLE_COLLECT_S if untidy else None,
                )
                if self._stopping:
                    return
                if wake:
                    changes, self._pending = self._pending, {}
                    batch, since = self._requested, self._since
            if not wake:  # idle (outside the lock: a save may be posted meanwhile)
                gc.collect()
                untidy = False
                continue
            untidy = True
            try:
                self.rebuild(changes, since)
            except Exception as e:  # a bug in reporting: say so, keep the preview running
                print(f"explainer: internal error: {type(e).__name__}: {e}", file=self.err)
            finally:
                with self._cond:
                    self._done = batch
                    self._cond.notify_all()

    def rebuild(self, changes: Changes | None = None, since: float | None = None) -> Outcome:
        """Build now, swap in the result, report it, and tell `on_rebuilt`.

        `since` is when the changes were reported, for the latency when their files'
        modification times cannot tell when they were saved.
        """
        start = time.perf_counter()
        _forget_templates([self.project.renderer.env], changes or {})
        result = self._build()
        old = self.snapshot
        if result.ok:
            new = Snapshot(result.files, split_base_url(result.base_url)[0])
        else:
            new = Snapshot(old.files, old.base_path, self._error_page(result.diagnostics))
        with self._cond:
            self.snapshot = new
            self.builds += 1
        outcome = Outcome(result.diagnostics, reloads(old, new))
        outcome.build_ms = (time.perf_counter() - start) * 1000
        saved = _saved_at(self.project.root, changes, since or time.time())
        outcome.latency_ms = (time.time() - saved) * 1000
        self._report(outcome, changes)
        if self.on_rebuilt is not None and changes is not None:
            self.on_rebuilt(outcome)
        return outcome

    def _build(self) -> Result:
        try:
            return self.project.build(
                out=None, base_url=self.base_url, drafts=self.drafts, write_output=False
            )
        except Exception as e:  # a bug or a file vanishing mid-read: keep serving
            if os.environ.get("EXPLAINER_DEBUG"):
                traceback.print_exc(file=self.err)
            result = Result()
            result.diagnostics.error(Pos("explainer"), f"internal error: {type(e).__name__}: {e}")
            return result

    def _report(self, outcome: Outcome, changes: Changes | None) -> None:
        """One line per build, after its diagnostics, printed as the command line prints them."""
        report(outcome.diagnostics, self.err)
        if changes is None:
            pages = sum(1 for p in self.snapshot.files if p.endswith(".html"))
            done, took = f"built {pages} pages", f"in {outcome.build_ms:.0f} ms"
        else:
            done, took = "rebuilt", f"in {outcome.latency_ms:.0f} ms ({describe(changes)})"
        if not outcome.ok:
            found = counts(outcome.diagnostics)
            line = f"build failed {took}: {found}; the browser shows them until they are fixed"
            print(line, file=self.err, flush=True)
        elif changes is not None and not outcome.reload:
            print(f"{done} {took}; the pages did not change", file=self.out, flush=True)
        else:
            print(f"{done} {took}", file=self.out, flush=True)

    def _error_page(self, diags: Diagnostics) -> bytes:
        """The error overlay, from the theme's _error.html, or a bare page if that is broken.

        It runs in the same sandbox as every other template: a theme may come from anyone.
        """
        lines = [str(d) for d in diags.sorted()]
        summary = counts(diags)
        try:
            template = self.project.renderer.env.get_template(ERROR_TEMPLATE)
            return template.render(lines=lines, summary=summary).encode("utf-8")
        except Exception as e:
            lines.append(f"templates/{ERROR_TEMPLATE}: error: cannot show this page: {e}")
            text = escape("\n".join(lines))
            return (
                "<!doctype html><html><head><meta charset=utf-8><title>Build failed</title>"
                f"</head><body><h1>Build failed</h1><pre>{text}</pre></body></html>"
            ).encode()

    # -- serving ----------------------------------------------------------------------

    def current(self, timeout: float = REQUEST_WAIT_S) -> Snapshot:
        """The snapshot, once every rebuild asked for before this call has finished."""
        with self._cond:
            target = self._requested
            self._cond.wait_for(lambda: self._done >= target or self._stopping, timeout)
            return self.snapshot

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        method = environ.get("REQUEST_METHOD", "GET")
        if method in ("GET", "HEAD"):
            response = respond(self.current(), path)
        else:
            response = Response(405, b"", {"Allow": "GET, HEAD"})
        headers = {"Cache-Control": "no-store", **response.headers}
        status = f"{response.status} {HTTPStatus(response.status).phrase}"
        start_response(status, list(headers.items()))
        # livereload's container writes any body it gets, which Tornado refuses for HEAD.
        return [b"" if method == "HEAD" else response.body]


def respond(snapshot: Snapshot, path: str) -> Response:
    """The answer to a GET of `path`, as a static host serving the build would give it."""
    files, base = snapshot.files, snapshot.base_path
    if path + "/" == base or (path == "/" and base != "/"):
        return _redirect(base)
    rel = path[len(base) :] if path.startswith(base) else None
    page = rel is None or _is_page(rel)
    if snapshot.error_page is not None and page:
        return Response(500, snapshot.error_page, {"Content-Type": "text/html; charset=utf-8"})
    if rel is not None:
        name = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        if name in files:
            return Response(200, files[name], {"Content-Type": _content_type(name)})
        if rel + "/index.html" in files:
            return _redirect(path + "/")
        moved = _current_asset(files, rel)
        if moved:
            return _redirect(base + moved)
    if "404.html" in files:
        return Response(404, files["404.html"], {"Content-Type": _content_type("404.html")})
    return Response(404, b"Not found\n", {"Content-Type": "text/plain; charset=utf-8"})


def reloads(old: Snapshot, new: Snapshot) -> list[str]:
    """What the browsers must reload: nothing, stylesheets (their URLs) or the page ("*")."""
    if new.error_page is not None or old.error_page is not None:
        return [] if new.error_page == old.error_page else ["*"]
    if new.files == old.files and new.base_path == old.base_path:
        return []
    swaps = stylesheet_swaps(old.files, new.files)
    if swaps and new.base_path == old.base_path:
        return [new.base_path + p for p in swaps]
    return ["*"]


def stylesheet_swaps(old: dict[str, bytes], new: dict[str, bytes]) -> list[str] | None:
    """The old paths of the changed stylesheets, if nothing but stylesheets changed.

    A CSS edit gives the fingerprinted file a new name, which changes every page's
    <link>. If undoing those renames gives back the old pages, the browser can
    swap the stylesheets in place: livereload's client re-fetches each matching
    <link> at its old URL, which `respond` redirects to the new file.
    """
    old_assets, new_assets = _assets(old), _assets(new)
    if old_assets.keys() != new_assets.keys():
        return None
    renamed = {new_assets[k]: old_assets[k] for k in new_assets if new_assets[k] != old_assets[k]}
    if not renamed or not all(p.endswith(".css") for p in renamed):
        return None
    others = set(new) - set(renamed)
    if others != set(old) - set(renamed.values()):
        return None
    for name in others:
        data = new[name]
        for new_name, old_name in renamed.items():
            data = data.replace(new_name.encode(), old_name.encode())
        if data != old[name]:
            return None
    return sorted(renamed.values())


def describe(changes: Changes) -> str:
    """'content/quotes.yaml changed', 'content/x.md deleted', 'a.md and 29 other files changed'."""
    paths = sorted(changes)
    kinds = set(changes.values())
    verb = kinds.pop() if len(kinds) == 1 and kinds <= {"added", "deleted"} else "changed"
    if len(paths) == 1:
        return f"{paths[0]} {verb}"
    other = "file" if len(paths) == 2 else "files"
    return f"{paths[0]} and {len(paths) - 1} other {other} {verb}"


def _assets(files: dict[str, bytes]) -> dict[str, str]:
    """Fingerprinted files by their unfingerprinted names: 'static/style.css' -> path."""
    found = {}
    for name in files:
        m = FINGERPRINTED.match(name)
        if m:
            found[m[1] + m[2]] = name
    return found


def _current_asset(files: dict[str, bytes], rel: str) -> str | None:
    """The current name of an asset asked for by an older fingerprint, if it still exists."""
    m = FINGERPRINTED.match(rel)
    return _assets(files).get(m[1] + m[2]) if m else None


def _is_page(rel: str) -> bool:
    last = rel.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


def _content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    text = kind.startswith("text/") or kind in ("application/javascript", "application/json")
    return f"{kind}; charset=utf-8" if text else kind


def _redirect(location: str) -> Response:
    return Response(302, b"", {"Location": location})


def _saved_at(root: Path, changes: Changes | None, reported: float) -> float:
    """When the newest change hit the disk: its mtime, or its folder's for a deletion."""
    times = []
    for rel in changes or ():
        for path in (root / rel, (root / rel).parent):
            try:
                times.append(path.lstat().st_mtime)
                break
            except OSError:
                continue
    recent = [t for t in times if reported - 10 < t <= reported]  # not copied-in old mtimes
    return max(recent, default=reported)


def _forget_templates(envs: list[jinja2.Environment], changes: Changes) -> None:
    """Drop edited templates from Jinja's cache.

    `auto_reload` compares modification times, which cannot tell two saves apart on
    file systems with coarse timestamps; the watcher knows better.
    """
    names = {p.removeprefix("templates/") for p in changes if p.startswith("templates/")}
    if not names and "templates" not in changes:
        return
    for env in envs:
        if env.cache is None:
            continue
        if "templates" in changes:
            env.cache.clear()
            continue
        for key in list(env.cache.keys()):
            if isinstance(key, tuple) and key[-1] in names:
                with contextlib.suppress(KeyError):
                    del env.cache[key]
