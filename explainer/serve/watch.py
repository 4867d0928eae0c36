"""Watch content/ and templates/ for saves and hand over each burst as one batch of changes.

Event-driven with `watchfiles` (inotify on Linux) rather than livereload's own watcher,
which walks the tree every 800 ms and ignores changes for seconds after a reload.
`watchfiles` groups a burst (an editor's write-rename-delete dance, a `git checkout`
touching 30 files) into one set, yielded once no new event came for `STEP_MS`.
`poll=True` scans the folders instead, for Docker, WSL and network drives where
inotify events never arrive (see `_run_polling`).

Only the sources are watched, never the output, so a build can never trigger
itself. Editor swap, backup and lock files are ignored. A watched folder that is
deleted, renamed or (re)created is noticed too: the watch restarts on the folders
that exist, and a rebuild is requested once the new watch is live, so nothing
saved in between is missed.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

STEP_MS = 30  # a burst ends after this much quiet (watchfiles' `step`)
MAX_BURST_MS = 1_000  # …or after this long (watchfiles' `debounce`)
POLL_MS = 200  # scan interval with poll=True
RECENT_S = 3.0  # with poll=True, files saved this recently are compared by content too

# File names editors write next to the file being saved; none of them is content.
EDITOR_FILES = re.compile(
    r"""(
        ~$                      # backups: emacs, vim with backup, gedit, kate
      | \.sw[a-px]$             # vim swap files (.swp, .swo, .swx…)
      | ^4913$                  # vim's probe that it may create files in the folder
      | ^\.\#                   # emacs lock links
      | ^\#.*\#$                # emacs auto-save files
      | \.(?:tmp|bak|orig|crswap)$
      | ___jb_(?:tmp|old|bak)___$   # JetBrains safe-write
      | ^\.goutputstream-       # gedit/GIO safe-write
      | \.kate-swp$
      | ^\.DS_Store$ | ^Thumbs\.db$
    )""",
    re.X,
)
IGNORED_DIRS = {".git", ".hg", ".svn", "__pycache__", ".idea", ".vscode", "node_modules"}

Changes = dict[str, str]  # path relative to the project root -> "added", "modified" or "deleted"


def ignored(path: str) -> bool:
    """True for editor temporaries and version-control folders: saving them changes nothing."""
    parts = Path(path).parts
    return bool(EDITOR_FILES.search(parts[-1])) or any(p in IGNORED_DIRS for p in parts[:-1])


class Watcher:
    """Watches in a thread and calls `on_change(changes)` once per burst.

    `filepath` holds the last changed path: livereload's reload handler reads it
    from the watcher object it is given.
    """

    def __init__(
        self,
        root: Path,
        folders: Sequence[str],
        on_change: Callable[[Changes], None],
        poll: bool = False,
        err: TextIO | None = None,
    ) -> None:
        self.root = root
        self.folders = tuple(folders)
        self.on_change = on_change
        self.poll = poll
        self.err = err or sys.stderr
        self.filepath: str | None = None
        self.ready = threading.Event()  # set once the first watch is live
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start watching; returns once events are being recorded."""
        self._thread = threading.Thread(target=self._run, name="explainer-watch", daemon=True)
        self._thread.start()
        self.ready.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def existing(self) -> tuple[str, ...]:
        return tuple(f for f in self.folders if (self.root / f).is_dir())

    def _run(self) -> None:
        if self.poll:
            self._run_polling()
        else:
            self._run_events()

    def _run_events(self) -> None:
        import watchfiles  # only the preview needs it

        watched: tuple[str, ...] | None = None
        pending: Changes = {}  # folder changes, reported once the next watch is live
        while not self._stop.is_set():
            folders = self.existing()
            if watched is not None:
                pending.update(_folder_changes(watched, folders))
            watched = folders
            if not folders:
                self._live(pending)
                pending = {}
                self._stop.wait(POLL_MS / 1000)
                continue
            roots = {str(self.root / f): f for f in folders}
            until = _Until(self, folders, on_live=lambda report=pending: self._live(report))
            pending = {}
            try:
                for batch in watchfiles.watch(
                    *roots,
                    watch_filter=lambda _change, path: not ignored(path),
                    debounce=MAX_BURST_MS,
                    step=STEP_MS,
                    stop_event=until,
                    rust_timeout=0,  # no timeout: watchfiles drops pending events on timeout
                    force_polling=False,  # see _run_polling
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    self._deliver(self._relative(batch))
                    # A watched folder itself was deleted: its watch is gone even if a new
                    # folder of that name is already back, so start a new watch.
                    gone = [roots[p] for c, p in batch if p in roots and c.name == "deleted"]
                    if gone:
                        pending.update({f: "added" for f in gone if f in self.existing()})
                        break
            except Exception as e:  # e.g. the inotify watch limit: keep serving, try again
                print(f"explainer: watching failed: {e} (--poll may help); retrying", file=self.err)
                pending.update(dict.fromkeys(folders, "modified"))  # rebuild once watching again
                self._stop.wait(1.0)

    def _run_polling(self) -> None:
        """Scan the folders every POLL_MS and compare.

        Not watchfiles' polling mode: it compares modification times in whole
        seconds and so misses a second save within the same second. Here a file
        changes when its mtime (in ns), size or inode does, and files saved in the
        last few seconds are compared by content too, for coarse network clocks.
        """
        before = self._scan({})
        self.ready.set()
        while not self._stop.wait(POLL_MS / 1000):
            now = self._scan(before)
            if now == before:
                continue
            # Wait for the burst to end, as watchfiles does, before reporting it.
            deadline = time.monotonic() + MAX_BURST_MS / 1000
            while time.monotonic() < deadline and not self._stop.wait(STEP_MS / 1000):
                latest = self._scan(now)
                if latest == now:
                    break
                now = latest
            changes = _diff(before, now)
            before = now
            self._deliver(changes)

    def _scan(self, previous: dict[str, tuple]) -> dict[str, tuple]:
        """Every watched file's signature: mtime, size, inode and, if recent, a digest."""
        found: dict[str, tuple] = {}
        recent = time.time() - RECENT_S
        for folder in self.folders:
            for dirpath, dirnames, filenames in os.walk(self.root / folder):
                dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS]
                for name in filenames:
                    path = os.path.join(dirpath, name)
                    rel = Path(os.path.relpath(path, self.root)).as_posix()
                    if ignored(rel):
                        continue
                    try:
                        st = os.stat(path)
                        stat = (st.st_mtime_ns, st.st_size, st.st_ino)
                        digest = None
                        if st.st_mtime > recent and st.st_size < 10_000_000:
                            with open(path, "rb") as f:
                                digest = hashlib.blake2b(f.read(), digest_size=16).digest()
                        elif previous.get(rel, ())[:3] == stat:
                            digest = previous[rel][3]  # unchanged since it was last hashed
                    except OSError:  # vanished mid-scan: the next scan reports it
                        continue
                    found[rel] = (*stat, digest)
        return found

    def _live(self, moved: Changes) -> None:
        self.ready.set()
        if moved:
            self._deliver(moved)

    def _deliver(self, changes: Changes) -> None:
        if changes:
            self.filepath = sorted(changes)[0]
            self.on_change(changes)

    def _relative(self, batch) -> Changes:
        changes: Changes = {}
        for change, path in sorted(batch, key=lambda c: (c[1], c[0])):
            rel = Path(os.path.relpath(path, self.root)).as_posix()
            changes[rel] = "deleted" if not os.path.lexists(path) else change.name
        return changes


class _Until:
    """watchfiles' stop event: stop on shutdown or when a watched folder appears or vanishes.

    watchfiles calls `is_set` between its sleeps, after the watch is set up, so the
    first call is also the moment the watch is live.
    """

    def __init__(self, watcher: Watcher, folders: tuple[str, ...], on_live: Callable) -> None:
        self.watcher = watcher
        self.folders = folders
        self.on_live: Callable | None = on_live

    def is_set(self) -> bool:
        if self.on_live is not None:
            on_live, self.on_live = self.on_live, None
            on_live()
        return self.watcher._stop.is_set() or self.watcher.existing() != self.folders


def _folder_changes(before: tuple[str, ...], after: tuple[str, ...]) -> Changes:
    changes = {f: "deleted" for f in before if f not in after}
    changes.update({f: "added" for f in after if f not in before})
    return changes


def _diff(before: dict[str, tuple], after: dict[str, tuple]) -> Changes:
    changes = {p: "deleted" for p in before.keys() - after.keys()}
    changes.update({p: "added" for p in after.keys() - before.keys()})
    changes.update({p: "modified" for p in after.keys() & before.keys() if after[p] != before[p]})
    return changes
