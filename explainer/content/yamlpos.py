"""YAML with positions: plain data plus the file:line:col of every value.

PyYAML's `safe_load` forgets positions, so we compose the node graph with the
safe loader and build the data ourselves, keeping a table from each value's path
(`("quotes", 3, "speaker")`) to its file:line:col. Later stages look positions up
in that table, so an unknown speaker found in `resolve` still points at its line.
Aliases, merge keys and non-standard tags are refused: content is plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..diagnostics import Diagnostics, Pos
from .yamlhints import syntax_error

MAX_DEPTH = 50
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


@dataclass
class YamlDoc:
    """Plain data from one YAML text plus the position of every value in it."""

    file: str
    data: Any = None
    text: str = field(default="", repr=False)  # the YAML as read, for rules that quote it
    key_pos: dict[tuple, Pos] = field(default_factory=dict)
    value_pos: dict[tuple, Pos] = field(default_factory=dict)
    broken: bool = False  # a syntax error was already reported; say nothing more about it

    def pos(self, path: tuple) -> Pos:
        """Where the value at `path` was written: its key if it has one, else the value."""
        found = self.key_pos.get(path) or self.value_pos.get(path)
        if found is not None:  # nearly always: every written value has a position
            return found
        for p in (path[:n] for n in range(len(path), -1, -1)):
            if p in self.key_pos:
                return self.key_pos[p]
            if p in self.value_pos:
                return self.value_pos[p]
        return Pos(self.file, 1, 1)


def parse_yaml(text: str, file: str, diags: Diagnostics, line_offset: int = 0) -> YamlDoc:
    """Parse YAML text into a YamlDoc. Aliases and non-standard tags are refused."""
    fast = _parse_yaml_fast(text, file, line_offset)
    if fast is not None:
        return fast
    doc = YamlDoc(file, text=text)
    loader = None
    errors_before = len(diags.errors)
    try:
        loader = _Loader(text)  # checks every character first, so it can raise ReaderError
        loader.name, loader.line_offset = file, line_offset
        node = loader.get_single_node()
        if node is not None:
            doc.data = _build(node, (), doc, loader, line_offset, set())
    except yaml.MarkedYAMLError as e:
        diags.error(*syntax_error(e, text, file, line_offset))
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
    if _CLoader is None or _NON_PRINTABLE.search(text):
        return None
    if _UNUSUAL.search(text) and _UNUSUAL.search(_COMMENT_LINE.sub("", text)):
        return None  # (in a comment line, `>` is just a character: theme files have them)
    if len(text) > 4000:
        widest = max(map(len, text.split("\n")))
        if 2 * widest + text.count("[") + text.count("{") > 4000:
            return None
    doc = YamlDoc(file, text=text)
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
# A whole line of comment, with no tab and no other line break (PyYAML also breaks lines
# at \r, NEL and the Unicode line and paragraph separators).
_COMMENT_LINE = re.compile("(?m)^ *#[^\t\n\r\x85\u2028\u2029]*$")
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


def split_front_matter(
    text: str, file: str, diags: Diagnostics, parse=None
) -> tuple[YamlDoc, str, int]:
    """Split '---' front matter from a Markdown text: (front matter, body, body's first line)."""
    match = FRONT_MATTER.match(text)
    if not match:
        diags.error(
            Pos(file, 1, 1), "missing front matter: start the file with '---', a title:, '---'"
        )
        return YamlDoc(file, broken=True), text, 1  # reported: no "expected a mapping" too
    front = (parse or parse_yaml)(match.group(1) or "", file, diags, line_offset=1)
    body_line = text.count("\n", 0, match.end()) + 1
    return front, text[match.end() :], body_line
