"""The memo: what earlier builds learnt, in named tables under one key scheme.

Every key is a digest (`deps.digest`) of all the inputs its entry was made from, so a
stale entry is never used: it is simply not found.

- `bodies`: a document's claims as plain records, by its file, slug, title, text and the
  ids it could name: an unchanged document is not parsed unless a page shows it.
- `pages`: each output file's page key (template, context and site settings), its
  dependency record (`deps`: what it read, as ids into `probes`) and, in memory, its
  bytes; on disk, the size, times and inode of the file written, so it can be taken from
  the last build's output instead.
- `probes`: every read some page made, with what it found; a build asks each once and
  re-renders the pages that made a read whose answer changed.
- `yaml`: parsed YAML by file and text (the dev server's only).

The dev server keeps its memo in memory between rebuilds. `build` keeps it on disk, in
`.explainer-cache/memo`, and trusts nothing in it: the file carries an HMAC made with a
key that never leaves this user's own cache folder (a cloned repository or a crafted file
cannot forge one), it is read without following links and at most `MAX_BYTES` of it, any
surprise in it (a bad signature, the wrong shape) makes it an empty memo, and an output
file is reused only if it is exactly the one this build's cache wrote. Only signed bytes,
which this code wrote, are ever decoded; they are decoded with `marshal` (plain data only,
five times faster than JSON for the tens of megabytes a large site's memo takes).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib
import io
import marshal
import os
import secrets
import shutil
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.bccache

from ..content.files import read_at_most
from .deps import Probe, digest

FOLDER = ".explainer-cache"
FILE = "memo"
LAST = "last"  # the last good build, whole: its inputs, output files and diagnostics
MAX_BYTES = 512 * 1024 * 1024
LIBRARIES = ("jinja2", "markdown_it", "mdit_py_plugins", "yaml", "PIL")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW  # never through a link


def _engine() -> str:
    """explainer's own code and the versions of the libraries whose output reaches the
    site (read from the modules, which the build imports anyway: asking the package
    metadata took longer than building a small site). Every build starts here, so the
    code is found with `scandir` and read with `os.read` (pathlib's `rglob` and
    `read_bytes` took 3 ms of a small site's build, against under 1 ms)."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    versions = []
    for name in LIBRARIES:
        module = importlib.import_module(name)
        versions.append(f"{name}=={getattr(module, '__version__', '?')}")
    python = f"{sys.version} marshal {marshal.version}"
    code = []
    for path in sorted(_python_files(package)):
        fd = os.open(path, os.O_RDONLY)
        try:
            code += [path[len(package) :], read_at_most(fd, MAX_BYTES, os.fstat(fd).st_size)]
        finally:
            os.close(fd)
    return digest(python, *versions, *code)


def _python_files(folder: str) -> list[str]:
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                found += _python_files(entry.path)
            elif entry.name.endswith(".py"):
                found.append(entry.path)
    return found


ENGINE = _engine()


@dataclass
class PageEntry:
    key: str  # digest of the template, the page's context and the site's settings
    reads: tuple[int, ...]  # what it read: ids into `Memo.probes`
    data: bytes | None = None  # in memory: the page
    stat: list | None = None  # on disk: [size, mtime_ns, ctime_ns, inode] of the file


@dataclass
class Memo:
    bodies: dict[str, dict] = field(default_factory=dict)
    pages: dict[str, PageEntry] = field(default_factory=dict)
    probes: list[list] = field(default_factory=list)  # [probe, digest] by id
    yaml: dict[tuple, object] = field(default_factory=dict)
    out: str = ""  # on disk: the output folder `pages` describes
    _ids: dict[Probe, int] = field(default_factory=dict, repr=False)

    def reads(self, record: list[tuple[Probe, str | None]]) -> tuple[int, ...]:
        """A page's record as ids into `probes` (a known probe takes the digest found now)."""
        if len(self._ids) != len(self.probes):
            self._ids = {tuple(probe): i for i, (probe, _) in enumerate(self.probes)}
        ids = []
        for probe, found in record:
            i = self._ids.get(probe)
            if i is None:
                i = self._ids[probe] = len(self.probes)
                self.probes.append([probe, found])
            else:
                self.probes[i][1] = found
            ids.append(i)
        return tuple(ids)

    def keep_only(self, bodies: set[str], pages: set[str]) -> None:
        """Forget what the last build did not use, so the memo does not pile up."""
        self.bodies = {k: v for k, v in self.bodies.items() if k in bodies}
        self.pages = {k: v for k, v in self.pages.items() if k in pages}
        used = sorted({i for entry in self.pages.values() for i in entry.reads})
        if len(used) < len(self.probes):
            new = {old: n for n, old in enumerate(used)}
            self.probes = [self.probes[i] for i in used]
            for entry in self.pages.values():
                entry.reads = tuple(new[i] for i in entry.reads)
            self._ids = {}


# -- on disk ---------------------------------------------------------------------------


def read(root: Path, out: Path, name: str = FILE) -> Memo:
    """The memo a build to `out` left in `root`, or an empty one (see the module docstring)."""
    data = _load(root, name)
    try:
        return _memo_from(data, str(out)) or Memo()
    except (ValueError, TypeError, KeyError, IndexError):
        return Memo()


def _load(root: Path, name: str):
    """The data in a signed cache file, or None (missing, a link, too big, not signed by
    this user's key, or not marshal data)."""
    secret = _secret(create=False)
    if secret is None:
        return None
    try:
        raw = _read_file(root / FOLDER, name)
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, _sign(secret, payload)):
            return None
        return marshal.loads(payload)  # signed: bytes this code wrote
    except (OSError, ValueError, EOFError, MemoryError, TypeError):
        return None


