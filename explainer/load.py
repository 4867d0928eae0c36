"""Stage 1, load: read content/ into plain data, remembering where every value was written.

PyYAML's `safe_load` forgets positions, so we compose the node graph with the
safe loader and build the data ourselves, keeping a table from each value's path
(`("quotes", 3, "speaker")`) to its file:line:col. Later stages look positions up
in that table, so an unknown speaker found in `resolve` still points at its line.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostics, Pos

YAML_FILES = ("site", "sources", "actors", "quotes", "factbox", "timeline", "corrections")
OPTIONAL_YAML = {"factbox", "timeline", "quotes", "corrections"}
MAX_FILE_BYTES = 2_000_000
# markdown-it-py reads dense markup (`![![![…`) at ~30 KB/s: 250 KB (40,000 words) keeps a
# hostile file to seconds where 2 MB took over a minute.
MAX_MARKDOWN_BYTES = 250_000
MARKDOWN_YAML = {"factbox"}  # its values are inline Markdown: the Markdown limit applies
MAX_DEPTH = 50

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


@dataclass
class YamlDoc:
    """Plain data from one YAML text plus the position of every value in it."""

    file: str
    data: Any = None
    key_pos: dict[tuple, Pos] = field(default_factory=dict)
    value_pos: dict[tuple, Pos] = field(default_factory=dict)
    broken: bool = False  # a syntax error was already reported; say nothing more about it

    def pos(self, path: tuple) -> Pos:
        """Where the value at `path` was written: its key if it has one, else the value."""
        for p in (path[:n] for n in range(len(path), -1, -1)):
            if p in self.key_pos:
                return self.key_pos[p]
            if p in self.value_pos:
                return self.value_pos[p]
        return Pos(self.file, 1, 1)


@dataclass
class MarkdownFile:
    file: str
    slug: str
    front: YamlDoc
    body: str
    body_line: int
    digest: str = ""  # of the text as read: what the build cache knows this file by
    front_digest: str = ""  # of its front matter alone


@dataclass
class RawContent:
    yaml: dict[str, YamlDoc]
    sections: list[MarkdownFile]
    pages: list[MarkdownFile]
    digests: dict[str, str] = field(default_factory=dict)  # YAML file -> digest of its text


def load(root: Path, diags: Diagnostics, memo: dict | None = None, known=None) -> RawContent:
    """Read every content file under root/content; problems become diagnostics.

    The dev server passes what its last build learnt, so a rebuild after one edit parses
    one file: `memo` (from `remember`) holds the clean YAML files by their text, and
    `known` the front matter, by digest, whose document `validate` already has.
    """
    content = root / "content"
    docs: dict[str, YamlDoc] = {}
    digests: dict[str, str] = {}
    for name in YAML_FILES:
        path = content / f"{name}.yaml"
        rel = _rel(path, root)
        if not path.exists():
            if name not in OPTIONAL_YAML:
                diags.error(Pos(rel), f"missing file: create {rel}")
            continue
        limit = MAX_MARKDOWN_BYTES if name in MARKDOWN_YAML else MAX_FILE_BYTES
        text = read_text(path, root, diags, limit)
        if text is not None:
            digests[rel] = digest(text)
            remembered = memo.get(("yaml", rel, digests[rel])) if memo is not None else None
            docs[name] = remembered or parse_yaml(text, rel, diags)
    return RawContent(
        yaml=docs,
        sections=_load_markdown_dir(content / "sections", root, diags, known),
        pages=_load_markdown_dir(content / "pages", root, diags, known),
        digests=digests,
    )


def remember(raw: RawContent) -> dict:
    """The memo `load` takes: the clean YAML files of this load, by digest. (YamlDocs
    are only ever read after loading, so the next build may share them.)"""
    return {
        ("yaml", doc.file, raw.digests[doc.file]): doc
        for doc in raw.yaml.values()
        if not doc.broken and doc.file in raw.digests
    }


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
) -> str | None:
    """The file as text (UTF-8, BOM dropped, newlines normalised), or None after a diagnostic.

    `folder_checked`: the caller made sure the file's folder is inside the project, so
    only a link in the file's own name can lead out (one `lstat` instead of resolving
    the whole path, for each of thousands of pages).
    """

    def where(*line_col: int) -> Pos:  # the display path is worked out for messages only
        return Pos(_rel(path, root), *line_col)

    try:
        real = path
        if not folder_checked or stat.S_ISLNK(os.lstat(path).st_mode):
            real = path.resolve(strict=True)
            if not real.is_relative_to(_resolved(root)):
                diags.error(where(), "file is a link to outside the project; refusing to read it")
                return None
        if not stat.S_ISREG(real.stat().st_mode):  # a FIFO or device would block or never end
            diags.error(where(), "not a regular file; refusing to read it")
            return None
        with open(real, "rb") as f:  # read at most the limit, even if the file grows meanwhile
            data = f.read(limit + 1)
        if len(data) > limit:
            size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"
            diags.error(where(), f"file is larger than {size}")
            return None
    except OSError as e:
        diags.error(where(), f"cannot read file: {e.strerror or e}")
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


def parse_yaml(text: str, file: str, diags: Diagnostics, line_offset: int = 0) -> YamlDoc:
    """Parse YAML text into a YamlDoc. Aliases and non-standard tags are refused."""
    fast = _parse_yaml_fast(text, file, line_offset)
    if fast is not None:
        return fast
    doc = YamlDoc(file)
    loader = None
    errors_before = len(diags.errors)
    try:
        loader = _Loader(text)  # checks every character first, so it can raise ReaderError
        loader.name, loader.line_offset = file, line_offset
        node = loader.get_single_node()
        if node is not None:
            doc.data = _build(node, (), doc, loader, line_offset, set())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        pos = Pos(file, mark.line + 1 + line_offset, mark.column + 1) if mark else Pos(file)
        problem = e.problem or e.context or "invalid YAML"
        if "found character '\\t'" in problem:
            problem += " (YAML indentation must use spaces, not tabs)"
        diags.error(pos, f"YAML syntax error: {problem}")
        doc.data = None
    except _Refused as e:
        diags.error(e.pos, e.message)
        doc.data = None
    except yaml.reader.ReaderError as e:  # a control character; it carries an offset, not a line
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        diags.error(
            Pos(file, line + line_offset, col),
            f"character U+{e.character:04X} is not allowed in YAML; remove it",
        )
        doc.data = None
    except yaml.YAMLError as e:
        diags.error(Pos(file), f"YAML error: {e}")
        doc.data = None
    finally:
        if loader is not None:
            loader.dispose()
    doc.broken = len(diags.errors) > errors_before
    return doc


def _parse_yaml_fast(text: str, file: str, line_offset: int) -> YamlDoc | None:
    """The same YamlDoc through libyaml, about ten times faster; None when it cannot say.

    Only clean input takes this path: anything unusual (an error, an alias, a deep or
    unprintable text) returns None, and the pure-Python loader then reports it exactly
    as it always has. libyaml composes nested nodes by C recursion, which crashes the
    process about 100,000 levels deep: texts that could nest beyond a few thousand
    levels never reach it. Each flow level opens with `[` or `{`, and block levels
    need indentation (at worst two levels per column), which bounds the depth below.
    """
    # libyaml reads a few things differently: tabs and block scalar headers (it accepts
    # some that PyYAML refuses), the bare tag `!`, and where an empty value is (`_build`).
    if _CLoader is None or _UNUSUAL.search(text) or _NON_PRINTABLE.search(text):
        return None
    if len(text) > 4000:
        widest = max(map(len, text.split("\n")))
        if 2 * widest + text.count("[") + text.count("{") > 4000:
            return None
    doc = YamlDoc(file)
    loader = _CLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _build(node, (), doc, loader, line_offset, set())
    except Exception:  # noqa: BLE001 - whatever it was, the careful path will say it
        return None
    finally:
        loader.dispose()
    return doc


_CLoader = getattr(yaml, "CSafeLoader", None)
_UNUSUAL = re.compile(r"[\t!|>]")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases where they are written (they enable "billion laughs").

    It also stops at MAX_DEPTH while composing: PyYAML's composer recurses once per
    level, so `[[[[…` a few hundred deep would otherwise end in a RecursionError.
    """

    depth = 0

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        pos = Pos(self.name, mark.line + 1 + self.line_offset, mark.column + 1)
        if self.check_event(yaml.AliasEvent):
            raise _Refused(pos, "YAML anchors and aliases (&name, *name) are not supported")
        if self.depth >= MAX_DEPTH:
            raise _Refused(pos, f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Refused(Exception):
    def __init__(self, pos: Pos, message: str):
        super().__init__(message)
        self.pos, self.message = pos, message


def _build(node, path, doc, loader, offset, seen):
    pos = Pos(doc.file, node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if len(path) >= MAX_DEPTH:  # only libyaml gets this far: the Python loader stops earlier
        raise _Refused(pos, f"nested more than {MAX_DEPTH} levels deep")
    if id(node) in seen:
        raise _Refused(pos, "YAML anchors and aliases (&name, *name) are not supported")
    seen.add(id(node))
    doc.value_pos[path] = pos
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise _Refused(pos, f"unsupported YAML tag {node.tag!r}")
        result = {}
        for key_node, value_node in node.value:
            key_pos = Pos(
                doc.file, key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1
            )
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_pos, "a mapping key must be a plain name")
            if key_node.tag.endswith(":merge"):
                raise _Refused(key_pos, "YAML merge keys (<<) are not supported")
            key = str(_construct(loader, key_node, key_pos))
            if key in result:
                raise _Refused(key_pos, f"duplicate key '{key}' in the same mapping")
            doc.key_pos[path + (key,)] = key_pos
            result[key] = _build(value_node, path + (key,), doc, loader, offset, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise _Refused(pos, f"unsupported YAML tag {node.tag!r}")
        return [
            _build(item, path + (i,), doc, loader, offset, seen)
            for i, item in enumerate(node.value)
        ]
    if not node.value and not node.style and isinstance(loader, _CLoader or ()):
        raise _Refused(pos, "libyaml places empty values elsewhere")  # the careful path says
    return _construct(loader, node, pos)


def _construct(loader, node, pos: Pos):
    """A scalar's value. Only plain data tags pass (`!!python/name:…` looks standard but is
    not); PyYAML raises plain ValueErrors and KeyErrors for values that look typed but are
    not (`2025-02-30`, a 5,000-digit number, `!!bool maybe`): report those."""
    if node.tag not in _PLAIN_TAGS:
        raise _Refused(pos, f"unsupported YAML tag {node.tag!r}; content is plain data")
    try:
        return loader.construct_object(node)
    except yaml.YAMLError:
        raise
    except (ValueError, KeyError, TypeError, OverflowError) as e:
        kind = node.tag.rpartition(":")[2]
        what = _SCALAR_KINDS.get(kind, f"a valid {kind}")
        why = f": {e}" if kind == "timestamp" else ""  # "day is out of range for month"
        raise _Refused(pos, f"'{_short(node.value)}' is not {what}{why}") from None


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "timestamp")
}
_SCALAR_KINDS = {
    "timestamp": "a valid date",
    "int": "a whole number of at most 4300 digits",
    "float": "a number",
    "bool": "true or false",
}


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def split_front_matter(text: str, file: str, diags: Diagnostics) -> tuple[YamlDoc, str, int]:
    """Split '---' front matter from a Markdown text: (front matter, body, body's first line)."""
    match = FRONT_MATTER.match(text)
    if not match:
        diags.error(
            Pos(file, 1, 1), "missing front matter: start the file with '---', a title:, '---'"
        )
        return YamlDoc(file, broken=True), text, 1  # reported: no "expected a mapping" too
    front = parse_yaml(match.group(1) or "", file, diags, line_offset=1)
    body_line = text.count("\n", 0, match.end()) + 1
    return front, text[match.end() :], body_line


