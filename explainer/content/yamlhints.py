"""YAML syntax errors in an editor's words: what went wrong, where, and what to type.

PyYAML says "mapping values are not allowed here" for an unquoted colon and points at
the colon. An editor needs "put this value in quotes", at the value. The common slips
of people who write YAML by hand are recognised here from PyYAML's messages and the
line they happened on; anything else keeps PyYAML's own words.
"""

from __future__ import annotations

import re

import yaml

from ..diagnostics import Pos

# "title: Talks: what next" — a key, then a value holding ": ".
_KEY_THEN_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#'\"][^:#]*?):\s+(\S)")
_QUOTES = "\"'"


def syntax_error(e: yaml.MarkedYAMLError, text: str, file: str, offset: int) -> tuple[Pos, str]:
    """The position and message for a YAML syntax error."""
    problem = e.problem or e.context or "invalid YAML"
    context = e.context or ""
    mark = e.problem_mark or e.context_mark
    if mark is None:
        return Pos(file), f"YAML syntax error: {problem}"
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""

    def at(m, col: int | None = None) -> Pos:
        return Pos(file, m.line + 1 + offset, (m.column if col is None else col) + 1)

    if problem == "mapping values are not allowed here":
        before = line[: mark.column]
        key = _KEY_THEN_VALUE.match(before)
        if key:
            value_col = key.end() - 1
            return at(mark, value_col), (
                f"this value contains ': ', which YAML reads as the start of another key: "
                f'put this value in quotes ({key.group(2).strip()}: "…")'
            )
        return at(mark), (
            "unexpected ':' here: check this line's indentation, and that "
            "the line before it is a complete 'key: value'"
        )
    if "found character '\\t'" in problem:
        return at(mark), ("a tab character: YAML indentation must use spaces, not tabs")
    start = re.match(r"found character '(.)' that cannot start any token", problem)
    if start:
        return at(mark), (
            f"a value cannot start with '{start.group(1)}' in YAML: put this value in quotes"
        )
    if context == "while scanning a quoted scalar" and e.context_mark is not None:
        quote = text_at(lines, e.context_mark)
        inside = '\\"' if quote == '"' else "''"
        return at(e.context_mark), (
            f"this quoted value is never closed: end it with {quote} "
            f"(a {quote} inside the value is written {inside})"
        )
    if context.startswith("while parsing a flow") and e.context_mark is not None:
        opening = text_at(lines, e.context_mark)
        closing = {"[": "]", "{": "}"}.get(opening, "]")
        return at(e.context_mark), (
            f"this '{opening}' is never closed: end it with '{closing}' "
            f"(or, if the {opening} is part of the text, put the whole value in quotes)"
        )
    if problem == "expected <block end>, but found '<scalar>'" and _after_quote(line, mark.column):
        return at(mark), (
            "text goes on after a closing quote: a quote mark inside a quoted value is written "
            '\\" (or quote the value with the other kind of quote mark)'
        )
    if context == "while parsing a block mapping" and problem.endswith("but found '-'"):
        return at(mark), (
            "a list item ('- …') where 'key: value' lines were expected: check its "
            "indentation (list items go under a key that ends with ':')"
        )
    if context == "while parsing a block collection" and problem.endswith("but found '?'"):
        return at(mark), (
            "a 'key: value' line where list items ('- …') were expected: check its "
            "indentation, or start the line with '- '"
        )
    return at(mark), f"YAML syntax error: {problem}"


def text_at(lines: list[str], mark) -> str:
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column : mark.column + 1] or '"'


def _after_quote(line: str, col: int) -> bool:
    return line[:col].rstrip()[-1:] in tuple(_QUOTES)