def _save(root: Path, name: str, data) -> None:
    """Write a signed cache file, atomically and never through a link; best effort: a
    cache that cannot be written only makes the next build slower."""
    secret = _secret(create=True)
    if secret is None:
        return
    payload = marshal.dumps(data)
    with contextlib.suppress(OSError):
        folder = open_folder(root, create=True)
        try:
            tmp = f".build-{secrets.token_hex(8)}"
            fd = os.open(tmp, _NEW_FILE, 0o600, dir_fd=folder)
            with os.fdopen(fd, "wb") as f:
                f.write(_sign(secret, payload) + b"\n" + payload)
            os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        finally:
            os.close(folder)


def write(root: Path, memo: Memo, name: str = FILE) -> None:
    """Save the memo (best effort), as `name` (a translation's is `memo-<lang>`)."""
    pages = {
        path: [entry.key, entry.reads, entry.stat]
        for path, entry in memo.pages.items()
        if entry.stat is not None
    }
    data = {"engine": ENGINE, "out": memo.out, "bodies": memo.bodies, "probes": memo.probes}
    data["pages"] = pages
    _save(root, name, data)


# -- the last good build, whole --------------------------------------------------------


def read_last(root: Path):
    """What the last good build recorded in `write_last`, or None."""
    data = _load(root, LAST)
    if not (isinstance(data, dict) and data.get("engine") == ENGINE):
        return None
    return data


def write_last(root: Path, record: dict) -> None:
    """Record a good build whole (see `Speed.unchanged`)."""
    _save(root, LAST, {**record, "engine": ENGINE})


def tree_stat(out: Path) -> dict[str, list] | None:
    """Every file under `out` with its `file_stat`, or None if anything there is not a
    plain file or folder (a link, a FIFO) or cannot be read."""
    found: dict[str, list] = {}
    try:
        plain = _stat_folder(str(out), "", found)
    except OSError:
        return None
    return found if plain else None


def _stat_folder(folder: str, prefix: str, found: dict[str, list]) -> bool:
    with os.scandir(folder) as entries:
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                if not _stat_folder(entry.path, f"{prefix}{entry.name}/", found):
                    return False
            elif stat.S_ISREG(st.st_mode):
                found[prefix + entry.name] = _identity(st)
            else:
                return False
    return True


def file_stat(path: Path) -> list | None:
    """What tells that a file is still the one written: size, times and inode."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _identity(st)


def _identity(st: os.stat_result) -> list:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def open_folder(root: Path, create: bool = False) -> int:
    """A descriptor of the project's cache folder, never through a link; made (with a
    .gitignore of its own) if `create`. Raises OSError if it is missing or a link."""
    path = root / FOLDER
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o755)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    if create:
        with contextlib.suppress(FileExistsError):
            ignore = os.open(".gitignore", _NEW_FILE, 0o644, dir_fd=fd)
            os.write(ignore, b"*\n")
            os.close(ignore)
    return fd


def _read_file(folder: Path, name: str) -> bytes:
    """A cache file's bytes: neither the folder nor the file may be a link, only a regular
    file is read (a FIFO would wait for a writer for ever), and at most MAX_BYTES."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        file = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(file, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError("not a regular file")
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError("cache file too large")
    return data


def _memo_from(data, out: str) -> Memo | None:
    """A memo from the file's JSON, or None if anything in it is not as `write` makes it."""
    if not isinstance(data, dict) or data.get("engine") != ENGINE:
        return None
    bodies, table, pages = data["bodies"], data["probes"], data["pages"]
    if not (isinstance(bodies, dict) and isinstance(table, list) and isinstance(pages, dict)):
        return None
    memo = Memo(bodies=bodies)
    if data.get("out") != out:
        return memo  # the pages describe another output folder
    for probe, found in table:
        if not (isinstance(probe, tuple) and (found is None or isinstance(found, str))):
            return None
        memo.probes.append([probe, found])
    n = len(table)
    for path, (key, ids, stat_) in pages.items():
        if not (isinstance(key, str) and isinstance(ids, tuple) and isinstance(stat_, list)):
            return None
        if ids and not (set(map(type, ids)) == {int} and min(ids) >= 0 and max(ids) < n):
            return None  # (checked in C: a large site's pages hold half a million ids)
        memo.pages[path] = PageEntry(key, tuple(ids), stat=stat_)
    memo.out = out
    return memo


