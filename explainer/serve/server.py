"""`build.py serve`: build once, serve the site with livereload, rebuild on every save.

Three parts, each in its own module:

- `preview.Preview` builds in-process with one long-lived `Project` and serves the
  last good build from memory (the preview never writes site/), as a WSGI app;
- `watch.Watcher` reports saves in content/ and templates/ with `watchfiles`;
- livereload does the browser side: its client script, injected here before `</head>`
  of HTML responses only, and its websocket handler, which tells the client to reload
  the page or, after a CSS-only change, to swap stylesheets.

The preview answers only requests addressed to it: a `Host` other than the address it
listens on, a localhost name or (when it listens on every interface) an IP address is
refused with 421, so a web page cannot reach it through DNS rebinding; and the reload
websocket refuses pages of other origins.

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
import ipaddress
import logging
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

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


class BadAddress(Exception):
    """--host or --port cannot be listened on; the message names the flag."""


EVERY_INTERFACE = ("0.0.0.0", "::")


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
        self._addresses: set[str] = set()  # this preview's own, for `allowed_host`
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
        except socket.gaierror as e:
            raise BadAddress(f"--host {self.host!r}: no such address ({e.strerror})") from None
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"port {self.port} on {self.host} is already in use (another preview?); "
                    "choose another with --port, or --port 0 for any free port"
                ) from None
            if e.errno == errno.EADDRNOTAVAIL:
                raise BadAddress(
                    f"--host {self.host!r}: not an address of this machine ({e.strerror}); "
                    "use 127.0.0.1, or 0.0.0.0 for every interface"
                ) from None
            if e.errno == errno.EACCES:
                raise BadAddress(
                    f"--port {self.port}: not allowed to listen on it ({e.strerror}); "
                    "choose a port above 1023, or --port 0 for any free port"
                ) from None
            raise
        self.port = self._sockets[0].getsockname()[1]
        self._addresses = {self.host.lower(), *(s.getsockname()[0] for s in self._sockets)}

    def allowed_host(self, host: str) -> bool:
        """Whether a request's `Host` (or a websocket's origin, `host:port`) names this
        preview: its port, and its own address, a localhost name, a loopback address, or
        any IP address when it listens on every interface. A domain name that only
        resolves here (DNS rebinding) is not one of them."""
        name, _, port = host.rpartition(":")
        if not name or "]" in port:  # no port: 80
            name, port = host, "80"
        name = name.lower().removeprefix("[").removesuffix("]").rstrip(".")
        if port != str(self.port) or not name:
            return False
        if name in self._addresses or name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return address.is_loopback or self.host in EVERY_INTERFACE

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
        everywhere = " and every other address of this machine" * (self.host in EVERY_INTERFACE)
        watching = " and ".join(f"{w}/" for w in WATCHED)
        print(
            f"serving {self.url}{everywhere} (watching {watching}; Ctrl-C stops)",
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
        from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
        from tornado import web
        from tornado.wsgi import WSGIContainer

        allowed = self.allowed_host

        class ReloadSocket(LiveReloadHandler):
            """livereload's websocket, for pages of this preview only (it allows any)."""

            def check_origin(self, origin: str) -> bool:
                parts = urlsplit(origin)
                return parts.scheme in ("http", "https") and allowed(parts.netloc)

        class ForeignHost(web.RequestHandler):
            def prepare(self) -> None:
                self.set_status(421)  # Misdirected Request
                self.set_header("Content-Type", "text/plain; charset=utf-8")
                self.finish("This preview answers only at the address it serves at.\n")

        class Application(web.Application):
            def find_handler(self, request, **kwargs):
                if not allowed(request.headers.get("Host", "")):
                    return self.get_handler_delegate(request, ForeignHost)
                return super().find_handler(request, **kwargs)

        # livereload's reload handler reads these class attributes.
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = True
        site = WSGIContainer(with_script(self.preview, LIVE_SCRIPT))
        handlers = [
            (r"/livereload", ReloadSocket),
            (r"/livereload.js", LiveReloadJSHandler),
            (r".*", web.FallbackHandler, {"fallback": site}),
        ]
        logging.getLogger("tornado.access").addHandler(logging.NullHandler())
        return Application(handlers, debug=False)

    def _on_rebuilt(self, outcome: Outcome) -> None:
        """Called on the build thread: have the server's thread send the reloads."""
        loop = self._loop
        if loop is not None and outcome.reload:
            loop.add_callback(_send_reloads, outcome.reload)


def with_script(app: Callable, script: bytes) -> Callable:
    """The WSGI `app` with `script` before the `</head>` of its HTML responses, and only
    those: JSON, XML or text that happens to contain `</head>` is served as built."""

    def wrapped(environ: dict, start_response: Callable) -> list[bytes]:
        answer: list = []
        body = b"".join(app(environ, lambda status, headers, *_: answer.extend((status, headers))))
        status, headers = answer
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if kind.split(";")[0].strip().lower() == "text/html" and b"</head>" in body:
            body = body.replace(b"</head>", script + b"</head>", 1)
        start_response(status, headers)
        return [body]

    return wrapped


def _send_reloads(paths: list[str]) -> None:
    from livereload.handlers import LiveReloadHandler

    for path in paths:
        LiveReloadHandler.reload_waiters(path)


def serve(root: Path, args) -> int:
    """The `serve` command: exit status 0 after Ctrl-C, 2 if it cannot listen where asked."""
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
    except (PortInUse, BadAddress) as e:
        print(f"explainer: error: {e}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop
        server.run()
    print("stopped", file=sys.stderr)
    return 0
