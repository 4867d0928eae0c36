"""The build cache: what earlier builds learnt, so the next one can skip work.

It lives in `.explainer-cache/` in the project (git-ignored, safe to delete at any
time) and holds two tables, both keyed by digests of every input they came from, so a
stale entry is never used, it is simply not found:

- `claims`: each free-standing page's claims, by its text and the ids it could name
  (`resolve`), so an unchanged page is not parsed unless it must be rendered;
- `pages`: for each output folder, each file's page key (`render.page_keys`) and the
  size, time and inode it was written with, so an unchanged page is taken from the
  last build's output instead of being rendered, and linked rather than rewritten.

Every key also includes ENGINE, a digest of explainer's own code and the versions of
the libraries whose output reaches the site. The file is JSON (never pickle: a cloned
repository could carry a hostile cache) and anything unexpected in it is ignored.
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from pathlib import Path

from ..content.files import digest

FOLDER = ".explainer-cache"
FILE = "build.json"
LIBRARIES = ("jinja2", "markdown_it", "mdit_py_plugins", "yaml", "PIL")


def _engine() -> str:
    """explainer's own code and the versions of the libraries whose output reaches the
    site (read from the modules, which the build imports anyway: asking the package
    metadata took longer than building a small site)."""
    code = sorted(Path(__file__).parent.glob("*.py"))
    versions = []
    for name in LIBRARIES:
        module = importlib.import_module(name)
        versions.append(f"{name}=={getattr(module, '__version__', '?')}")
    return digest(*versions, *[p.read_bytes() for p in code])


ENGINE = _engine()


class BuildCache:
    """The cache file of one project, read once and written after a successful build."""

    files = documents = None  # kept by the dev server only, in memory (`MemoryCache`)

    def __init__(self, root: Path) -> None:
        self.file = root / FOLDER / FILE
        self.claims: dict[str, list] = {}
        self.outputs: dict[str, dict[str, list]] = {}
        self._saved: tuple = (set(), {})
        try:
            data = json.loads(self.file.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("engine") == ENGINE:
            claims, outputs = data.get("claims"), data.get("outputs")
            self.claims = claims if isinstance(claims, dict) else {}
            self.outputs = outputs if isinstance(outputs, dict) else {}
        self._saved = (set(self.claims), self.outputs)

    def pages_for(self, out_dir: Path) -> DiskPages:
        known = self.outputs.get(str(out_dir))
        return DiskPages(out_dir, known if isinstance(known, dict) else {})

    def save(self, pages: DiskPages, keep: set[str], raw=None) -> None:
        """Record the build just written (best effort: a cache that cannot be written
        only makes the next build slower). Claims of pages that no longer exist, or of
        their earlier texts, are dropped (`keep`); an unchanged cache is not rewritten."""
        self.claims = {k: v for k, v in self.claims.items() if k in keep}
        self.outputs = {str(pages.out_dir): pages.written()}
        if (set(self.claims), self.outputs) == self._saved and self.file.exists():
            return
        data = {"engine": ENGINE, "claims": self.claims, "outputs": self.outputs}
        try:
            self.file.parent.mkdir(exist_ok=True)
            ignore = self.file.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n")
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".build-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(data, separators=(",", ":")))  # dumps is the C encoder
            os.replace(tmp, self.file)
        except OSError:
            pass


class DiskPages:
    """Pages of the last build, read back from the output folder when their key matches.

    A file is trusted only if it still has the size, modification time and inode it was
    written with; `reused` lists the files taken as they are, so `write` can link them
    into the new site instead of writing them again.
    """

    def __init__(self, out_dir: Path, known: dict[str, list]) -> None:
        self.out_dir, self.known = out_dir, known
        self.keys: dict[str, str] = {}
        self.reused: set[str] = set()

    def get(self, path: str, key: str) -> bytes | None:
        entry = self.known.get(path)
        if not (isinstance(entry, list) and len(entry) == 4 and entry[0] == key):
            return None
        try:
            st = os.stat(self.out_dir / path)
            if [st.st_size, st.st_mtime_ns, st.st_ino] != entry[1:]:
                return None
            data = (self.out_dir / path).read_bytes()
        except OSError:
            return None
        if len(data) != entry[1]:
            return None
        self.keys[path] = key
        self.reused.add(path)
        return data

    def put(self, path: str, key: str, data: bytes) -> None:
        self.keys[path] = key

    def written(self) -> dict[str, list]:
        table = {}
        for path, key in self.keys.items():
            try:
                st = os.stat(self.out_dir / path)
            except OSError:
                continue
            table[path] = [key, st.st_size, st.st_mtime_ns, st.st_ino]
        return table