# -- this user's cache folder: compiled templates and drawn share cards ------------------


class UserFiles:
    """Signed files in a folder of this user's own cache folder (never the project's): a
    file whose signature does not check is ignored, like one that is missing. The folder's
    name carries the engine's digest, so another version of explainer never reads them."""

    STALE_S = 30 * 24 * 3600  # another engine's folder unwritten this long is removed

    def __init__(self, kind: str, keep: int | None = None) -> None:
        self.kind, self.keep = kind, keep  # keep: at most this many files, the newest
        self.folder = os.path.join(_user_folder(), f"{kind}-{ENGINE[:16]}")

    def read(self, name: str) -> bytes | None:
        secret = _secret(create=False)
        if secret is None:
            return None
        try:  # read as the memo is: no link followed, no FIFO waited on, bounded
            data = _read_file(Path(self.folder), name)
        except OSError:
            return None
        mac, _, payload = data.partition(b"\n")
        return payload if hmac.compare_digest(mac, _sign(secret, payload)) else None

    def write(self, name: str, payload: bytes) -> None:
        secret = _secret(create=True)
        if secret is None:
            return
        with contextlib.suppress(OSError):  # best effort, like the memo
            if not os.path.isdir(self.folder):
                os.makedirs(self.folder, mode=0o700, exist_ok=True)
                self._remove_stale_engines()
            tmp = os.path.join(self.folder, f".{name}-{secrets.token_hex(8)}")
            fd = os.open(tmp, _NEW_FILE, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(_sign(secret, payload) + b"\n" + payload)
            os.replace(tmp, os.path.join(self.folder, name))
            if self.keep is not None:
                self._keep_newest(self.keep)

    def _keep_newest(self, keep: int) -> None:
        """Remove all but the `keep` newest files (cards are keyed by their text: each new
        title would otherwise add one for ever)."""
        with os.scandir(self.folder) as entries:
            found = [(e.stat(follow_symlinks=False).st_mtime_ns, e.path) for e in entries]
        for _, path in sorted(found)[:-keep]:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def _remove_stale_engines(self) -> None:
        """Folders of this kind that other versions of explainer wrote and nothing has
        written for `STALE_S` (each version of the code has its own)."""
        parent, now = _user_folder(), time.time()
        with os.scandir(parent) as entries:
            for entry in entries:
                if not entry.name.startswith(f"{self.kind}-") or entry.path == self.folder:
                    continue
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode) and now - info.st_mtime > self.STALE_S:
                    shutil.rmtree(entry.path, ignore_errors=True)


class TemplateCode(jinja2.BytecodeCache):
    """Compiled templates, signed in this user's cache folder: a new process compiles a
    template only the first time this machine sees its text.

    Each file is a template's compiled code by its name and file, with the digest of its
    source (Jinja's `Bucket` drops code whose source differs) and of the engine (explainer's
    code sets the environment's options). Loading code runs it: only signed code is loaded.
    """

    def __init__(self) -> None:
        self.files = UserFiles("templates")
        self.folder = self.files.folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.files.read(bucket.key)
        if code is not None:
            bucket.load_bytecode(io.BytesIO(code))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        self.files.write(bucket.key, out.getvalue())


class DrawnCards:
    """Share cards already drawn, by the digest of everything their pixels depend on
    (`share_image.build` makes it): kept in this process for the dev server's rebuilds
    and signed in this user's cache folder, so a new process does not draw the same card
    again (drawing took a fifth of a 10-page build). A PNG is only ever copied to the site,
    never decoded."""

    KEEP = 4  # in this process: one card per language of a site
    KEEP_FILES = 32  # in the user's folder

    def __init__(self) -> None:
        self.files = UserFiles("cards", keep=self.KEEP_FILES)
        self.known: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        data = self.known.get(key)
        if data is None:
            data = self.files.read(key)
            if data is not None:
                self._keep(key, data)
        return data

    def __setitem__(self, key: str, data: bytes) -> None:
        self._keep(key, data)
        self.files.write(key, data)

    def _keep(self, key: str, data: bytes) -> None:
        if len(self.known) >= self.KEEP:
            self.known.clear()
        self.known[key] = data


# -- the signing key -------------------------------------------------------------------


def _user_folder() -> str:
    """This user's cache folder for explainer (XDG_CACHE_HOME or ~/.cache)."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(home, "explainer")


def _secret(create: bool) -> bytes | None:
    """This user's key for signing build caches, from their own cache folder (never the
    project's), made on first use. None if there is no such folder to keep it in."""
    folder = _user_folder()
    path = os.path.join(folder, "cache-key")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        if not create:
            return None
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            tmp = f"{path}.{secrets.token_hex(8)}"  # whole before anyone reads it
            fd = os.open(tmp, _NEW_FILE, 0o600)
            os.write(fd, secrets.token_bytes(32))
            os.close(fd)
            with contextlib.suppress(FileExistsError):  # another build made one first
                os.link(tmp, path)
            os.unlink(tmp)
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        key = f.read(64)
    return key if len(key) == 32 else None


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest().encode()