def _load_markdown_dir(
    folder: Path, root: Path, diags: Diagnostics, known=None
) -> list[MarkdownFile]:
    if not folder.exists():
        return []
    rel = _rel(folder, root)
    if not folder.resolve().is_relative_to(root.resolve()):
        diags.error(Pos(rel), "folder is a link to outside the project; refusing to read it")
        return []
    if not folder.is_dir():
        diags.error(Pos(rel), "expected a folder of Markdown files, found a file")
        return []
    files, folder_rel = [], _rel(folder, root)
    for path in sorted(folder.glob("*.md")):
        rel = f"{folder_rel}/{path.name}"
        text = read_text(path, root, diags, limit=MAX_MARKDOWN_BYTES, folder_checked=True)
        if text is None:
            continue
        match = FRONT_MATTER.match(text)
        front_digest = digest(rel, text[: match.end()]) if match else ""
        if known is not None and front_digest in known:  # `validate` has its fields
            body_line = text.count("\n", 0, match.end()) + 1
            front, body = YamlDoc(rel), text[match.end() :]
        else:
            front, body, body_line = split_front_matter(text, rel, diags)
        slug = _slug_from_name(path.stem)
        files.append(
            MarkdownFile(rel, slug, front, body, body_line, digest(rel, text), front_digest)
        )
    return files


@functools.lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()


def _slug_from_name(stem: str) -> str:
    """'02-why-kyiv' -> 'why-kyiv': a leading number only orders files."""
    return re.sub(r"^\d+[-_]", "", stem)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
