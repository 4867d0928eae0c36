"""`build.py serve`: build once, serve the site with livereload, rebuild on every save.

Three parts, each in its own module:

- `preview.Preview` builds in-process with one long-lived `Project` and serves the
  last good build from memory (the preview never writes site/), as a WSGI app;
- `watch.Watcher` reports saves in content/ and templates/ with `watchfiles`;
- livereload does the browser side: its WSGI container injects the client script
  before `</head>` of every HTML response, and its websocket handler tells the
  client to reload the page or, after a CSS-only change, to swap stylesheets.

livereload's `Server.serve()` is not used as a whole: in app mode it turns on
Tornado's autoreload (which re-executes the process when a Python file changes),
binds no port it can report (so no `--port 0`), cannot be stopped but by Ctrl-C,
and its own watcher polls every 800 ms and drops changes for seconds after a
reload. So this module binds the port itself and puts livereload's handlers
into a Tornado application it can start and stop; reloads are sent right after
each rebuild.

Ctrl-C, SIGTERM or `stop()` stops the server, the watcher thread and the build thread
and closes every socket. livereload keeps its browser connections in class
attributes, so there is one preview server per process at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from typing import TextIO

from ..build.pipeline import Project
from .preview import Outcome, Preview
from .watch import Watcher

WATCHED = ("content", "templates")

# livereload's loader snippet: fetch the client from the page's own host and port.
LIVE_SCRIPT = (
    b'<script>(function(){var s=document.createElement("script");'
    b"var port=window.location.port||(window.location.protocol=='https:'?443:80);"
    b's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    b"document.head.appendChild(s);})();</script>"
)


class PortInUse(Exception):
    pass


class PreviewServer:
    """The preview: `bind()`, then `run()` until `stop()` or Ctrl-C."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_url: str | None = None,
        drafts: bool = False,
        poll: bool = False,
        open_browser: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.open_browser = open_browser
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.preview = Preview(
            Project(root), base_url, drafts, on_rebuilt=self._on_rebuilt, out=self.out, err=self.err
        )
        self.watcher = Watcher(root, WATCHED, self.preview.post, poll=poll, err=self.err)
        self.ready = threading.Event()  # set once requests are answered
        self._sockets: list = []
        self._loop = None
        self._stopped: asyncio.Event | None = None
        self._stop_requested = threading.Event()

    @property
    def url(self) -> str:
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{self.preview.snapshot.base_path}"

    def bind(self) -> None:
        """Take the port now, so a busy port fails before the first build."""
        from tornado.netutil import bind_sockets

        try:
            self._sockets = bind_sockets(self.port, self.host)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"port {self.port} on {self.host} is already in use (another preview?); "
                    "choose another with --port, or --port 0 for any free port"
                ) from None
            raise
        self.port = self._sockets[0].getsockname()[1]

    def run(self) -> None:
        """Build, watch and serve until `stop()`; Ctrl-C on the main thread stops it too."""
        if not self._sockets:
            self.bind()
        try:
            self.preview.rebuild()
            self.preview.start()
            self.watcher.start()
            asyncio.run(self._serve())
        finally:
            self.watcher.stop()
            self.preview.stop()
            for sock in self._sockets:
                sock.close()
            self._sockets = []

    def stop(self) -> None:
        """Stop `run()`; safe from any thread, at any time."""
        self._stop_requested.set()
        loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None:
            loop.add_callback(stopped.set)

    async def _serve(self) -> None:
        from livereload.handlers import LiveReloadHandler
        from tornado.httpserver import HTTPServer
        from tornado.ioloop import IOLoop

        server = HTTPServer(self._application())
        server.add_sockets(self._sockets)
        self._stopped = asyncio.Event()
        self._loop = IOLoop.current()
        if threading.current_thread() is threading.main_thread():  # `docker stop` sends SIGTERM
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._stopped.set)
        self.ready.set()
        print(
            f"serving {self.url} (watching {' and '.join(f'{w}/' for w in WATCHED)}; Ctrl-C stops)",
            file=self.out,
            flush=True,
        )
        if self.open_browser:
            threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()
        try:
            if not self._stop_requested.is_set():
                await self._stopped.wait()
        finally:
            self._loop = None
            server.stop()
            for waiter in list(LiveReloadHandler.waiters):
                waiter.close()
            LiveReloadHandler.waiters.clear()
            await asyncio.wait_for(server.close_all_connections(), timeout=5)

    def _application(self):
        import livereload
        from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
        from tornado import web

        # livereload's reload handler reads these class attributes.
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = True
        # Requests are answered by the preview; livereload wraps it to inject its client.
        site = livereload.Server(app=self.preview, watcher=self.watcher)
        handlers = [
            (r"/livereload", LiveReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            *site.get_web_handlers(LIVE_SCRIPT),
        ]
        logging.getLogger("tornado.access").addHandler(logging.NullHandler())
        return web.Application(handlers, debug=False)

    def _on_rebuilt(self, outcome: Outcome) -> None:
        """Called on the build thread: have the server's thread send the reloads."""
        loop = self._loop
        if loop is not None and outcome.reload:
            loop.add_callback(_send_reloads, outcome.reload)


def _send_reloads(paths: list[str]) -> None:
    from livereload.handlers import LiveReloadHandler

    for path in paths:
        LiveReloadHandler.reload_waiters(path)


def serve(root: Path, args) -> int:
    """The `serve` command: exit status 0 after Ctrl-C, 2 if the port is taken."""
    server = PreviewServer(
        root,
        host=args.host,
        port=args.port,
        base_url=args.base_url,
        drafts=args.drafts,
        poll=args.poll,
        open_browser=args.open,
    )
    try:
        server.bind()
    except PortInUse as e:
        print(f"explainer: error: {e}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop
        server.run()
    print("stopped", file=sys.stderr)
    return 0
