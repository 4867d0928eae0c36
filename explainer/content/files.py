"""Reading project files safely: inside the project, regular, bounded, UTF-8.

Every file explainer reads from a project (content, templates, strings, the card's
fonts) comes through `read_text` or `read_bytes`, so one rule decides what may be
read: nothing that leads out of the project, nothing that is not a regular file,
nothing larger than its limit.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import stat
from pathlib import Path

from ..diagnostics import Diagnostics, Pos

MAX_FILE_BYTES = 2_000_000
# markdown-it-py reads dense markup (`![![![…`) at ~30 KB/s: 250 KB (40,000 words) keeps a
# hostile file to seconds where 2 MB took over a minute.
MAX_MARKDOWN_BYTES = 250_000


def digest(*parts: str | bytes) -> str:
    """A short, stable fingerprint of some texts, for the build cache's keys."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def read_text(
    path: Path,
    root: Path,
    diags: Diagnostics,
    limit: int = MAX_FILE_BYTES,
    folder_checked: bool = False,
    display: str | None = None,
) -> str | None:
    """The file as text (UTF-8, BOM dropped, newlines normalised), or None after a diagnostic.

    `display` names the file in messages (default: its path relative to `root`).
    `folder_checked`: the caller made sure the file's folder is inside the project, so
    only a link in the file's own name can lead out (one `lstat` instead of resolving
    the whole path, for each of thousands of pages).
    """

    def where(*line_col: int) -> Pos:  # the display path is worked out for messages only
        return Pos(display or _rel(path, root), *line_col)

    data = read_bytes(path, root, diags, limit, folder_checked, display)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        diags.error(
            where(line, col),
            f"file is not valid UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8",
        )
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diags.error(where(line), "file contains a NUL character")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(
    path: Path,
    root: Path,
    diags: Diagnostics,
    limit: int = MAX_FILE_BYTES,
    folder_checked: bool = False,
    display: str | None = None,
) -> bytes | None:
    """The file's bytes, or None after a diagnostic: see `read_text` for the arguments.

    The file type is checked on the open file, which is opened without blocking and
    without following a link in its last name, so neither a FIFO nor a file swapped
    for one (or for a link) after the check can hang or mislead the build.
    """

    def where() -> Pos:  # worked out for messages only
        return Pos(display or _rel(path, root))

    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = None
        if folder_checked:  # a link in its last name is refused by O_NOFOLLOW: resolved below
            try:
                fd = os.open(path, flags)
            except OSError as e:
                if e.errno != errno.ELOOP:
                    raise
        if fd is None:
            real = path.resolve(strict=True)
            if not real.is_relative_to(_resolved(root)):
                diags.error(where(), "file is a link to outside the project; refusing to read it")
                return None
            fd = os.open(real, flags)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a FIFO or a device never ends
                diags.error(where(), "not a regular file; refusing to read it")
                return None
            data = read_at_most(fd, limit + 1, info.st_size)  # even if the file grows
        finally:
            os.close(fd)
    except OSError as e:
        diags.error(where(), f"cannot read file: {e.strerror or e}")
        return None
    if len(data) > limit:
        size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"
        diags.error(where(), f"file is larger than {size}")
        return None
    return data


def read_at_most(fd: int, limit: int, size: int) -> bytes:
    """Up to `limit` bytes of an open file whose size was `size`, in as few reads as that
    allows (a buffered reader set up for each of thousands of small files took five
    times as long as reading them)."""
    parts, got = [], 0
    while got < limit:
        chunk = os.read(fd, min(limit - got, max(size + 1 - got, 1 << 16)))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


@functools.lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
